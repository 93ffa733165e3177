/**
 * Shared helpers of `npm run bench`: JSON output, free ports, spawning the real server as a child
 * process on a fresh data dir, the typed REST client (`@strato/client`) as admin, the project's
 * own artifacts (examples/), and clean-up of every child and temp dir even when a figure fails or
 * the bench is interrupted. The bench needs nothing outside the repository: Stratos's samples
 * (../shared/stratos-samples) only add the optional `*-sample` figures when they are present.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Envelope, StratoApiError, StratoClient, StratoUnreachableError } from '@strato/client';

/** The repository root (bench/ is directly under it). */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The project's own artifacts (examples/README.md), the bench's only inputs. */
export const EXAMPLES = join(ROOT, 'examples');
export const ADMIN = 'Basic ' + Buffer.from('admin:admin').toString('base64');

/** An example artifact (a path under examples/), parsed: a fresh copy on every call. */
export function example(path: string): any {
  return JSON.parse(readFileSync(join(EXAMPLES, path), 'utf8'));
}

/**
 * Stratos's samples, when they are beside the repository (../shared/stratos-samples, or
 * STRATO_SAMPLES_DIR): only the optional comparison figures use them. undefined when absent.
 */
export function samplesDir(): string | undefined {
  const dir = process.env.STRATO_SAMPLES_DIR || join(ROOT, '..', 'shared', 'stratos-samples');
  return existsSync(join(dir, 'manifest.json')) ? dir : undefined;
}

/** Thrown by a bench that cannot run here (e.g. no samples): run.ts notes it on stderr, not a failure. */
export class Skip extends Error {
  override readonly name = 'Skip';
}

/** Prints one figure on stdout. Call it only once the run that measured it is known to be clean. */
export function emit(name: string, value: number, unit: string, what?: string): void {
  const v = Number.isFinite(value) ? Math.round(value * 100) / 100 : value;
  process.stdout.write(JSON.stringify(what === undefined ? { name, value: v, unit } : { name, value: v, unit, what }) + '\n');
}

/** Prints the error line of a bench that failed, in place of its figures (stdout, JSON). */
export function emitError(bench: string, error: unknown): void {
  const message = describe(error);
  process.stdout.write(JSON.stringify({ name: bench, error: message.slice(0, 2000) }) + '\n');
}

/**
 * The figures of one bench, held back until its run has been checked: `print()` writes them all,
 * and is called last, after every check passed; a failed check throws before it, so nothing of a
 * bad run is printed.
 */
export class Figures {
  private readonly held: { name: string; value: number; unit: string; what?: string }[] = [];

  /** `what` (optional) says what was measured, e.g. which application with how many members. */
  add(name: string, value: number, unit: string, what?: string): void {
    if (!Number.isFinite(value)) throw new Error(`figure ${name} is not a number: ${value}`);
    this.held.push({ name, value, unit, what });
  }

  print(): void {
    for (const f of this.held) emit(f.name, f.value, f.unit, f.what);
  }
}

/** An error as one line: a StratoApiError with its request, status and code. */
export function describe(error: unknown): string {
  if (error instanceof StratoApiError) return `${error.request}: ${error.status}${error.code ? ` ${error.code}` : ''} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Progress, on stderr. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank) of xs, p in (0, 100]. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of no values');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A port that was free a moment ago (listen(0) on 127.0.0.1, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Clean-up of children and temp dirs, also on exit, SIGINT and SIGTERM.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function tempDir(prefix = 'strato-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function cleanupNow(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', cleanupNow);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanupNow();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// The server as a child process.

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  httpPort: number;
  mbPort: number;
  dataDir: string;
  /** Milliseconds from spawn to the first 200 of GET /api/health. */
  startMs: number;
  /** The last few KB of the child's stderr (and stdout), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; removes the data dir. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x']. */
  nodeFlags?: string[];
  /** How long to wait for health, ms. @default 60000 */
  timeoutMs?: number;
  /** Health poll period, ms. @default 5 */
  pollMs?: number;
}

/**
 * One GET; resolves to the status code, or 0 when the connection fails. The health probe of
 * spawnServer (and so the cold-start figure) stays raw node:http on purpose, not StratoClient: the
 * first fetch of a process loads undici (tens of ms, which would land in the first cold-start run),
 * and every refused probe of the client builds and throws a StratoUnreachableError, in a loop that
 * polls every 5 ms. Each probe still has its timeout.
 */
export function getStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.end();
  });
}

/**
 * Spawns the server as `npm start` runs it (`node dist/strato.mjs`, built by scripts/build.mjs
 * before the first figure) with a fresh STRATO_DATA_DIR and free HTTP and MQTT ports, silent logs,
 * and waits for the first 200 of GET /api/health.
 */
export async function spawnServer(opts: SpawnOptions = {}): Promise<ServerProcess> {
  const httpPort = await freePort();
  let mbPort = await freePort();
  while (mbPort === httpPort) mbPort = await freePort();
  const dataDir = tempDir();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STRATO_HOST: '127.0.0.1',
    STRATO_DATA_DIR: dataDir,
    STRATO_HTTP_PORT: String(httpPort),
    STRATO_MB_PORT: String(mbPort),
    STRATO_DATABRIDGE_PORT: '0',
    STRATO_LOG_LEVEL: 'silent',
    STRATO_ADMIN_PASSWORD: 'admin',
    ...opts.env,
  };
  delete env.STRATO_DATABASE_URL;
  delete env.STRATO_MB_URLS;
  if (opts.env?.STRATO_DATABASE_URL) env.STRATO_DATABASE_URL = opts.env.STRATO_DATABASE_URL;
  const url = `http://127.0.0.1:${httpPort}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--enable-source-maps', 'dist/strato.mjs'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8192);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', () => children.delete(child));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    removeTempDir(dataDir);
  };

  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pollMs = opts.pollMs ?? 5;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before health: ${out.trim().slice(-1000)}`);
    }
    if ((await getStatus(url + '/api/health', 500)) === 200) break;
    if (performance.now() - t0 > timeoutMs) {
      await stop();
      throw new Error(`server not healthy after ${timeoutMs} ms: ${out.trim().slice(-1000)}`);
    }
    await sleep(pollMs);
  }
  const startMs = performance.now() - t0;
  return { child, pid: child.pid!, url, httpPort, mbPort, dataDir, startMs, output: () => out, stop };
}

/** Peak and current resident set of a process, in MB, from /proc/<pid>/status (0 where unknown). */
export function memoryOf(pid: number): { hwmMb: number; rssMb: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(s)?.[1] ?? 0);
    return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return { hwmMb: 0, rssMb: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// The REST API as admin, through @strato/client.

/**
 * How long one request may go unanswered before it counts as an error (STRATO_BENCH_REQUEST_TIMEOUT,
 * ms): a hung server makes the bench fail with an error line instead of waiting forever.
 */
export const REQUEST_TIMEOUT_MS = Number(process.env.STRATO_BENCH_REQUEST_TIMEOUT || 30_000);

export interface ClientOptions {
  /** per-request timeout, ms (the client's timeoutMs). @default REQUEST_TIMEOUT_MS */
  timeoutMs?: number;
  /** at most this many requests in flight; the others wait in the client (their timeout runs meanwhile) */
  maxInFlight?: number;
  /** called with every answer's method, URL and HTTP status (the client returns only the body) */
  onAnswer?: (method: string, url: string, status: number) => void;
}

/**
 * A StratoClient as admin on `url`; every request has a timeout. A 4xx/5xx answer throws
 * StratoApiError, no answer in time StratoUnreachableError (`describe` turns either into one line).
 */
export function adminClient(url: string, options: ClientOptions = {}): StratoClient {
  return new StratoClient({
    baseUrl: url,
    username: 'admin',
    password: 'admin',
    timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
    fetch: wrappedFetch(options),
  });
}

/** globalThis.fetch, with an optional bound on the requests in flight and an optional observer. */
function wrappedFetch({ maxInFlight, onAnswer }: ClientOptions): typeof fetch | undefined {
  if (maxInFlight === undefined && onAnswer === undefined) return undefined;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  return async (input, init) => {
    if (maxInFlight !== undefined) {
      while (inFlight >= maxInFlight) await new Promise<void>((r) => waiting.push(r));
      inFlight++;
    }
    try {
      // the body is read here, inside the slot, so that a connection is free again when the slot is
      const res = await fetch(input, init);
      const body = await res.arrayBuffer();
      onAnswer?.(init?.method ?? 'GET', String(input), res.status);
      const nullBody = [101, 204, 205, 304].includes(res.status);
      return new Response(nullBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } finally {
      if (maxInFlight !== undefined) {
        inFlight--;
        waiting.shift()?.();
      }
    }
  };
}

/**
 * Throws unless a write was answered with Stratos's success envelope (the client already threw
 * for a 4xx/5xx).
 */
export async function must(what: string, answer: Promise<Envelope>): Promise<Envelope> {
  const envelope = await answer;
  if (envelope?.status !== 'success') throw new Error(`${what}: answered ${JSON.stringify(envelope).slice(0, 300)}`);
  return envelope;
}

/**
 * The member ids of the mock IaaS's instances (GET /mock-iaas/api/instances, super-tenant admin).
 * StratoClient sends every request to `{baseUrl}/api{path}`, so a client whose base URL is
 * `{url}/mock-iaas` reaches the mock IaaS API with the same credentials, timeout and errors.
 */
export async function mockInstances(url: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<string[]> {
  const mock = adminClient(`${url}/mock-iaas`, { timeoutMs });
  const instances = await mock.request<{ memberId: string }[]>('GET', '/instances');
  if (!Array.isArray(instances)) throw new Error(`GET /mock-iaas/api/instances: not a list: ${JSON.stringify(instances).slice(0, 300)}`);
  return instances.map((i) => i.memberId);
}

export { StratoApiError, StratoUnreachableError };

/** Polls fn every `everyMs` until it returns a value other than undefined or the deadline passes. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
