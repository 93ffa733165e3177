import { join } from 'node:path';
import { maskBrokerUrl, parseBrokerUrl } from '@strato/messaging';
import { DRIVER_NAMES } from './cloud/driver-names.ts';
import { loadMockIaasSettings, MOCK_IAAS_SETTINGS, type MockIaasSettings } from './cloud/drivers/mock/mock-iaas-settings.ts';
import { loadProcessIaasSettings, PROCESS_IAAS_SETTINGS, type ProcessIaasSettings } from './cloud/drivers/process/process-iaas-settings.ts';
import { TIMING_DEFAULTS, type TimingName, type Timings } from '@strato/model';
import { choice, custom, flag, infoOf, integer, optionalInteger, optionalText, text, type SettingInfo } from './settings/define.ts';

/**
 * Every setting of strato: one typed object compiled once from environment variables.
 * Each setting is declared once (variable, default, meaning, reader: `settings/define.ts`); the
 * README's table is checked against the declarations and the values are read through them.
 * Durations are in milliseconds.
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
  /** IaaS provider names bound to a driver, `name=driver` pairs. @default 'mock=mock,process=process,kubernetes=kubernetes' */
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
  /**
   * The databridge receiver (Thrift over TLS) that takes the health statistics of Stratos's own
   * cartridge agent (STRATO_DATABRIDGE_*): on or off, port (Stratos's 7711), TLS key and
   * certificate files (unset: a self-signed pair generated in the data dir), account (password
   * unset: generated in the data dir).
   */
  databridge: {
    enabled: boolean;
    port: number;
    certFile: string | undefined;
    keyFile: string | undefined;
    username: string;
    password: string | undefined;
  };
}

export type { SettingInfo } from './settings/define.ts';

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

/** The environment variable of a timing: clusterMonitorInterval → STRATO_CLUSTER_MONITOR_INTERVAL. */
export function timingEnv(name: string): string {
  return 'STRATO_' + name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

const MAX_MS = 2 ** 31 - 1;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function providers(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, driver = name] = pair.split('=').map((s) => s.trim());
    if (!name || !DRIVER_NAMES.includes(driver)) {
      throw new Error(`Setting STRATO_IAAS_PROVIDERS has ${JSON.stringify(pair)}: expected name=driver with driver one of ${DRIVER_NAMES.join(', ')}`);
    }
    out[name] = driver;
  }
  return out;
}

function brokerUrls(value: string | undefined): string[] {
  const urls = (value ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of urls) {
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
  return urls;
}

/** Every setting but the mock IaaS's and the timings, declared once, in README order. */
const DECLARED = {
  host: text('STRATO_HOST', '127.0.0.1', 'Interface the HTTP server binds to.'),
  httpPort: integer('STRATO_HTTP_PORT', 9763, 'HTTP port of the REST API (0 picks a free port).', { min: 0, max: 65535 }),
  dataDir: custom('STRATO_DATA_DIR', './data', 'Folder for the SQLite database and local state.', (v) => v ?? join(process.cwd(), 'data')),
  databaseUrl: optionalText(
    'STRATO_DATABASE_URL',
    'Unset: SQLite file `strato.db` in the data dir. `postgres://user@host:port/db`: PostgreSQL. `sqlite:/path/file.db`: SQLite at that path.',
  ),
  adminPassword: text('STRATO_ADMIN_PASSWORD', 'admin', 'Password of the super-tenant user `admin`.'),
  logLevel: choice('STRATO_LOG_LEVEL', 'info', LOG_LEVELS, 'Log level (fatal, error, warn, info, debug, trace, silent).'),
  bodyLimit: integer('STRATO_BODY_LIMIT', 1024 * 1024, 'Largest request body accepted, in bytes (larger: 413).', { min: 1024, max: 1024 * 1024 * 1024 }),
  iaasProviders: custom(
    'STRATO_IAAS_PROVIDERS',
    'mock=mock,process=process,kubernetes=kubernetes',
    'IaaS provider names and the driver each is bound to, as `name=driver` pairs; e.g. `mock=mock,ec2-sydney=mock`. Drivers: `mock` (simulated members), `process` (each member a real process on this host running a cartridge agent, see STRATO_PROCESS_*); `kubernetes` is accepted but not implemented yet (deploying onto its providers is refused with 400).',
    (v) => providers(v ?? 'mock=mock,process=process,kubernetes=kubernetes'),
  ),
  mbUrls: custom(
    'STRATO_MB_URLS',
    '(unset)',
    'Comma-separated MQTT broker URLs (`mqtt://host:port`, `mqtt://user:password@host:port`, `mqtts://…` for TLS), tried in order with failover; logs show them without the password. Unset: strato starts an embedded broker (aedes) that refuses anonymous clients.',
    brokerUrls,
  ),
  mbPort: integer('STRATO_MB_PORT', 1885, 'Port of the embedded MQTT broker on STRATO_HOST (0 picks a free port).', { min: 0, max: 65535 }),
  mbPublisherTimeout: integer(
    'STRATO_MB_PUBLISHER_TIMEOUT',
    900,
    'Seconds a publisher retries an event while no broker is reachable before dropping it (logged as an error).',
    { min: 0, max: 86400, scale: 1000 },
  ),
  spinAfterTerminate: flag(
    'STRATO_SPIN_AFTER_TERMINATE',
    false,
    "Stratos's spinAfterTerminate: when true, members being drained or terminated still count toward a cluster's minimum, so no replacement starts before they are gone.",
  ),
  mbLivenessInterval: integer(
    'STRATO_MB_LIVENESS_INTERVAL',
    5000,
    'Milliseconds between two liveness pings to the broker; a ping unanswered by the next one drops the connection and fails over (Stratos 4.1.6: 5 s).',
    { min: 10, max: 3600_000 },
  ),
  mbConnectTimeout: integer(
    'STRATO_MB_CONNECT_TIMEOUT',
    10_000,
    'Milliseconds a broker connection attempt may take before the next URL of the list is tried.',
    { min: 10, max: 3600_000 },
  ),
  mbRetryInterval: optionalInteger(
    'STRATO_MB_RETRY_INTERVAL',
    "Milliseconds to wait after every broker of the list failed, before trying them again. Unset: Stratos's back-off 2, 2, 5, 5, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60 s, then 60 s.",
    { min: 0, max: 3600_000 },
  ),
  mbCredentialsFile: optionalText(
    'STRATO_MB_CREDENTIALS_FILE',
    "The embedded broker's secrets (mode 0600): the control plane's and the mock IaaS's user and password, and the secret member passwords are derived from. Generated at first start when missing.",
    '(data dir)/mb-credentials.json',
  ),
  mbUsersFile: optionalText(
    'STRATO_MB_USERS_FILE',
    'Optional accounts of your own tools on the embedded broker: a JSON file `{"users":[{"username":"…","role":"read","password":"…"}]}` (role `read` or `full`); plain passwords are replaced by scrypt hashes at start. See "Security model".',
    '(data dir)/mb-users.json',
  ),
  mbCaFile: optionalText('STRATO_MB_CA_FILE', "PEM file of the CA certificates trusted for `mqtts://` brokers of STRATO_MB_URLS. Unset: Node's default CAs."),
  sessionTimeout: integer('STRATO_SESSION_TIMEOUT', 1_800_000, 'Milliseconds a session cookie of GET /api/session lives without being used.', {
    min: 1000,
    max: MAX_MS,
  }),
  credentialCacheTtl: integer(
    'STRATO_CREDENTIAL_CACHE_TTL',
    300_000,
    'Milliseconds verified credentials are remembered (scrypt runs once per client, not per request); a password change, a removed user or a deactivated tenant forgets them at once.',
    { min: 0, max: MAX_MS },
  ),
  sessionLifetime: integer(
    'STRATO_SESSION_LIFETIME',
    28_800_000,
    'Milliseconds a session lives at most, however often it is used; then its user signs in again.',
    { min: 1000, max: MAX_MS },
  ),
  sessionMaxPerUser: integer('STRATO_SESSION_MAX_PER_USER', 10, "Sessions one user may hold at once; a new one ends that user's oldest.", {
    min: 1,
    max: 1_000_000,
  }),
  sessionMax: integer('STRATO_SESSION_MAX', 10_000, 'Sessions held at once in all; a new one ends the oldest.', { min: 1, max: 10_000_000 }),
  userFailureLimit: integer(
    'STRATO_LOGIN_FAILURE_LIMIT',
    5,
    'Failed logins of one user name within STRATO_LOGIN_FAILURE_WINDOW after which that name is refused (429 with Retry-After) for STRATO_LOGIN_LOCKOUT.',
    { min: 1, max: 1_000_000 },
  ),
  ipFailureLimit: integer(
    'STRATO_LOGIN_IP_FAILURE_LIMIT',
    20,
    'Failed logins from one client address (an IPv6 client: its /64) within STRATO_LOGIN_FAILURE_WINDOW after which that address is refused (429) for STRATO_LOGIN_LOCKOUT.',
    { min: 1, max: 1_000_000 },
  ),
  windowMs: integer('STRATO_LOGIN_FAILURE_WINDOW', 300_000, 'Milliseconds failed logins are counted, from the first failure of a window.', {
    min: 1,
    max: MAX_MS,
  }),
  lockoutMs: integer(
    'STRATO_LOGIN_LOCKOUT',
    60_000,
    'Milliseconds a user name or client address is refused after too many failed logins; then it counts afresh. Credentials verified before the lockout still pass.',
    { min: 1, max: MAX_MS },
  ),
  maxEntries: integer(
    'STRATO_LOGIN_THROTTLE_ENTRIES',
    10_000,
    'User names and client addresses whose failed logins are remembered at once (expired ones are dropped first, then the oldest).',
    { min: 100, max: 10_000_000 },
  ),
  requestTimeout: integer(
    'STRATO_REQUEST_TIMEOUT',
    30_000,
    'Milliseconds a REST operation may wait for the registry lock or for the control plane (deploy, undeploy, every write) before it answers 503; a write that did not get the lock in time changed nothing.',
    { min: 10, max: MAX_MS },
  ),
  iaasRetryInterval: integer('STRATO_IAAS_RETRY_INTERVAL', 5000, 'Milliseconds before a cluster asks its IaaS again after a failed instance start.', {
    min: 0,
    max: 3600_000,
  }),
};

/** The databridge receiver of Stratos's agent's health statistics (health/databridge/). */
const DATABRIDGE = {
  enabled: flag(
    'STRATO_DATABRIDGE_ENABLED',
    true,
    "Runs the databridge receiver: WSO2 databridge's secure Thrift endpoint (TLS, binary protocol), where Stratos's own Python cartridge agent sends its health statistics (`thrift.receiver.urls`); each statistic becomes a `MemberHealthStatEvent`, as from the mock IaaS. Cheap when unused (one listening socket).",
  ),
  port: integer('STRATO_DATABRIDGE_PORT', 7711, "Port of the databridge receiver on STRATO_HOST (Stratos's CEP secure port; 0 picks a free port).", {
    min: 0,
    max: 65535,
  }),
  certFile: optionalText(
    'STRATO_DATABRIDGE_CERT_FILE',
    'PEM certificate of the databridge receiver (with STRATO_DATABRIDGE_KEY_FILE). Unset: a self-signed RSA certificate generated at first start into the data dir (the agent verifies none).',
    '(data dir)/databridge-cert.pem',
  ),
  keyFile: optionalText(
    'STRATO_DATABRIDGE_KEY_FILE',
    'PEM private key of the databridge receiver (with STRATO_DATABRIDGE_CERT_FILE). Unset: generated with the certificate (mode 0600).',
    '(data dir)/databridge-key.pem',
  ),
  username: text(
    'STRATO_DATABRIDGE_USERNAME',
    'strato-databridge',
    "User name of the databridge account (an agent's `thrift.server.admin.username`); it may report on any member. A member's own broker credentials (user = member id) are accepted too, for its own statistics only.",
  ),
  password: optionalText(
    'STRATO_DATABRIDGE_PASSWORD',
    "Password of the databridge account (an agent's `thrift.server.admin.password`), at least 8 characters. Unset: generated at first start into `databridge-credentials.json` in the data dir (mode 0600).",
    '(data dir)/databridge-credentials.json',
  ),
};

/** Every lifecycle timing of ACTIVE_TIMINGS, declared with its default from @strato/model. */
const TIMINGS = ACTIVE_TIMINGS.map((name) => {
  const t = TIMING_DEFAULTS[name];
  return {
    name,
    setting: integer(timingEnv(name), t.default, `${t.meaning} (milliseconds${'stratos' in t && t.stratos ? `; Stratos: ${t.stratos}` : ''})`, {
      min: 1,
      max: MAX_MS,
    }),
  };
});

/** The documented settings, in README order. */
export const SETTINGS: SettingInfo[] = [
  ...infoOf(Object.values(DECLARED).filter((d) => d !== DECLARED.iaasRetryInterval)),
  ...MOCK_IAAS_SETTINGS,
  ...PROCESS_IAAS_SETTINGS,
  ...infoOf([DECLARED.iaasRetryInterval]),
  ...infoOf(Object.values(DATABRIDGE)),
  ...infoOf(TIMINGS.map((t) => t.setting)),
];

/** Compiles the settings from the environment; a bad value throws an Error naming the variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Settings> = {}): Settings {
  const d = DECLARED;
  const read = <T>(setting: { read(env: NodeJS.ProcessEnv): T }) => setting.read(env);
  const timings = { ...Object.fromEntries(Object.entries(TIMING_DEFAULTS).map(([name, t]) => [name, t.default])) } as unknown as Timings;
  for (const t of TIMINGS) (timings as unknown as Record<string, number>)[t.name] = read(t.setting);
  const full: Settings = {
    host: read(d.host),
    httpPort: read(d.httpPort),
    dataDir: read(d.dataDir),
    databaseUrl: read(d.databaseUrl),
    adminPassword: read(d.adminPassword),
    logLevel: read(d.logLevel),
    bodyLimit: read(d.bodyLimit),
    iaasProviders: read(d.iaasProviders),
    mbUrls: read(d.mbUrls),
    mbPort: read(d.mbPort),
    mbPublisherTimeout: read(d.mbPublisherTimeout),
    mock: loadMockIaasSettings(env),
    process: loadProcessIaasSettings(env),
    spinAfterTerminate: read(d.spinAfterTerminate),
    mbLivenessInterval: read(d.mbLivenessInterval),
    mbConnectTimeout: read(d.mbConnectTimeout),
    mbRetryInterval: read(d.mbRetryInterval),
    mbCredentialsFile: read(d.mbCredentialsFile),
    mbUsersFile: read(d.mbUsersFile),
    mbCaFile: read(d.mbCaFile),
    sessionTimeout: read(d.sessionTimeout),
    credentialCacheTtl: read(d.credentialCacheTtl),
    sessionLifetime: read(d.sessionLifetime),
    sessionMaxPerUser: read(d.sessionMaxPerUser),
    sessionMax: read(d.sessionMax),
    login: {
      userFailureLimit: read(d.userFailureLimit),
      ipFailureLimit: read(d.ipFailureLimit),
      windowMs: read(d.windowMs),
      lockoutMs: read(d.lockoutMs),
      maxEntries: read(d.maxEntries),
    },
    requestTimeout: read(d.requestTimeout),
    iaasRetryInterval: read(d.iaasRetryInterval),
    timings,
    databridge: {
      enabled: read(DATABRIDGE.enabled),
      port: read(DATABRIDGE.port),
      certFile: read(DATABRIDGE.certFile),
      keyFile: read(DATABRIDGE.keyFile),
      username: read(DATABRIDGE.username),
      password: read(DATABRIDGE.password),
    },
  };
  if (full.databridge.password !== undefined && full.databridge.password.length < 8) {
    throw new Error('Setting STRATO_DATABRIDGE_PASSWORD is invalid: expected at least 8 characters');
  }
  return { ...full, ...overrides, timings: { ...full.timings, ...(overrides.timings ?? {}) } };
}
