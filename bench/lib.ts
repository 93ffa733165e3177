/**
 * Shared helpers of `npm run bench`: JSON output, free ports, spawning the real server as a child
 * process on a fresh data dir, HTTP calls as admin, and clean-up of every child and temp dir even
 * when a figure fails or the bench is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/ is directly under it). */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Stratos's samples, in ../shared beside the repository (STRATO_SAMPLES_DIR overrides). */
export const SAMPLES = process.env.STRATO_SAMPLES_DIR || join(ROOT, '..', 'shared', 'stratos-samples');
export const ADMIN = 'Basic ' + Buffer.from('admin:admin').toString('base64');

/** Prints one figure on stdout. Call it only once the run that measured it is known to be clean. */
export function emit(name: string, value: number, unit: string): void {
  const v = Number.isFinite(value) ? Math.round(value * 100) / 100 : value;
  process.stdout.write(JSON.stringify({ name, value: v, unit }) + '\n');
}

/** Prints the error line of a bench that failed, in place of its figures (stdout, JSON). */
export function emitError(bench: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(JSON.stringify({ name: bench, error: message.slice(0, 2000) }) + '\n');
}

/**
 * The figures of one bench, held back until its run has been checked: `print()` writes them all,
 * and is called last, after every check passed; a failed check throws before it, so nothing of a
 * bad run is printed.
 */
export class Figures {
  private readonly held: { name: string; value: number; unit: string }[] = [];

  add(name: string, value: number, unit: string): void {
    if (!Number.isFinite(value)) throw new Error(`figure ${name} is not a number: ${value}`);
    this.held.push({ name, value, unit });
  }

  print(): void {
    for (const f of this.held) emit(f.name, f.value, f.unit);
  }
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

/** One GET; resolves to the status code, or 0 when the connection fails. */
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
// HTTP as admin.

export interface Reply {
  status: number;
  body: any;
}

/**
 * How long one request may go unanswered before it counts as an error (STRATO_BENCH_REQUEST_TIMEOUT,
 * ms): a hung server makes the bench fail with an error line instead of waiting forever.
 */
export const REQUEST_TIMEOUT_MS = Number(process.env.STRATO_BENCH_REQUEST_TIMEOUT || 30_000);

/**
 * One request as admin (the mock IaaS API under /mock-iaas/api too); throws when no complete
 * answer arrived within `timeoutMs`.
 */
export async function call(base: string, method: string, path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply> {
  const headers: Record<string, string> = { authorization: ADMIN };
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let text: string;
  let status: number;
  try {
    const res = await fetch(base + path, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    text = await res.text();
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new Error(`${method} ${path}: no answer within ${timeoutMs} ms`);
    throw new Error(`${method} ${path}: ${(e as Error).message}${(e as Error).cause ? ` (${String((e as Error).cause)})` : ''}`);
  }
  return { status, body: parsed(text) };
}

/** An answer's body: its JSON, or the text itself when it is not JSON. */
function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/**
 * One request as admin through a node:http Agent (a bounded pool of keep-alive connections: many
 * requests sent at once queue in the client instead of opening a connection each); throws when no
 * complete answer arrived within `timeoutMs` of sending.
 */
export function callVia(agent: Agent, base: string, method: string, path: string, body: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string | number> = { authorization: ADMIN };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const req = httpRequest(base + path, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${method} ${path}: ${e.message}`));
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: parsed(text) });
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${method} ${path}: ${e.message}`));
    });
    req.end(payload);
  });
}

/** Like call, but throws unless the status is one of `ok`. */
export async function must(base: string, method: string, path: string, body: unknown, ok: number[], timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply> {
  const r = await call(base, method, path, body, timeoutMs);
  if (!ok.includes(r.status)) {
    throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  }
  return r;
}

/** A sample file, parsed. */
export function sample(path: string): any {
  return JSON.parse(readFileSync(join(SAMPLES, path), 'utf8'));
}

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
