/**
 * Login throughput: GET /api/init (the credential check of Stratos's CLI and console) with HTTP
 * Basic admin:admin on every request, measured with autocannon against a server started with
 * STRATO_CREDENTIAL_CACHE_TTL=0, so that every request runs a real scrypt check (N=2^14, r=8).
 *
 * That each request really paid for its own scrypt is checked, not assumed: the server process's
 * CPU time over the run (from /proc) divided by the requests answered must be at least half the CPU
 * time of one scrypt with the same parameters measured here (a cache, or one check shared by
 * identical requests in flight, costs a fraction of it). For comparison the same load runs against
 * a server with the default credential cache.
 *
 * Figures, printed only when every request of both runs was answered 200 (no error, no timeout)
 * and the CPU check passed: logins per second and p99 latency with scrypt per request, CPU ms per
 * login, and requests per second with the cache.
 */
import autocannon from 'autocannon';
import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AUTOCANNON_TIMEOUT_S, check } from './http-load.ts';
import { ADMIN, Figures, log, spawnServer } from './lib.ts';

const DURATION_S = Number(process.env.STRATO_BENCH_HTTP_DURATION || 10);
const CONNECTIONS = 10;
/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every common kernel). */
const USER_HZ = 100;

/** CPU milliseconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name (which may hold spaces) in parentheses: utime is the 14th field, stime the 15th
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / USER_HZ;
}

/** CPU milliseconds of one scrypt with strato's parameters (password.ts), in this process. */
function scryptCpuMs(): number {
  const salt = randomBytes(16);
  scryptSync('admin', salt, 32, { N: 16384, r: 8, p: 1 });
  const runs = 5;
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) scryptSync('admin', salt, 32, { N: 16384, r: 8, p: 1 });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / runs;
}

async function load(cacheTtl: string | undefined) {
  const server = await spawnServer({ env: cacheTtl === undefined ? {} : { STRATO_CREDENTIAL_CACHE_TTL: cacheTtl } });
  try {
    const cpuBefore = cpuMsOf(server.pid);
    const result = await autocannon({
      url: server.url + '/api/init',
      connections: CONNECTIONS,
      duration: DURATION_S,
      timeout: AUTOCANNON_TIMEOUT_S,
      headers: { authorization: ADMIN },
    });
    return { result, cpuMs: cpuMsOf(server.pid) - cpuBefore };
  } finally {
    await server.stop();
  }
}

export async function login(): Promise<void> {
  const uncached = await load('0');
  check('GET /api/init, scrypt on every request (STRATO_CREDENTIAL_CACHE_TTL=0)', uncached.result);
  const perLogin = uncached.cpuMs / uncached.result['2xx'];
  const scrypt = scryptCpuMs();
  log(`login: the server used ${perLogin.toFixed(1)} ms of CPU per login; one scrypt takes ${scrypt.toFixed(1)} ms of CPU here`);
  if (perLogin < scrypt / 2) {
    throw new Error(
      `login: ${perLogin.toFixed(1)} ms of server CPU per login, less than half of one scrypt (${scrypt.toFixed(1)} ms): not every request ran its own scrypt`,
    );
  }
  const cached = await load(undefined);
  check('GET /api/init, credential cache on (default)', cached.result);
  const figures = new Figures();
  figures.add('login_scrypt_per_request_per_s', uncached.result.requests.average, 'req/s');
  figures.add('login_scrypt_per_request_p99_ms', uncached.result.latency.p99, 'ms');
  figures.add('login_scrypt_per_request_server_cpu_ms', perLogin, 'ms');
  figures.add('login_cached_requests_per_s', cached.result.requests.average, 'req/s');
  figures.print();
}
