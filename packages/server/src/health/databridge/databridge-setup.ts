/**
 * Starts the databridge receiver of the server (README "Health statistics over Thrift"): its TLS
 * key and certificate (STRATO_DATABRIDGE_CERT_FILE / _KEY_FILE, else a self-signed pair generated
 * at first start into the data dir), its account (STRATO_DATABRIDGE_USERNAME /
 * STRATO_DATABRIDGE_PASSWORD, else a password generated at first start into
 * `databridge-credentials.json`, mode 0600), and the way its statistics enter strato: each
 * becomes a `MemberHealthStatEvent` on the control plane's bus, the event the mock IaaS's members
 * publish, so that Thrift and MQTT statistics take the same path (the fault detector and whatever
 * else listens on `health/stat/#`).
 */
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomSecret, type BrokerCredentials, type EventBus, type HealthDescription } from '@strato/messaging';
import type { Logger } from 'pino';
import type { Settings } from '../../settings.ts';
import { DatabridgeServer } from './databridge-server.ts';
import { DatabridgeService, type DatabridgeAuth } from './databridge-service.ts';
import { selfSignedCertificate } from './self-signed.ts';

/** The running receiver: where it listens and the account a member's agent.conf gets. */
export interface Databridge {
  /** the port it listens on (STRATO_DATABRIDGE_PORT, or the one picked for 0) */
  port: number;
  /** `thrift.server.admin.username` / `.password` for agents */
  account: BrokerCredentials;
  service: DatabridgeService;
  /** resolves once it speaks TLS (at first start, once its certificate is made) */
  ready: Promise<void>;
  close(): Promise<void>;
}

function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function readSetting(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`Setting ${setting}=${JSON.stringify(file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * The receiver's key and certificate: the configured files, or the pair generated earlier into the
 * data dir; undefined when none was generated yet (see {@link generateTlsFiles}).
 */
export function databridgeTlsFiles(settings: Settings): { key: Buffer; cert: Buffer } | undefined {
  const { certFile, keyFile } = settings.databridge;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error('Settings STRATO_DATABRIDGE_CERT_FILE and STRATO_DATABRIDGE_KEY_FILE go together: set both or neither');
  }
  if (certFile !== undefined && keyFile !== undefined) {
    return { cert: readSetting(certFile, 'STRATO_DATABRIDGE_CERT_FILE'), key: readSetting(keyFile, 'STRATO_DATABRIDGE_KEY_FILE') };
  }
  const { cert, key } = generatedPaths(settings);
  return existsSync(cert) && existsSync(key) ? { cert: readFileSync(cert), key: readFileSync(key) } : undefined;
}

function generatedPaths(settings: Settings) {
  return { cert: join(settings.dataDir, 'databridge-cert.pem'), key: join(settings.dataDir, 'databridge-key.pem') };
}

/**
 * Generates the self-signed pair into the data dir (an RSA key: a few hundred milliseconds of CPU,
 * on the thread pool); nothing is written when `abandoned()` says so by then (the server stopped).
 */
async function generateTlsFiles(settings: Settings, log: Logger, abandoned: () => boolean): Promise<{ key: Buffer; cert: Buffer } | undefined> {
  const pair = await selfSignedCertificate('strato databridge');
  if (abandoned()) return undefined;
  const { cert, key } = generatedPaths(settings);
  writePrivate(key, pair.key);
  writePrivate(cert, pair.cert);
  log.info({ cert, key }, 'generated a self-signed certificate for the databridge receiver');
  return { key: Buffer.from(pair.key), cert: Buffer.from(pair.cert) };
}

/** The receiver's account: the configured one, or the one generated into the data dir. */
export function databridgeAccount(settings: Settings, log: Logger): BrokerCredentials {
  const username = settings.databridge.username;
  if (settings.databridge.password !== undefined) return { username, password: settings.databridge.password };
  const file = join(settings.dataDir, 'databridge-credentials.json');
  if (!existsSync(file)) {
    writePrivate(file, JSON.stringify({ password: randomSecret() }, null, 2) + '\n');
    log.info({ file }, 'generated the password of the databridge account');
  }
  let password: unknown;
  try {
    password = (JSON.parse(readFileSync(file, 'utf8')) as { password?: unknown }).password;
  } catch {
    throw new Error(`Databridge credentials file ${file}: not readable JSON`);
  }
  if (typeof password !== 'string' || password.length < 12)
    throw new Error(`Databridge credentials file ${file}: password must be a string of at least 12 characters`);
  return { username, password };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts the receiver (when STRATO_DATABRIDGE_ENABLED); undefined when it is off. */
export async function startDatabridge(
  settings: Settings,
  bus: EventBus,
  memberCredentials: (memberId: string) => BrokerCredentials,
  log: Logger,
): Promise<Databridge | undefined> {
  if (!settings.databridge.enabled) return undefined;
  const tls = databridgeTlsFiles(settings);
  const account = databridgeAccount(settings, log);
  const auth: DatabridgeAuth = (userName, password) => {
    if (same(userName, account.username) && same(password, account.password)) return { kind: 'account' };
    // a member's own broker credentials: its statistics only
    if (userName !== '' && userName !== account.username && same(password, memberCredentials(userName).password)) return { kind: 'member', memberId: userName };
    return undefined;
  };
  const service = new DatabridgeService({
    auth,
    log,
    onSample: (s) => {
      void bus.publish('MemberHealthStatEvent', {
        clusterId: s.clusterId,
        clusterInstanceId: s.clusterInstanceId,
        networkPartitionId: s.networkPartitionId,
        memberId: s.memberId,
        partitionId: s.partitionId,
        healthDescription: s.healthDescription as HealthDescription,
        value: s.value,
        timestamp: s.timestamp,
      });
    },
  });
  const server = new DatabridgeServer({ host: settings.host, port: settings.databridge.port, tls, service, log });
  let port: number;
  try {
    port = await server.start();
  } catch (e) {
    throw new Error(`The databridge receiver cannot listen on ${settings.host}:${settings.databridge.port} (STRATO_DATABRIDGE_PORT): ${(e as Error).message}`);
  }
  // the first start makes its certificate meanwhile: the server does not wait for it; a handshake
  // before it is ready fails and the agent tries again at its next round
  let closed = false;
  const ready = tls
    ? Promise.resolve()
    : generateTlsFiles(settings, log, () => closed).then((pair) => {
        if (pair) server.useTls(pair);
      });
  ready.catch((err) => log.error({ err }, 'could not make the certificate of the databridge receiver'));
  log.info({ port, user: account.username }, 'databridge receiver (Thrift, TLS) is listening for health statistics');
  return {
    port,
    account,
    service,
    ready,
    async close() {
      closed = true;
      await server.close();
    },
  };
}

/**
 * The receiver as an agent's `thrift.receiver.urls` names it (`host:port`): STRATO_HOST, or the
 * loopback address when strato listens on every interface; empty when the receiver is off.
 */
export function databridgeReceiverUrls(host: string, databridge: Databridge | undefined): string[] {
  if (!databridge) return [];
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return [`${reachable.includes(':') ? `[${reachable}]` : reachable}:${databridge.port}`];
}
