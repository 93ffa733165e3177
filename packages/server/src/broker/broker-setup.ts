/**
 * The message broker side of the server: the embedded broker (with its authority) unless
 * STRATO_MB_URLS names brokers, and the two bus connections of the server — the control plane's
 * and the mock IaaS's — each with its own identity.
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
  bus: MessageBus;
  /** The mock IaaS's bus (the `mock-iaas` user on the embedded broker; the URLs' user otherwise). */
  mockBus: MessageBus;
  /** The control plane's credentials on the embedded broker; on external brokers, the first URL's (if any). */
  controlPlaneCredentials: BrokerCredentials | undefined;
  /** A member's own broker credentials (user = member id, password derived from the member secret). */
  memberCredentials(memberId: string): BrokerCredentials;
  /** Closes the buses (draining) and the embedded broker. */
  close(): Promise<void>;
}

/**
 * Loads (or creates) the broker credentials, starts the embedded broker when no broker is
 * configured, and connects the control plane's and the mock IaaS's buses.
 */
export async function startMessaging(settings: Settings, log: Logger): Promise<Messaging> {
  const secrets = loadBrokerSecrets(settings.mbCredentialsFile ?? join(settings.dataDir, 'mb-credentials.json'), log);
  const authority = new BrokerAuthority({
    controlPlane: secrets.controlPlane,
    simulator: secrets.mockIaas,
    memberSecret: secrets.memberSecret,
    operators: await loadBrokerOperators(settings.mbUsersFile ?? join(settings.dataDir, 'mb-users.json'), log),
    logger: log,
  });
  let ca: Buffer | undefined;
  if (settings.mbCaFile !== undefined) {
    try {
      ca = readFileSync(settings.mbCaFile);
    } catch (e) {
      throw new Error(`Setting STRATO_MB_CA_FILE=${JSON.stringify(settings.mbCaFile)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
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
    memberCredentials: (memberId) => authority.memberCredentials(memberId),
    async close() {
      await Promise.all([bus.close({ drainTimeoutMs: 2000 }), mockBus.close({ drainTimeoutMs: 2000 })]);
      await broker?.close();
    },
  };
}
