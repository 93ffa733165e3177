/**
 * The agent's configuration, read as Stratos's agent reads it (cartridge-agent.md §2):
 * `agent.conf` (INI, section `[agent]`, option names case-insensitive) and the launch parameters
 * (`payload/launch-params`: `KEY=value` items separated by commas, keys case-sensitive).
 *
 * Lookup order of every key (`read_property`): agent.conf when it has a non-empty value other than
 * `null`, else the launch parameters when they do, else the default (or a {@link ConfigError}
 * naming the key when it is mandatory). `true` / `false` (any case) are booleans.
 *
 * Every key the agent reads, its default and what it means is in {@link SETTINGS} (and in
 * packages/agent/README.md).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** A configuration error: the agent stops (exit status 2) without publishing anything. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** One documented setting. */
export interface SettingDoc {
  key: string;
  default: string;
  meaning: string;
}

/**
 * The settings the agent reads beyond the identity keys of the payload. Stratos's defaults, except
 * where the meaning says otherwise.
 */
export const SETTINGS: readonly SettingDoc[] = [
  { key: 'mb.urls', default: '(mandatory, or mb.ip + mb.port)', meaning: 'Message brokers `host:port,host:port`, tried in order (failover).' },
  { key: 'mb.username / mb.password', default: '(none)', meaning: "The agent's broker credentials; strato puts the member's own in its launch payload." },
  { key: 'mb.publisher.timeout', default: '900', meaning: 'Seconds an event is retried (from its publish) before it is dropped.' },
  { key: 'listen.address', default: 'localhost', meaning: 'Host of the port check.' },
  { key: 'port.check.timeout', default: '600000', meaning: 'Milliseconds the port check goes on before it gives up.' },
  { key: 'port.check.interval', default: '5000', meaning: 'strato: milliseconds between two port check rounds (Stratos: a fixed 5 s).' },
  {
    key: 'topology.request.interval',
    default: '10',
    meaning:
      'strato: seconds between two CompleteTopologyRequestEvents while no topology arrived (Stratos asks once; the broker lets a member ask once per 5 s).',
  },
  { key: 'cep.stats.publisher.enabled', default: 'true', meaning: 'Publish health statistics (strato: over MQTT; Stratos: mandatory key, Thrift to CEP).' },
  { key: 'stats.notifier.interval', default: '15', meaning: 'Seconds between two health statistics rounds.' },
  { key: 'extension.timeout', default: '300', meaning: 'strato: seconds an extension script may run before it is killed (Stratos: no limit).' },
  { key: 'enable.artifact.update', default: 'false', meaning: 'Run the periodic artifact update task after the first checkout.' },
  { key: 'auto.checkout', default: 'false', meaning: 'The periodic task pulls the repository.' },
  {
    key: 'COMMIT_ENABLED, else auto.commit',
    default: 'false',
    meaning: 'The periodic task commits and pushes local changes (Stratos never read auto.commit).',
  },
  { key: 'artifact.update.interval', default: '10', meaning: 'Seconds between two runs of the periodic artifact update task.' },
  { key: 'artifact.clone.retries', default: '5', meaning: 'Attempts of the first clone.' },
  { key: 'artifact.clone.interval', default: '10', meaning: 'Seconds between two clone attempts.' },
  {
    key: 'super.tenant.repository.path',
    default: '/repository/deployment/server/',
    meaning: 'Multi-tenant: repository path of the super tenant under APPLICATION_PATH.',
  },
  { key: 'tenant.repository.path', default: '/repository/tenants/', meaning: 'Multi-tenant: repository path of other tenants (tenant id appended).' },
  { key: 'lb.private.ip / lb.public.ip', default: '(none)', meaning: 'Fallbacks of STRATOS_LB_IP / STRATOS_LB_PUBLIC_IP.' },
  { key: 'log.level', default: 'info', meaning: 'strato: level of agent.log (trace, debug, info, warn, error); error.log holds errors only.' },
];

/** Values of a parsed source: null stands for "absent" (`""` or `null`). */
export type Values = ReadonlyMap<string, string>;

/** Parses agent.conf: section `[agent]`, `key = value` or `key: value`, `#`/`;` comments; keys lower-cased. */
export function parseAgentConf(text: string, file = 'agent.conf'): Map<string, string> {
  const out = new Map<string, string>();
  let section: string | undefined;
  let last: string | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = header[1].trim();
      last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && last !== undefined && section === 'agent') {
      out.set(last, `${out.get(last)}\n${raw.trim()}`); // continuation line
      continue;
    }
    const m = /^\s*([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!m) throw new ConfigError(`${file} line ${i + 1}: not "key = value": ${JSON.stringify(raw.slice(0, 80))}`);
    if (section !== 'agent') continue;
    const key = m[1].toLowerCase();
    if (out.has(key)) throw new ConfigError(`${file} line ${i + 1}: option "${m[1]}" given twice in section [agent]`, m[1]);
    out.set(key, m[2].trim());
    last = key;
  }
  if (section === undefined && out.size === 0 && text.trim() !== '') throw new ConfigError(`${file}: no [agent] section`);
  return out;
}

/** Parses launch parameters: split on `,`, then on `=` (text after a second `=` is lost, as in Stratos); items without `=` ignored. */
export function parseLaunchParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of text.split(',')) {
    const parts = item.trim().split('=');
    if (parts.length < 2) continue;
    out.set(parts[0].trim(), parts[1].trim());
  }
  return out;
}

const isAbsent = (v: string | undefined): v is undefined => v === undefined || v === '' || v.toLowerCase() === 'null';

/** The two sources and Stratos's `read_property`. */
export class PropertySource {
  constructor(
    readonly conf: Values,
    readonly params: Values,
  ) {}

  /** The raw value of `key` (agent.conf first, case-insensitively; then the payload), or undefined. */
  get(key: string): string | undefined {
    const fromConf = this.conf.get(key.toLowerCase());
    if (!isAbsent(fromConf)) return fromConf;
    const fromParams = this.params.get(key);
    return isAbsent(fromParams) ? undefined : fromParams;
  }

  required(key: string): string {
    const v = this.get(key);
    if (v === undefined) throw new ConfigError(`Mandatory configuration value ${key} is missing (neither agent.conf nor the launch parameters have it)`, key);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return fallback;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw new ConfigError(`Configuration value ${key} must be true or false, not ${JSON.stringify(v)}`, key);
  }

  int(key: string, fallback: number, min = 0): number {
    const v = this.get(key);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.trim()) || Number(v) < min)
      throw new ConfigError(`Configuration value ${key} must be an integer${min > 0 ? ` >= ${min}` : ''}, not ${JSON.stringify(v)}`, key);
    return Number(v);
  }
}

/** A `host:port` pair. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses a comma list of exactly `host:port` (mb.urls, thrift.receiver.urls). */
export function parseHostPortList(key: string, text: string): HostPort[] {
  return text.split(',').map((item) => {
    const m = /^\s*([^\s:]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})\s*$/.exec(item);
    if (!m || Number(m[2]) > 65535)
      throw new ConfigError(`Configuration value ${key} must be a comma-separated list of host:port, not ${JSON.stringify(item.trim())}`, key);
    return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
  });
}

const GIT_URL = /^(?:(?:https?|ssh|git|file):\/\/\S+|[\w.-]+@[\w.-]+:\S+|\/\S*)$/;

/** The agent's identity: the payload's ids. */
export interface Identity {
  applicationId: string;
  serviceName: string;
  clusterId: string;
  clusterInstanceId: string | null;
  memberId: string;
  instanceId: string | null;
  networkPartitionId: string | null;
  partitionId: string | null;
  tenantId: string;
}

/** Everything the agent needs, validated. Durations in milliseconds. */
export interface AgentConfig {
  /** The directory of agent.conf: extensions are in `<agentDir>/extensions/bash`. */
  agentDir: string;
  confFile: string;
  paramsFile: string;
  /** Every launch parameter (raw), for the extensions. */
  params: Values;
  identity: Identity;
  brokers: HostPort[];
  mbUsername: string | undefined;
  mbPassword: string | undefined;
  publisherTimeoutMs: number;
  listenAddress: string;
  /** The ports of `PORTS`. */
  ports: number[];
  portCheckTimeoutMs: number;
  portCheckIntervalMs: number;
  topologyRequestIntervalMs: number;
  statsEnabled: boolean;
  statsIntervalMs: number;
  extensionTimeoutMs: number;
  multitenant: boolean;
  repoUrl: string | undefined;
  cartridgeKey: string | undefined;
  applicationPath: string | undefined;
  artifactUpdateEnabled: boolean;
  autoCheckout: boolean;
  autoCommit: boolean;
  artifactUpdateIntervalMs: number;
  cloneRetries: number;
  cloneIntervalMs: number;
  superTenantRepositoryPath: string;
  tenantRepositoryPath: string;
  lbPrivateIp: string | undefined;
  lbPublicIp: string | undefined;
  lbClusterId: string | undefined;
  lvsVirtualIp: string | undefined;
  persistenceMapping: string | undefined;
  logLevel: string;
  /** Problems that do not stop the agent (logged at start). */
  warnings: string[];
}

/** Where the two files are. */
export interface ConfigPaths {
  conf: string;
  params: string;
}

/**
 * Where agent.conf and launch-params are: `--conf` / `--payload` (a launch-params file, or a
 * `payload` directory holding one; a path that does not exist is a file when its name ends in
 * `launch-params` or has an extension), else `STRATO_AGENT_CONF` / `STRATO_AGENT_PAYLOAD`, else `agent.conf` and
 * `payload/launch-params` in the working directory (the agent's directory, as with Stratos).
 */
export function configPaths(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ConfigPaths {
  const flag = (name: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === name) {
        if (argv[i + 1] === undefined) throw new ConfigError(`${name} needs a path`);
        return argv[i + 1];
      }
      if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
    }
    return undefined;
  };
  for (const a of argv) {
    if (a.startsWith('-') && !/^--(conf|payload)(=|$)/.test(a))
      throw new ConfigError(`Unknown option ${a} (use --conf <agent.conf> and --payload <launch-params file or payload dir>)`);
  }
  const conf = resolve(cwd, flag('--conf') ?? env.STRATO_AGENT_CONF ?? 'agent.conf');
  let params = flag('--payload') ?? env.STRATO_AGENT_PAYLOAD;
  if (params === undefined) params = join(dirname(conf), 'payload', 'launch-params');
  else if (isDirectory(resolve(cwd, params)) ?? !/(launch-params|\.\w+)$/.test(params)) params = join(params, 'launch-params');
  return { conf, params: resolve(cwd, params) };
}

/** Whether a path is a directory; undefined when it does not exist. */
function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads and validates the configuration; throws {@link ConfigError} naming the key at fault. */
export function loadConfig(paths: ConfigPaths): AgentConfig {
  const conf = parseAgentConf(readText(paths.conf, 'agent.conf'), paths.conf);
  const params = parseLaunchParams(readText(paths.params, 'launch parameters'));
  return configFrom(new PropertySource(conf, params), paths);
}

/** Validates the configuration of two parsed sources. */
export function configFrom(p: PropertySource, paths: ConfigPaths): AgentConfig {
  // identity first: what Stratos's agent requires at start (cartridge-agent.md §2.3)
  const identity: Identity = {
    applicationId: p.required('APPLICATION_ID'),
    serviceName: p.required('SERVICE_NAME'),
    clusterId: p.required('CLUSTER_ID'),
    clusterInstanceId: p.get('CLUSTER_INSTANCE_ID') ?? null,
    // optional in Stratos's code, but without it the agent waits for ever: required here
    memberId: p.required('MEMBER_ID'),
    instanceId: p.get('INSTANCE_ID') ?? null,
    networkPartitionId: p.get('NETWORK_PARTITION_ID') ?? null,
    partitionId: p.get('PARTITION_ID') ?? null,
    tenantId: p.required('TENANT_ID'),
  };
  const portsText = p.required('PORTS').replaceAll("'", '');
  const ports = portsText
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d{1,5}$/.test(s) || Number(s) > 65535 || Number(s) === 0)
        throw new ConfigError(`PORTS must be |-separated port numbers, not ${JSON.stringify(portsText)}`, 'PORTS');
      return Number(s);
    });
  const multitenant = p.bool('MULTITENANT', false);
  p.required('MULTITENANT');

  let brokersText = p.get('mb.urls');
  if (brokersText === undefined) {
    const ip = p.get('mb.ip');
    const port = p.get('mb.port');
    if (ip === undefined || port === undefined)
      throw new ConfigError('Mandatory configuration value mb.urls is missing (nor are mb.ip and mb.port given)', 'mb.urls');
    brokersText = `${ip}:${port}`;
  }
  const brokers = parseHostPortList('mb.urls', brokersText);
  const thrift = p.get('thrift.receiver.urls');
  if (thrift !== undefined) parseHostPortList('thrift.receiver.urls', thrift); // validated as Stratos does; strato sends statistics over MQTT

  const repoUrl = p.get('REPO_URL');
  const warnings: string[] = [];
  let cartridgeKey: string | undefined;
  let applicationPath = p.get('APPLICATION_PATH');
  if (repoUrl !== undefined) {
    if (!GIT_URL.test(repoUrl)) {
      throw new ConfigError(
        `REPO_URL ${JSON.stringify(maskUrl(repoUrl))} is not a git repository URL (scheme://host/path, user@host:path or an absolute path)`,
        'REPO_URL',
      );
    }
    cartridgeKey = p.required('CARTRIDGE_KEY');
    if (Buffer.byteLength(cartridgeKey) !== 16)
      throw new ConfigError('CARTRIDGE_KEY must have 16 characters (the AES-128 key of the repository password)', 'CARTRIDGE_KEY');
    // Stratos checks APPLICATION_PATH only when an ArtifactUpdatedEvent arrives: the agent warns at start (see warnings)
    if (applicationPath === undefined)
      warnings.push('APPLICATION_PATH is missing: artifact updated events cannot be processed (a cartridge with REPO_URL checks out into it)');
    else if (!isAbsolute(applicationPath))
      warnings.push(`APPLICATION_PATH must be an absolute path, not ${JSON.stringify(applicationPath)}: artifact updated events cannot be processed`);
  }
  if (applicationPath !== undefined) applicationPath = applicationPath.replace(/\/+$/, '') || '/';

  const logLevel = (p.get('log.level') ?? 'info').toLowerCase();
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel))
    throw new ConfigError(`log.level must be one of trace, debug, info, warn, error, not ${JSON.stringify(logLevel)}`, 'log.level');

  const commit = p.get('COMMIT_ENABLED') !== undefined ? p.bool('COMMIT_ENABLED', false) : p.bool('auto.commit', false);
  return {
    agentDir: dirname(paths.conf),
    confFile: paths.conf,
    paramsFile: paths.params,
    params: p.params,
    identity,
    brokers,
    mbUsername: p.get('mb.username'),
    mbPassword: p.get('mb.password'),
    publisherTimeoutMs: p.int('mb.publisher.timeout', 900, 1) * 1000,
    listenAddress: p.get('listen.address') ?? 'localhost',
    ports,
    portCheckTimeoutMs: p.int('port.check.timeout', 600_000),
    portCheckIntervalMs: p.int('port.check.interval', 5_000, 1),
    topologyRequestIntervalMs: p.int('topology.request.interval', 10, 1) * 1000,
    statsEnabled: p.bool('cep.stats.publisher.enabled', true),
    statsIntervalMs: p.int('stats.notifier.interval', 15, 1) * 1000,
    extensionTimeoutMs: p.int('extension.timeout', 300, 1) * 1000,
    multitenant,
    repoUrl,
    cartridgeKey,
    applicationPath,
    artifactUpdateEnabled: p.bool('enable.artifact.update', false),
    autoCheckout: p.bool('auto.checkout', false),
    autoCommit: commit,
    // invalid values fall back to 10, as in Stratos
    artifactUpdateIntervalMs:
      (/^\d+$/.test(p.get('artifact.update.interval') ?? '') && Number(p.get('artifact.update.interval')) > 0
        ? Number(p.get('artifact.update.interval'))
        : 10) * 1000,
    cloneRetries: p.int('artifact.clone.retries', 5, 1),
    cloneIntervalMs: p.int('artifact.clone.interval', 10) * 1000,
    superTenantRepositoryPath: p.get('super.tenant.repository.path') ?? '/repository/deployment/server/',
    tenantRepositoryPath: p.get('tenant.repository.path') ?? '/repository/tenants/',
    lbPrivateIp: p.get('lb.private.ip'),
    lbPublicIp: p.get('lb.public.ip'),
    lbClusterId: p.get('LB_CLUSTER_ID'),
    lvsVirtualIp: p.get('LVS_VIRTUAL_IP'),
    persistenceMapping: p.get('PERSISTENCE_MAPPING'),
    logLevel,
    warnings,
  };
}

/** A URL with its password replaced by `***`. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
