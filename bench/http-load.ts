/**
 * Issue 3: requests per second and p99 latency of `GET /api/cartridges` with 50 cartridges stored,
 * and of POST+DELETE of a cartridge (copies of examples/cartridges/web.json with other types),
 * measured with autocannon (programmatic API, the load generator) in this process against the real
 * server in a child process, as admin over HTTP Basic. The set-up and the checks around the load
 * go through @strato/client.
 */
import autocannon, { type Result } from 'autocannon';
import { ADMIN, adminClient, example, Figures, log, must, spawnServer } from './lib.ts';

const DURATION_S = Number(process.env.STRATO_BENCH_HTTP_DURATION || 10);
const CONNECTIONS = 10;
/** autocannon's per-request timeout, s: an unanswered request counts as a timeout (an error). */
export const AUTOCANNON_TIMEOUT_S = 10;

/** Throws unless every request of the run was answered 2xx (no error, no timeout, no non-2xx). */
export function check(what: string, r: Result): void {
  log(
    `${what}: ${r.requests.total} requests in ${r.duration.toFixed(1)} s, ${r.requests.average.toFixed(0)} req/s, ` +
      `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, 2xx ${r['2xx']}, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`,
  );
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || r['2xx'] === 0) {
    throw new Error(`${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
}

export async function httpLoad(): Promise<void> {
  const server = await spawnServer();
  const figures = new Figures();
  try {
    const client = adminClient(server.url);
    const web = example('cartridges/web.json');
    for (let i = 0; i < 50; i++) {
      await must(`add cartridge bench-get-${i}`, client.cartridges.add({ ...web, type: `bench-get-${i}`, displayName: `bench ${i}` }));
    }
    const list = await client.cartridges.list();
    if (!Array.isArray(list) || list.length !== 50) throw new Error(`expected 50 cartridges, got ${JSON.stringify(list).slice(0, 200)}`);

    // GET /api/cartridges
    const get = await autocannon({
      url: server.url + '/api/cartridges',
      connections: CONNECTIONS,
      duration: DURATION_S,
      timeout: AUTOCANNON_TIMEOUT_S,
      headers: { authorization: ADMIN },
    });
    check('GET /api/cartridges', get);
    figures.add('get_cartridges_50_requests_per_s', get.requests.average, 'req/s');
    figures.add('get_cartridges_50_p99_ms', get.latency.p99, 'ms');

    // POST a cartridge with a unique type, then DELETE it, in a loop on every connection.
    let seq = 0;
    const pd = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      timeout: AUTOCANNON_TIMEOUT_S,
      headers: { authorization: ADMIN },
      requests: [
        {
          method: 'POST',
          path: '/api/cartridges',
          setupRequest: (req, ctx) => {
            ctx.type = `bench-pd-${seq++}`;
            return {
              ...req,
              headers: { ...req.headers, 'content-type': 'application/json' },
              body: JSON.stringify({ ...web, type: ctx.type }),
            };
          },
        },
        {
          method: 'DELETE',
          path: '/api/cartridges/x',
          setupRequest: (req, ctx) => ({ ...req, path: `/api/cartridges/${ctx.type}` }),
        },
      ],
    });
    check('POST+DELETE /api/cartridges', pd);
    const after = await client.cartridges.list();
    log(`cartridges left after POST+DELETE: ${after.length} (50 expected, more if the run ended between a POST and its DELETE)`);
    figures.add('post_delete_cartridge_requests_per_s', pd.requests.average, 'req/s');
    figures.add('post_delete_cartridge_pairs_per_s', pd['2xx'] / 2 / pd.duration, 'pairs/s');
    figures.add('post_delete_cartridge_p99_ms', pd.latency.p99, 'ms');
    figures.print();
  } finally {
    await server.stop();
  }
}
