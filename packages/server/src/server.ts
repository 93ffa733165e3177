import type { BrokerCredentials } from '@strato/messaging';
import pino, { type Logger } from 'pino';
import { applicationRuntimeRoutes } from './api/application-runtime-routes.ts';
import { buildApi } from './api/app.ts';
import { startMessaging, type InProcessEventBroker } from './broker/broker-setup.ts';
import { defaultDriverRegistry } from './cloud/drivers.ts';
import { MockIaas } from './cloud/drivers/mock/mock-iaas.ts';
import { mockIaasRoutes } from './cloud/drivers/mock/mock-iaas-routes.ts';
import { validatePartitions, type IaasDriver } from './cloud/iaas-driver.ts';
import { systemClock, type Clock, type NetworkPartition, type Scheduler } from '@strato/model';
import { TimerScheduler } from './services/timer-scheduler.ts';
import { ControlPlane } from './control-plane.ts';
import { Registry } from './registry/registry.ts';
import type { Settings } from './settings.ts';
import { openStore } from './store/open-store.ts';
import { ModelBroadcaster } from './runtime/model-broadcaster.ts';
import type { Store } from './store/store.ts';
import { Directory } from './tenancy/directory.ts';
import { databridgeReceiverUrls, startDatabridge, type Databridge } from './health/databridge/databridge-setup.ts';
import { ApplicationSignUps } from './signups/application-signups.ts';
import { repoRoutes } from './api/repo-routes.ts';

export interface RunningServer {
  /** base URL of the HTTP API, e.g. http://127.0.0.1:9763 */
  url: string;
  /** the broker URLs the server uses (the embedded broker's when none is configured), without passwords */
  mbUrls: string[];
  /**
   * the control plane's broker credentials (generated for the embedded broker; the first URL's
   * with STRATO_MB_URLS): full access, for tools and tests running beside the server
   */
  mbCredentials: BrokerCredentials | undefined;
  store: Store;
  logger: Logger;
  controlPlane: ControlPlane;
  mockIaas: MockIaas;
  /** the databridge receiver of Stratos's agent's health statistics (STRATO_DATABRIDGE_ENABLED) */
  databridge: Databridge | undefined;
  close(): Promise<void>;
}

/**
 * Starts strato: store (with migrations), message broker (embedded unless STRATO_MB_URLS names
 * brokers), tenancy, registry, IaaS drivers, the control plane, and the REST API. Everything that
 * was started is stopped again if a later step fails.
 */
/**
 * Time, timers and messaging of a server: the system's clock and timers and MQTT by default; a
 * fake clock's and an in-memory broker in tests.
 */
export interface ServerServices {
  clock?: Clock;
  scheduler?: Scheduler;
  /**
   * An event broker inside this process (in tests, an InMemoryBroker of @strato/messaging): no MQTT
   * broker is started or connected to; the control plane (with the model broadcaster) and the
   * mock IaaS's simulated members each take a bus of it. `mbUrls` is then empty.
   */
  eventBroker?: InProcessEventBroker;
}

export async function startServer(settings: Settings, logger?: Logger, services: ServerServices = {}): Promise<RunningServer> {
  const log = logger ?? pino({ level: settings.logLevel, base: { service: 'strato' } });
  const clock = services.clock ?? systemClock;
  const scheduler = services.scheduler ?? new TimerScheduler(log);
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    const store = await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
    cleanups.push(() => store.close());

    // embedded broker (refusing anonymous clients) unless STRATO_MB_URLS names brokers; one bus
    // for the control plane, one for the mock IaaS, each with its own broker identity
    const messaging = await startMessaging(settings, log, services.eventBroker);
    cleanups.push(() => messaging.close());
    const { bus, mockBus, urls: mbUrls } = messaging;
    // health statistics of Stratos's own agent (Thrift) enter as MemberHealthStatEvents on the bus;
    // started before the IaaS drivers, so that its address (databridgeReceiverUrls) can be given to
    // those that write an agent's agent.conf
    const databridge = await startDatabridge(settings, bus, (memberId) => messaging.memberCredentials(memberId), log.child({ component: 'databridge' }));
    if (databridge) cleanups.push(() => databridge.close());

    const directory = new Directory(store, log.child({ component: 'tenancy' }), settings.credentialCacheTtl, clock);
    // the admin password check (scrypt, on the thread pool) runs while the rest starts
    const adminReady = directory.start(settings.adminPassword);
    adminReady.catch(() => undefined); // awaited below; no unhandled rejection if a step between fails
    const iaasProviders = () => Object.keys(settings.iaasProviders);

    // one driver per bound driver name that has an implementation (the mock always runs: the
    // mock IaaS API and tests use it); a provider bound to a name without one stays unbound
    const thriftReceiverUrls = databridgeReceiverUrls(settings.host, databridge);
    const built = defaultDriverRegistry().build(
      settings.iaasProviders,
      { settings, store, bus: mockBus, logger: log, clock, scheduler, mbUrls, thriftReceiverUrls },
      ['mock'],
    );
    const drivers: Map<string, IaasDriver> = built.byProvider;
    const mockIaas = built.byName.get('mock') as MockIaas;
    const registry = new Registry(
      store,
      iaasProviders,
      log.child({ component: 'registry' }),
      async (kind, artifact) => {
        if (kind === 'networkPartition') await validatePartitions(artifact as unknown as NetworkPartition, drivers);
      },
      settings.requestTimeout,
    );

    const controlPlane = new ControlPlane({
      store,
      registry,
      bus,
      drivers,
      timings: settings.timings,
      iaasRetryInterval: settings.iaasRetryInterval,
      spinAfterTerminate: settings.spinAfterTerminate,
      clock,
      scheduler,
      requestTimeout: settings.requestTimeout,
      log,
    });
    controlPlane.cloud.memberCredentials = (memberId) => messaging.memberCredentials(memberId);
    const signups = new ApplicationSignUps({ store, bus, plane: controlPlane, log: log.child({ component: 'signups' }) });
    controlPlane.onInstanceStatus((name, payload) => signups.onInstanceStatus(name, payload));
    // the control plane listens before the mock IaaS resumes its instances, so no event is missed
    await controlPlane.listen();
    cleanups.push(() => controlPlane.stop());
    for (const driver of built.byName.values()) {
      await driver.start();
      cleanups.push(() => driver.stop());
    }
    await controlPlane.start();
    await signups.start();
    cleanups.push(() => signups.stop());
    const broadcaster = new ModelBroadcaster(
      registry,
      bus,
      controlPlane,
      { applications: settings.timings.completeApplicationsInterval, tenants: settings.timings.completeTenantInterval },
      store,
      log.child({ component: 'applications-model' }),
      scheduler,
    );
    await broadcaster.start();
    cleanups.push(() => broadcaster.stop());

    const app = await buildApi({
      logger: log,
      bodyLimit: settings.bodyLimit,
      sessions: {
        idleMs: settings.sessionTimeout,
        lifetimeMs: settings.sessionLifetime,
        maxPerUser: settings.sessionMaxPerUser,
        maxTotal: settings.sessionMax,
      },
      login: settings.login,
      registry,
      directory,
      iaasProviders,
      liveStatus: (appId) => controlPlane.liveStatus(appId),
      plugins: [(api) => applicationRuntimeRoutes(api, controlPlane, signups), (api) => repoRoutes(api, signups)],
    });
    // the mock IaaS API exists only while a provider is bound to the mock driver (super-tenant admins only)
    if (Object.values(settings.iaasProviders).includes('mock')) await app.register(async (mock) => mockIaasRoutes(mock, mockIaas));
    await adminReady;
    // a deep accept backlog (Node's default is 511, less than a burst of clients: connections reset)
    await app.listen({ host: settings.host, port: settings.httpPort, backlog: 4096 });
    cleanups.push(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : settings.httpPort;
    const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
    log.info({ url, engine: store.engine, mbUrls }, 'strato is ready');
    return { url, mbUrls, mbCredentials: messaging.controlPlaneCredentials, store, logger: log, controlPlane, mockIaas, databridge, close: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
