/**
 * The message broker side of the server: the embedded broker (with its authority) unless
 * STRATO_MB_URLS names brokers, and the two bus connections of the server — the control plane's
 * and the mock IaaS's — each with its own identity. Given an in-process event broker (in-process
 * tests: an InMemoryBroker), no MQTT broker is started or connected to: both buses are that
 * broker's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BrokerAuthority,
  MessageBus,
  parseBrokerUrl,
  startEmbeddedBroker,
  type BrokerCredentials,
  type EmbeddedBroker,
  type EventBus,
  type MessageBusOptions,
} from '@strato/messaging';
import type { Logger } from 'pino';
import type { Settings } from '../settings.ts';
import { loadBrokerOperators, loadBrokerSecrets } from './broker-credentials.ts';

/** The server's messaging, started. */
export interface Messaging {
  /** The embedded broker, when STRATO_MB_URLS is unset. */
  broker: EmbeddedBroker | undefined;
  /** The broker URLs in use, as they may be shown (no passwords). */
  urls: string[];
  /** The control plane's bus. */
  bus: EventBus;
  /** The mock IaaS's bus (the `mock-iaas` user on the embedded broker; the URLs' user otherwise). */
  mockBus: EventBus;
  /** The control plane's credentials on the embedded broker; on external brokers, the first URL's (if any). */
  controlPlaneCredentials: BrokerCredentials | undefined;
  /** A member's own broker credentials (user = member id, password derived from the member secret). */
  memberCredentials(memberId: string): BrokerCredentials;
  /** Closes the buses (draining) and the embedded broker. */
  close(): Promise<void>;
}

/** A broker inside the server's process: each component gets a bus of its own from it. */
export interface InProcessEventBroker {
  bus(): EventBus;
}

/**
 * Loads (or creates) the broker credentials, starts the embedded broker when no broker is
 * configured, and connects the control plane's and the mock IaaS's buses; with `inProcess`, takes
 * both buses from it instead (no MQTT at all; the member credentials are still derived).
 */
export async function startMessaging(settings: Settings, log: Logger, inProcess?: InProcessEventBroker): Promise<Messaging> {
  const secrets = loadBrokerSecrets(settings.mbCredentialsFile ?? join(settings.dataDir, 'mb-credentials.json'), log);
  const authority = new BrokerAuthority({
    controlPlane: secrets.controlPlane,
    simulator: secrets.mockIaas,
    memberSecret: secrets.memberSecret,
    operators: await loadBrokerOperators(settings.mbUsersFile ?? join(settings.dataDir, 'mb-users.json'), log),
    logger: log,
  });
  const memberCredentials = (memberId: string) => authority.memberCredentials(memberId);
  if (inProcess !== undefined) {
    const buses = [inProcess.bus(), inProcess.bus()];
    return {
      broker: undefined,
      urls: [],
      bus: buses[0],
      mockBus: buses[1],
      controlPlaneCredentials: undefined,
      memberCredentials,
      async close() {
        await Promise.all(buses.map((b) => b.close()));
      },
    };
  }
  let ca: Buffer | undefined;
  if (settings.mbCaFile !== undefined) {
    try {
      ca = readFileSync(settings.mbCaFile);
    } catch (e) {
      throw new Error(
        `Setting STRATO_MB_CA_FILE=${JSON.stringify(settings.mbCaFile)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }

  let broker: EmbeddedBroker | undefined;
  let controlPlaneCredentials: BrokerCredentials | undefined;
  let mockCredentials: BrokerCredentials | undefined;
  let urls = settings.mbUrls;
  if (urls.length === 0) {
    broker = await startEmbeddedBroker({ host: settings.host, port: settings.mbPort, auth: authority });
    urls = [broker.url];
    controlPlaneCredentials = secrets.controlPlane;
    mockCredentials = secrets.mockIaas;
  } else {
    const first = parseBrokerUrl(urls[0]);
    if (first.username !== undefined) controlPlaneCredentials = { username: first.username, password: first.password ?? '' };
  }
  const busOptions: Omit<MessageBusOptions, 'clientId'> = {
    urls,
    logger: log,
    publisherTimeoutMs: settings.mbPublisherTimeout,
    livenessIntervalMs: settings.mbLivenessInterval,
    connectTimeoutMs: settings.mbConnectTimeout,
    ...(settings.mbRetryInterval !== undefined ? { retryIntervalMs: settings.mbRetryInterval } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
  const bus = new MessageBus({ ...busOptions, ...controlPlaneCredentials, clientId: `strato-cp-${process.pid}` });
  const mockBus = new MessageBus({ ...busOptions, ...mockCredentials, clientId: `strato-mock-${process.pid}` });
  return {
    broker,
    urls: urls.map((u) => parseBrokerUrl(u).url),
    bus,
    mockBus,
    controlPlaneCredentials,
    memberCredentials,
    async close() {
      await Promise.all([bus.close({ drainTimeoutMs: 2000 }), mockBus.close({ drainTimeoutMs: 2000 })]);
      await broker?.close();
    },
  };
}
