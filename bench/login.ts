/**
 * Login throughput: GET /api/init (the credential check of Stratos's CLI and console) with HTTP
 * Basic admin:admin on every request, measured with autocannon against a server started with
 * STRATO_CREDENTIAL_CACHE_TTL=0, so that every request runs a real scrypt check (N=2^14, r=8).
 * For comparison the same load runs against a server with the default credential cache; the bench
 * fails if the uncached run is not clearly slower (the cache would then not be off).
 *
 * Figures, printed only when every request of both runs was answered 200 (no error, no timeout):
 * logins per second and p99 latency with scrypt per request, and requests per second with the cache.
 */
import autocannon from 'autocannon';
import { AUTOCANNON_TIMEOUT_S, check } from './http-load.ts';
import { ADMIN, Figures, log, spawnServer } from './lib.ts';

const DURATION_S = Number(process.env.STRATO_BENCH_HTTP_DURATION || 10);
const CONNECTIONS = 10;

async function load(cacheTtl: string | undefined) {
  const server = await spawnServer({ env: cacheTtl === undefined ? {} : { STRATO_CREDENTIAL_CACHE_TTL: cacheTtl } });
  try {
    return await autocannon({
      url: server.url + '/api/init',
      connections: CONNECTIONS,
      duration: DURATION_S,
      timeout: AUTOCANNON_TIMEOUT_S,
      headers: { authorization: ADMIN },
    });
  } finally {
    await server.stop();
  }
}

export async function login(): Promise<void> {
  const uncached = await load('0');
  check('GET /api/init, scrypt on every request (STRATO_CREDENTIAL_CACHE_TTL=0)', uncached);
  const cached = await load(undefined);
  check('GET /api/init, credential cache on (default)', cached);
  const ratio = cached.requests.average / uncached.requests.average;
  log(`login: the cached run answers ${ratio.toFixed(1)} times as many requests per second`);
  if (ratio < 5) throw new Error(`login: with STRATO_CREDENTIAL_CACHE_TTL=0 ${uncached.requests.average.toFixed(0)} req/s, with the cache ${cached.requests.average.toFixed(0)} req/s: the cache does not look off`);
  const figures = new Figures();
  figures.add('login_scrypt_per_request_per_s', uncached.requests.average, 'req/s');
  figures.add('login_scrypt_per_request_p99_ms', uncached.latency.p99, 'ms');
  figures.add('login_cached_requests_per_s', cached.requests.average, 'req/s');
  figures.print();
}
