/**
 * Issue 3: cold start to the first 200 from GET /api/health. Spawns the server as a child process
 * (`node dist/strato.mjs`, as `npm start` runs it) on a fresh data dir and free ports, polls
 * /api/health every 5 ms, and reports the median over several runs.
 */
import { Figures, log, median, spawnServer } from './lib.ts';

export async function coldStart(runs = 5): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await spawnServer({ pollMs: 5 });
    try {
      times.push(server.startMs);
    } finally {
      await server.stop();
    }
  }
  log(`cold start runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
  if (times.length !== runs) throw new Error(`${times.length} of ${runs} cold starts measured`);
  const figures = new Figures();
  figures.add('cold_start_to_health_ms', median(times), 'ms');
  figures.print();
}
