/**
 * The files of a process member, as Stratos's cloud controller and its deployment scripts give
 * them to an agent (cartridge-agent.md §2; stratos-agent/README.md, "Running it as a member"):
 * `agent.conf` (section `[agent]`) and `payload/launch-params` (the launch payload, `KEY=value`
 * pairs joined by commas), plus the driver's own record `instance.json`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseBrokerUrl } from '@strato/messaging';
import type { InstanceInfo } from '../../iaas-driver.ts';
import type { ProcessIdentity } from './proc.ts';

/** A port a member got: its cartridge mapping with the port it really listens on. */
export interface ProcessPort {
  name: string;
  protocol: string;
  port: number;
  proxyPort: number;
  kubernetesPortType?: string;
}

/** What the driver keeps about a member's instance in its folder (`instance.json`). */
export interface InstanceRecord {
  memberId: string;
  cartridgeType: string;
  /** The agent it runs (STRATO_PROCESS_AGENT's form). */
  agent: string;
  info: InstanceInfo;
  ports: ProcessPort[];
  /** The agent process: pid (= its process group), start time, boot. */
  process: ProcessIdentity;
  startedAt: string;
}

export const RECORD_FILE = 'instance.json';

/** Writes the record (whole or not at all: a temporary file renamed over it). */
export function writeRecord(memberDir: string, record: InstanceRecord): void {
  const file = join(memberDir, RECORD_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The record of a member folder, or undefined when it has none (or an unreadable one). */
export function readRecord(memberDir: string): InstanceRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(memberDir, RECORD_FILE), 'utf8')) as InstanceRecord;
    return typeof r.memberId === 'string' && typeof r.process?.pid === 'number' && r.info ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The values of a member's agent.conf. */
export interface AgentConfValues {
  /** The brokers the server uses, as URLs (`mqtt://[user:password@]host:port`). */
  mbUrls: string[];
  mbPublisherTimeoutSeconds: number;
  portCheckTimeoutMs: number;
  portCheckIntervalMs: number;
  thrift: ThriftReceiver;
  statsEnabled: boolean;
  statsIntervalSeconds: number;
  artifactUpdate: boolean;
  artifactUpdateIntervalSeconds: number;
  /** The member's application folder (inside its own folder). */
  applicationPath: string;
  logLevel: string;
}

/** Where an agent sends its health statistics over Thrift, and with which account. */
export interface ThriftReceiver {
  urls: string[];
  username: string;
  password: string;
}

/**
 * The Thrift databridge receiver of a member's agent: the server's receiver (`host:port`) when it
 * runs one, else Stratos's CEP port on this host (an agent is content with a closed port: it logs
 * "CEP server is not active" and carries on); the member's own broker credentials as the account
 * (strato's receiver accepts them for the member's own statistics), `admin`/`admin` when the
 * payload has none. The one place to wire the receiver of branch `compat` (STRATO_DATABRIDGE_*).
 */
export function thriftReceiver(receiverUrls: readonly string[] | undefined, payloadCredentials: { username?: string; password?: string }): ThriftReceiver {
  return {
    urls: receiverUrls && receiverUrls.length > 0 ? [...receiverUrls] : ['127.0.0.1:7711'],
    username: payloadCredentials.username || 'admin',
    password: payloadCredentials.password || 'admin',
  };
}

/** A broker URL as an agent's `mb.urls` wants it: `host:port` (the credentials stay out: the member has its own). */
export function brokerHostPort(url: string): string {
  const { host, port } = parseBrokerUrl(url) as { host: string; port: number };
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function line(key: string, value: string | number | boolean): string {
  const text = String(value);
  if (/[\r\n]/.test(text)) throw new Error(`agent.conf value of ${key} holds a line break`);
  return `${key}=${text}`;
}

/**
 * A member's agent.conf. `mb.username` and `mb.password` are left out: the agent takes them from
 * the launch payload (the member's own broker identity, cartridge-agent.md §2.1: agent.conf wins,
 * so an empty key here would be read as absent anyway, and a key written twice is an error).
 */
export function agentConf(v: AgentConfValues): string {
  return [
    '[agent]',
    line('mb.urls', v.mbUrls.map(brokerHostPort).join(',')),
    line('mb.publisher.timeout', v.mbPublisherTimeoutSeconds),
    line('listen.address', '127.0.0.1'),
    line('port.check.timeout', v.portCheckTimeoutMs),
    line('port.check.interval', v.portCheckIntervalMs),
    line('thrift.receiver.urls', v.thrift.urls.join(',')),
    line('thrift.server.admin.username', v.thrift.username),
    line('thrift.server.admin.password', v.thrift.password),
    line('cep.stats.publisher.enabled', v.statsEnabled),
    line('stats.notifier.interval', v.statsIntervalSeconds),
    line('enable.artifact.update', v.artifactUpdate),
    line('artifact.update.interval', v.artifactUpdateIntervalSeconds),
    line('enable.data.publisher', false),
    line('APPLICATION_PATH', v.applicationPath),
    line('log.level', v.logLevel),
    '',
  ].join('\n');
}

/** Writes agent.conf and payload/launch-params into an agent folder (mode 0600: they hold the member's password). */
export function writeAgentFiles(agentDir: string, conf: string, launchParams: string): { agentConf: string; launchParams: string } {
  const confFile = join(agentDir, 'agent.conf');
  const paramsFile = join(agentDir, 'payload', 'launch-params');
  mkdirSync(dirname(paramsFile), { recursive: true, mode: 0o700 });
  writeFileSync(confFile, conf, { mode: 0o600 });
  writeFileSync(paramsFile, launchParams, { mode: 0o600 });
  return { agentConf: confFile, launchParams: paramsFile };
}
