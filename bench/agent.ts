/**
 * strato-agent: (a) time from the agent process's start to its member Active (the control plane
 * received InstanceActivatedEvent), (b) resident memory of one agent after its activation (after a
 * few health statistics rounds). The agent runs as shipped (its esbuild bundle, `node
 * strato-agent.cjs`) against an embedded broker and a small control plane in this process that
 * answers as the cloud controller does; the member's port is open from the start. Medians over
 * `runs` agents, one after the other.
 */
import type { Server } from 'node:net';
import { startEmbeddedBroker } from '@strato/messaging/embedded-broker.ts';
import { MEMBER, TestControlPlane, agentBundle, fastConf, listenOn, memberDir, startAgent } from '../packages/agent/test/support.ts';
import { Figures, freePort, log, median, memoryOf, sleep, waitFor } from './lib.ts';

export async function agentBench(runs = 5): Promise<void> {
  const broker = await startEmbeddedBroker();
  const port = await freePort();
  const server: Server = await listenOn(port);
  await agentBundle(); // built before the clock starts
  const toActive: number[] = [];
  const rss: number[] = [];
  const hwm: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const params = { ...MEMBER, PORTS: String(port) };
      const cp = await TestControlPlane.start([broker.url], params);
      const m = memberDir(fastConf(`127.0.0.1:${broker.port}`, { 'log.level': 'info', 'stats.notifier.interval': 1 }), params);
      const spawnedAt = Date.now();
      const agent = await startAgent(m.dir, [], process.env.AGENT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS } : {});
      try {
        await waitFor('member Active', async () => (cp.status === 'Active' ? true : undefined), 10_000, 2);
        toActive.push(cp.named('InstanceActivatedEvent')[0].at - spawnedAt);
        await sleep(3_000); // three statistics rounds
        const mem = memoryOf(agent.proc.pid!);
        rss.push(mem.rssMb);
        hwm.push(mem.hwmMb);
        if (agent.errorLog().length > 0) throw new Error(`agent errors: ${JSON.stringify(agent.errorLog())}`);
      } finally {
        await agent.kill();
        await cp.close();
        m.remove();
      }
    }
  } finally {
    server.close();
    await broker.close();
  }
  log(`agent start to Active (ms): ${toActive.map((t) => t.toFixed(0)).join(', ')}; RSS (MiB): ${rss.map((r) => r.toFixed(1)).join(', ')}`);
  const figures = new Figures();
  figures.add('agent_start_to_active_ms', median(toActive), 'ms', 'strato-agent process start to its member Active, local broker, port open');
  figures.add('agent_rss_active_mib', median(rss), 'MiB', 'resident memory of one strato-agent after activation (3 s of statistics)');
  figures.add('agent_rss_peak_mib', median(hwm), 'MiB', 'peak resident memory of one strato-agent up to then');
  figures.print();
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  await agentBench(Number(process.argv[2] ?? 5));
}
