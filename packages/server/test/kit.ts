import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { waitFor as waitUntil } from '@strato/testing';
import { startServer, type RunningServer, type ServerServices } from '../src/server.ts';
import { loadSettings, type Settings } from '../src/settings.ts';

/** ../shared beside the repository: Stratos's samples and the specification. */
const BESIDE = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const SHARED = existsSync(BESIDE) ? BESIDE : '/work/shared/';
export const SAMPLES = join(SHARED, 'stratos-samples');

export const ADMIN = 'Basic ' + Buffer.from('admin:admin').toString('base64');
export const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

export interface TestServer extends RunningServer {
  dataDir: string;
  settings: Settings;
  /** Sends a request as admin (or with the given Authorization); parses the JSON answer. */
  call(method: string, path: string, body?: unknown, auth?: string | null, headers?: Record<string, string>): Promise<Reply>;
  /** Stops the server and removes its data dir (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** Starts a real strato server on a free port with a fresh data dir and a silent logger. */
export async function startTestServer(overrides: Partial<Settings> = {}, env: NodeJS.ProcessEnv = {}, services: ServerServices = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'strato-test-'));
  const settings = loadSettings({ STRATO_IAAS_PROVIDERS: 'mock=mock,kubernetes=kubernetes', STRATO_MB_PORT: '0', ...env }, {
    httpPort: 0,
    dataDir,
    logLevel: 'silent',
    ...overrides,
  });
  const server = await startServer(settings, pino({ level: 'silent' }), services);
  return {
    ...server,
    dataDir,
    settings,
    call: (method, path, body, auth = ADMIN, headers = {}) => request(server.url, method, path, body, auth, headers),
    async stop(opts = {}) {
      await server.close();
      if (!opts.keepData && !overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = ADMIN,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (auth) h.authorization = auth;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: left as text so that the test can say so */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export { POSTGRES_URL, pgSchema } from '@strato/testing';

/** Timings for orchestration tests: seconds become tens of milliseconds. */
export const FAST_ENV: NodeJS.ProcessEnv = {
  STRATO_MOCK_BOOT_DELAY: '5',
  STRATO_MOCK_HEALTH_INTERVAL: '100',
  STRATO_CLUSTER_MONITOR_INTERVAL: '200',
  STRATO_MEMBER_LIST_WATCHER_INTERVAL: '200',
  STRATO_MEMBER_FAULT_TIMEOUT: '3000',
  STRATO_MEMBER_FAULT_CHECK_INTERVAL: '250',
  STRATO_PENDING_TERMINATION_MEMBER_EXPIRY_TIMEOUT: '5000',
  STRATO_COMPLETE_TOPOLOGY_INTERVAL: '1000',
  STRATO_IAAS_RETRY_INTERVAL: '200',
  STRATO_MB_PORT: '0',
};

/** Polls check() until it returns a truthy value or the deadline passes (then throws with the last value). */
export function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  return waitUntil(what, check, { timeoutMs, everyMs });
}
