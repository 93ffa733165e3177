import { join } from 'node:path';
import { maskBrokerUrl, parseBrokerUrl } from '@strato/messaging';
import { DRIVER_NAMES } from './cloud/driver-registry.ts';
import { loadMockIaasSettings, MOCK_IAAS_SETTINGS, type MockIaasSettings } from './cloud/drivers/mock/mock-iaas-settings.ts';
import { loadProcessIaasSettings, PROCESS_IAAS_SETTINGS, type ProcessIaasSettings } from './cloud/drivers/process/process-iaas-settings.ts';
import { TIMING_DEFAULTS, type TimingName, type Timings } from '@strato/model';

/**
 * Every setting of strato: one typed object compiled once from environment variables.
 * Each entry documents its variable, its default and its meaning; the README's table is written
 * from this list. Durations are in milliseconds.
 */
export interface Settings {
  /** Interface the HTTP server binds to. @default '127.0.0.1' */
  host: string;
  /** HTTP port of the REST API (Stratos/Carbon's 9763). 0 picks a free port. @default 9763 */
  httpPort: number;
  /** Folder for the SQLite database and other local state. @default './data' */
  dataDir: string;
  /** Unset: SQLite in the data dir; `postgres://...`: PostgreSQL; `sqlite:PATH`: SQLite at PATH. */
  databaseUrl: string | undefined;
  /** Password of the super-tenant user `admin`. @default 'admin' */
  adminPassword: string;
  /** pino level: fatal, error, warn, info, debug, trace, silent. @default 'info' */
  logLevel: string;
  /** Largest request body accepted, in bytes. @default 1048576 */
  bodyLimit: number;
  /** IaaS provider names bound to a driver, `name=driver` pairs. @default 'mock=mock,kubernetes=kubernetes' */
  iaasProviders: Record<string, string>;
  /** Message broker URLs, tried in order with failover; empty: start the embedded broker. */
  mbUrls: string[];
  /** Port of the embedded MQTT broker (used when mbUrls is empty). @default 1885 */
  mbPort: number;
  /** How long a publisher retries an event before dropping it, ms. @default 900000 */
  mbPublisherTimeout: number;
  /** The mock IaaS: boot delay, health statistics interval, patterns (STRATO_MOCK_*). */
  mock: MockIaasSettings;
  /** The process IaaS: members' folder, agent, ports, grace period, agent.conf values (STRATO_PROCESS_*). */
  process: ProcessIaasSettings;
  /** How long to wait before asking an IaaS again after a failed instance start, ms. @default 5000 */
  iaasRetryInterval: number;
  /** Members being drained or terminated count toward the minimum (Stratos's spinAfterTerminate). @default false */
  spinAfterTerminate: boolean;
  /** Period of the broker liveness check (a ping; no answer by the next one: fail over), ms. @default 5000 */
  mbLivenessInterval: number;
  /** How long a broker connect may take before the next URL is tried, ms. @default 10000 */
  mbConnectTimeout: number;
  /** Wait between two rounds over the broker list, ms; undefined: Stratos's agent back-off 2 s … 60 s. */
  mbRetryInterval: number | undefined;
  /** The broker credentials file (control plane, mock IaaS, member secret); undefined: `mb-credentials.json` in the data dir. */
  mbCredentialsFile: string | undefined;
  /** The embedded broker's operator accounts; undefined: `mb-users.json` in the data dir. */
  mbUsersFile: string | undefined;
  /** PEM file of the CA certificates trusted for `mqtts://` brokers; undefined: Node's defaults. */
  mbCaFile: string | undefined;
  /** How long a session cookie of GET /api/session lives unused, ms. @default 1800000 */
  sessionTimeout: number;
  /** How long verified credentials are remembered, ms. @default 300000 */
  credentialCacheTtl: number;
  /** How long a session lives at most, used or not, ms. @default 28800000 */
  sessionLifetime: number;
  /** Sessions one user may hold (a new one ends the user's oldest). @default 10 */
  sessionMaxPerUser: number;
  /** Sessions held at once in all (a new one ends the oldest). @default 10000 */
  sessionMax: number;
  /** How failed logins are slowed (STRATO_LOGIN_*): limits per user name and per client address, window, lockout, memory bound. */
  login: { userFailureLimit: number; ipFailureLimit: number; windowMs: number; lockoutMs: number; maxEntries: number };
  /** Longest time a REST operation waits for the registry lock or the control plane before answering 503, ms. @default 30000 */
  requestTimeout: number;
  /** Every lifecycle timeout and monitor interval of orchestration.md §3.12, in ms. */
  timings: Timings;
}

export interface SettingInfo {
  env: string;
  default: string;
  meaning: string;
}

/**
 * The timings of orchestration.md §3.12 that strato's control plane uses today, each a setting.
 * The others keep Stratos's defaults in @strato/model until the component that needs them exists.
 */
export const ACTIVE_TIMINGS: readonly TimingName[] = [
  'clusterMonitorInterval',
  'memberListWatcherInterval',
  'pendingMemberExpiryTimeout',
  'pendingTerminationMemberExpiryTimeout',
  'memberFaultTimeout',
  'memberFaultCheckInterval',
  'completeTopologyInterval',
  'completeApplicationsInterval',
  'completeTenantInterval',
  'obsoletedMemberExpiryTimeout',
];

/** The documented settings, in README order. */
export const SETTINGS: SettingInfo[] = [
  { env: 'STRATO_HOST', default: '127.0.0.1', meaning: 'Interface the HTTP server binds to.' },
  { env: 'STRATO_HTTP_PORT', default: '9763', meaning: 'HTTP port of the REST API (0 picks a free port).' },
  { env: 'STRATO_DATA_DIR', default: './data', meaning: 'Folder for the SQLite database and local state.' },
  {
    env: 'STRATO_DATABASE_URL',
    default: '(unset)',
    meaning: 'Unset: SQLite file `strato.db` in the data dir. `postgres://user@host:port/db`: PostgreSQL. `sqlite:/path/file.db`: SQLite at that path.',
  },
  { env: 'STRATO_ADMIN_PASSWORD', default: 'admin', meaning: 'Password of the super-tenant user `admin`.' },
  { env: 'STRATO_LOG_LEVEL', default: 'info', meaning: 'Log level (fatal, error, warn, info, debug, trace, silent).' },
  { env: 'STRATO_BODY_LIMIT', default: '1048576', meaning: 'Largest request body accepted, in bytes (larger: 413).' },
  {
    env: 'STRATO_IAAS_PROVIDERS',
    default: 'mock=mock,kubernetes=kubernetes',
    meaning: 'IaaS provider names and the driver each is bound to, as `name=driver` pairs; e.g. `mock=mock,ec2-sydney=mock`. Drivers: `mock` (simulated members), `process` (each member a real process on this host running a cartridge agent, see STRATO_PROCESS_*); `kubernetes` is accepted but not implemented yet (deploying onto its providers is refused with 400).',
  },
  { env: 'STRATO_MB_URLS', default: '(unset)', meaning: 'Comma-separated MQTT broker URLs (`mqtt://host:port`, `mqtt://user:password@host:port`, `mqtts://…` for TLS), tried in order with failover; logs show them without the password. Unset: strato starts an embedded broker (aedes) that refuses anonymous clients.' },
  { env: 'STRATO_MB_PORT', default: '1885', meaning: 'Port of the embedded MQTT broker on STRATO_HOST (0 picks a free port).' },
  { env: 'STRATO_MB_PUBLISHER_TIMEOUT', default: '900', meaning: 'Seconds a publisher retries an event while no broker is reachable before dropping it (logged as an error).' },
  { env: 'STRATO_SPIN_AFTER_TERMINATE', default: 'false', meaning: "Stratos's spinAfterTerminate: when true, members being drained or terminated still count toward a cluster's minimum, so no replacement starts before they are gone." },
  { env: 'STRATO_MB_LIVENESS_INTERVAL', default: '5000', meaning: 'Milliseconds between two liveness pings to the broker; a ping unanswered by the next one drops the connection and fails over (Stratos 4.1.6: 5 s).' },
  { env: 'STRATO_MB_CONNECT_TIMEOUT', default: '10000', meaning: 'Milliseconds a broker connection attempt may take before the next URL of the list is tried.' },
  { env: 'STRATO_MB_RETRY_INTERVAL', default: '(unset)', meaning: "Milliseconds to wait after every broker of the list failed, before trying them again. Unset: Stratos's back-off 2, 2, 5, 5, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60 s, then 60 s." },
  { env: 'STRATO_MB_CREDENTIALS_FILE', default: '(data dir)/mb-credentials.json', meaning: "The embedded broker's secrets (mode 0600): the control plane's and the mock IaaS's user and password, and the secret member passwords are derived from. Generated at first start when missing." },
  { env: 'STRATO_MB_USERS_FILE', default: '(data dir)/mb-users.json', meaning: 'Optional accounts of your own tools on the embedded broker: a JSON file `{"users":[{"username":"…","role":"read","password":"…"}]}` (role `read` or `full`); plain passwords are replaced by scrypt hashes at start. See "Security model".' },
  { env: 'STRATO_MB_CA_FILE', default: '(unset)', meaning: 'PEM file of the CA certificates trusted for `mqtts://` brokers of STRATO_MB_URLS. Unset: Node\'s default CAs.' },
  { env: 'STRATO_SESSION_TIMEOUT', default: '1800000', meaning: 'Milliseconds a session cookie of GET /api/session lives without being used.' },
  { env: 'STRATO_CREDENTIAL_CACHE_TTL', default: '300000', meaning: 'Milliseconds verified credentials are remembered (scrypt runs once per client, not per request); a password change, a removed user or a deactivated tenant forgets them at once.' },
  { env: 'STRATO_SESSION_LIFETIME', default: '28800000', meaning: 'Milliseconds a session lives at most, however often it is used; then its user signs in again.' },
  { env: 'STRATO_SESSION_MAX_PER_USER', default: '10', meaning: "Sessions one user may hold at once; a new one ends that user's oldest." },
  { env: 'STRATO_SESSION_MAX', default: '10000', meaning: 'Sessions held at once in all; a new one ends the oldest.' },
  { env: 'STRATO_LOGIN_FAILURE_LIMIT', default: '5', meaning: 'Failed logins of one user name within STRATO_LOGIN_FAILURE_WINDOW after which that name is refused (429 with Retry-After) for STRATO_LOGIN_LOCKOUT.' },
  { env: 'STRATO_LOGIN_IP_FAILURE_LIMIT', default: '20', meaning: 'Failed logins from one client address (an IPv6 client: its /64) within STRATO_LOGIN_FAILURE_WINDOW after which that address is refused (429) for STRATO_LOGIN_LOCKOUT.' },
  { env: 'STRATO_LOGIN_FAILURE_WINDOW', default: '300000', meaning: 'Milliseconds failed logins are counted, from the first failure of a window.' },
  { env: 'STRATO_LOGIN_LOCKOUT', default: '60000', meaning: 'Milliseconds a user name or client address is refused after too many failed logins; then it counts afresh. Credentials verified before the lockout still pass.' },
  { env: 'STRATO_LOGIN_THROTTLE_ENTRIES', default: '10000', meaning: 'User names and client addresses whose failed logins are remembered at once (expired ones are dropped first, then the oldest).' },
  { env: 'STRATO_REQUEST_TIMEOUT', default: '30000', meaning: 'Milliseconds a REST operation may wait for the registry lock or for the control plane (deploy, undeploy, every write) before it answers 503; a write that did not get the lock in time changed nothing.' },
  ...MOCK_IAAS_SETTINGS,
  ...PROCESS_IAAS_SETTINGS,
  { env: 'STRATO_IAAS_RETRY_INTERVAL', default: '5000', meaning: 'Milliseconds before a cluster asks its IaaS again after a failed instance start.' },
  ...ACTIVE_TIMINGS.map((name) => TIMING_DEFAULTS[name]).map((t) => ({
    env: timingEnv(t.name),
    default: String(t.default),
    meaning: `${t.meaning} (milliseconds${'stratos' in t && t.stratos ? `; Stratos: ${t.stratos}` : ''})`,
  })),
];

/** The environment variable of a timing: clusterMonitorInterval → STRATO_CLUSTER_MONITOR_INTERVAL. */
export function timingEnv(name: string): string {
  return 'STRATO_' + name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`Setting ${name}=${JSON.stringify(raw)} is invalid: expected an integer from ${min} to ${max}`);
  }
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new Error(`Setting ${name}=${JSON.stringify(raw)} is invalid: expected true or false`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The driver names a provider may be bound to: the driver registry's (implemented or not yet). */
const DRIVERS = DRIVER_NAMES;

function providers(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, driver = name] = pair.split('=').map((s) => s.trim());
    if (!name || !DRIVERS.includes(driver)) {
      throw new Error(`Setting STRATO_IAAS_PROVIDERS has ${JSON.stringify(pair)}: expected name=driver with driver one of ${DRIVERS.join(', ')}`);
    }
    out[name] = driver;
  }
  return out;
}

/** Compiles the settings from the environment; a bad value throws an Error naming the variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Settings> = {}): Settings {
  const logLevel = env.STRATO_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`Setting STRATO_LOG_LEVEL=${JSON.stringify(logLevel)} is invalid: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const settings = {
    host: env.STRATO_HOST || '127.0.0.1',
    httpPort: int(env, 'STRATO_HTTP_PORT', 9763, 0, 65535),
    dataDir: env.STRATO_DATA_DIR || join(process.cwd(), 'data'),
    databaseUrl: env.STRATO_DATABASE_URL || undefined,
    adminPassword: env.STRATO_ADMIN_PASSWORD || 'admin',
    logLevel,
    bodyLimit: int(env, 'STRATO_BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    iaasProviders: providers(env.STRATO_IAAS_PROVIDERS || 'mock=mock,kubernetes=kubernetes'),
  };
  const timings = Object.fromEntries(
    (Object.keys(TIMING_DEFAULTS) as TimingName[]).map((name) => [
      name,
      ACTIVE_TIMINGS.includes(name) ? int(env, timingEnv(name), TIMING_DEFAULTS[name].default, 1, 2 ** 31 - 1) : TIMING_DEFAULTS[name].default,
    ]),
  ) as unknown as Timings;
  const full: Settings = {
    ...settings,
    mbUrls: (env.STRATO_MB_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean),
    mbPort: int(env, 'STRATO_MB_PORT', 1885, 0, 65535),
    mbPublisherTimeout: int(env, 'STRATO_MB_PUBLISHER_TIMEOUT', 900, 0, 86400) * 1000,
    mock: loadMockIaasSettings(env),
    process: loadProcessIaasSettings(env),
    spinAfterTerminate: bool(env, 'STRATO_SPIN_AFTER_TERMINATE', false),
    mbLivenessInterval: int(env, 'STRATO_MB_LIVENESS_INTERVAL', 5000, 10, 3600_000),
    mbConnectTimeout: int(env, 'STRATO_MB_CONNECT_TIMEOUT', 10_000, 10, 3600_000),
    mbRetryInterval: env.STRATO_MB_RETRY_INTERVAL ? int(env, 'STRATO_MB_RETRY_INTERVAL', 0, 0, 3600_000) : undefined,
    mbCredentialsFile: env.STRATO_MB_CREDENTIALS_FILE || undefined,
    mbUsersFile: env.STRATO_MB_USERS_FILE || undefined,
    mbCaFile: env.STRATO_MB_CA_FILE || undefined,
    sessionTimeout: int(env, 'STRATO_SESSION_TIMEOUT', 1_800_000, 1000, 2 ** 31 - 1),
    credentialCacheTtl: int(env, 'STRATO_CREDENTIAL_CACHE_TTL', 300_000, 0, 2 ** 31 - 1),
    sessionLifetime: int(env, 'STRATO_SESSION_LIFETIME', 28_800_000, 1000, 2 ** 31 - 1),
    sessionMaxPerUser: int(env, 'STRATO_SESSION_MAX_PER_USER', 10, 1, 1_000_000),
    sessionMax: int(env, 'STRATO_SESSION_MAX', 10_000, 1, 10_000_000),
    login: {
      userFailureLimit: int(env, 'STRATO_LOGIN_FAILURE_LIMIT', 5, 1, 1_000_000),
      ipFailureLimit: int(env, 'STRATO_LOGIN_IP_FAILURE_LIMIT', 20, 1, 1_000_000),
      windowMs: int(env, 'STRATO_LOGIN_FAILURE_WINDOW', 300_000, 1, 2 ** 31 - 1),
      lockoutMs: int(env, 'STRATO_LOGIN_LOCKOUT', 60_000, 1, 2 ** 31 - 1),
      maxEntries: int(env, 'STRATO_LOGIN_THROTTLE_ENTRIES', 10_000, 100, 10_000_000),
    },
    requestTimeout: int(env, 'STRATO_REQUEST_TIMEOUT', 30_000, 10, 2 ** 31 - 1),
    iaasRetryInterval: int(env, 'STRATO_IAAS_RETRY_INTERVAL', 5000, 0, 3600_000),
    timings,
  };
  for (const u of full.mbUrls) {
    // the message names the URL without its password
    if (!/^(mqtt|tcp|mqtts|ssl):\/\//.test(u)) {
      throw new Error(`Setting STRATO_MB_URLS has ${JSON.stringify(maskBrokerUrl(u))}: expected mqtt://host:port or mqtts://host:port`);
    }
    try {
      parseBrokerUrl(u);
    } catch (e) {
      throw new Error(`Setting STRATO_MB_URLS: ${(e as Error).message}`);
    }
  }
  return { ...full, ...overrides, timings: { ...full.timings, ...(overrides.timings ?? {}) } };
}
