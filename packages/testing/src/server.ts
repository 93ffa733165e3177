/**
 * @strato/testing/server — strato servers for tests, each on free ports with a fresh data dir and a
 * silent logger:
 * - {@link startTestServer}: the real thing (embedded MQTT broker, system clock unless services
 *   say otherwise), for end-to-end tests;
 * - {@link startInProcessServer}: the same server on an in-memory broker and a fake clock, whose
 *   time moves while the test waits ({@link InProcessServer.waitFor}): orchestration scenarios of
 *   minutes of Stratos time take a fraction of a second.
 * Both answer REST calls through {@link TestServer.client} (StratoClient, as admin) and
 * {@link TestServer.call} (raw HTTP, parsed JSON: for tests of statuses and spellings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StratoClient } from '@strato/client';
import { InMemoryBroker } from '@strato/messaging';
import { loadSettings, startServer, type RunningServer, type ServerServices, type Settings } from '@strato/server';
import pino from 'pino';
import { EventRecorder } from './event-recorder.ts';
import { FakeClock } from './fake-clock.ts';

export const ADMIN = 'Basic ' + Buffer.from('admin:admin').toString('base64');
export const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

export interface TestServer extends RunningServer {
  dataDir: string;
  settings: Settings;
  /** The typed REST client, signed in as admin: for tests that use the API rather than check its HTTP. */
  client: StratoClient;
  /** Sends a request as admin (or with the given Authorization); parses the JSON answer (raw HTTP). */
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
  const settings = loadSettings(
    { STRATO_IAAS_PROVIDERS: 'mock=mock,kubernetes=kubernetes', STRATO_MB_PORT: '0', STRATO_DATABRIDGE_PORT: '0', ...env },
    {
      httpPort: 0,
      dataDir,
      logLevel: 'silent',
      ...overrides,
    },
  );
  let server: RunningServer;
  try {
    server = await startServer(settings, pino({ level: 'silent' }), services);
  } catch (e) {
    if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    ...server,
    dataDir,
    settings,
    client: new StratoClient({ baseUrl: server.url, username: 'admin', password: 'admin' }),
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
  STRATO_DATABRIDGE_PORT: '0',
};

/**
 * A server on an in-memory broker and a fake clock ({@link startInProcessServer}). Its time moves
 * only in {@link InProcessServer.waitFor} and {@link InProcessServer.advance}: from one due task of
 * the clock to the next, letting the event deliveries and the control loop settle after each, so
 * every timeout and interval passes in order and at once.
 */
export interface InProcessServer extends TestServer {
  clock: FakeClock;
  /** the broker of the server's buses; `broker.bus()` gives a test its own bus */
  broker: InMemoryBroker;
  /** every event on the broker since start, stamped with the fake clock's time */
  recorder: EventRecorder;
  /**
   * Checks until `check()` returns a truthy value, and resolves with it. Between two checks the
   * clock moves from one due task to the next, settling after each, for at least `everyMs` of fake
   * time (default 25; more when the next task is further away: nothing changes before it runs).
   * Rejects naming `what` once `timeoutMs` of fake time have passed (default 20 s), or, as a guard
   * against a scenario that never settles, after a minute of real time.
   */
  waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs?: number, everyMs?: number): Promise<NonNullable<T>>;
  /** Moves the clock on by `ms`, task by task, settling after each. */
  advance(ms: number): Promise<void>;
  /** Lets queued deliveries and the work they cause run, time standing still. */
  settle(): Promise<void>;
}

/** How long {@link InProcessServer.waitFor} may take in real time before it gives up. */
const REAL_TIME_GUARD_MS = 60_000;

/**
 * Starts a strato server like {@link startTestServer}, but on an in-memory broker (no MQTT) and a
 * fake clock starting now: the control plane, the broadcaster and the mock IaaS's simulated
 * members talk over buses of one InMemoryBroker, and every timer of theirs runs on the clock. The
 * REST API, the store and the orchestration are the real ones.
 */
export async function startInProcessServer(overrides: Partial<Settings> = {}, env: NodeJS.ProcessEnv = {}): Promise<InProcessServer> {
  const clock = new FakeClock(Date.now());
  const broker = new InMemoryBroker();
  const recorder = await EventRecorder.attach(broker.bus(), () => clock.now());
  let server: TestServer;
  try {
    server = await startTestServer(overrides, env, { clock, scheduler: clock, eventBroker: broker });
  } catch (e) {
    await recorder.close();
    throw e;
  }

  const settle = async () => {
    // an event delivery, a commit of the control loop, a reaction: each one turn of the event loop
    for (let idle = 0; idle < 3; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      idle = broker.pendingCount === 0 ? idle + 1 : 0;
    }
  };
  /** Runs what falls due next, at most `limit` ms ahead (moving there if nothing does). */
  const step = (limit: number) => {
    const next = clock.nextDueIn();
    clock.advance(next === undefined ? limit : Math.min(next, limit));
  };
  return {
    ...server,
    clock,
    broker,
    recorder,
    settle,
    async advance(ms) {
      const until = clock.now() + ms;
      await settle();
      while (clock.now() < until) {
        step(until - clock.now());
        await settle();
      }
    },
    async waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
      const deadline = clock.now() + timeoutMs;
      const realDeadline = Date.now() + REAL_TIME_GUARD_MS;
      await settle();
      for (;;) {
        const last = await check();
        if (last) return last as NonNullable<T>;
        if (clock.now() >= deadline || Date.now() > realDeadline) {
          const waited = clock.now() >= deadline ? `${timeoutMs} ms of fake time` : `${REAL_TIME_GUARD_MS} ms of real time`;
          throw new Error(`timed out after ${waited} waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`);
        }
        // settled, nothing changes until a task runs: on from task to task to the next check
        const nextCheck = Math.min(clock.now() + everyMs, deadline);
        do {
          step(deadline - clock.now());
          await settle();
        } while (clock.now() < nextCheck);
      }
    },
    async stop(opts) {
      await server.stop(opts);
      await recorder.close();
    },
  };
}
