/**
 * Issue 4: N applications x 10 members on the mock IaaS with zero boot delay. A fresh server in a
 * child process (STRATO_MOCK_BOOT_DELAY=0, STRATO_MOCK_HEALTH_INTERVAL=15000, every other timing at
 * its default); N copies of single-cartridge-app (distinct applicationId, cartridgeMin = cartridgeMax
 * = 10) on the bench's own network partition, deployment policy (partitionMax 10), autoscaling
 * policy, application policy and php cartridge. All are deployed (8 deploy POSTs in flight), then
 * GET /api/applications is polled until every one is Active.
 *
 * Figures: wall time from the first deploy POST to all Active; MQTT messages per second through the
 * embedded broker over that time (a separate mqtt.js client subscribed to `#`); peak RSS of the
 * server process (max of VmHWM, sampled every 500 ms and at the end). With a time limit: when it is
 * exceeded, the figures measured so far are printed with `apps_<N>x10_completed` = 0.
 */
import mqtt from 'mqtt';
import { call, emit, log, memoryOf, must, sample, sleep, spawnServer, type ServerProcess } from './lib.ts';

const MEMBERS = 10;
const MEMBER_ACTIVATED = 'MemberActivatedEvent';
const APP_ACTIVATED = 'ApplicationInstanceActivatedEvent';

/** Runs fn over items with at most `width` in flight. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

async function addDefinitions(server: ServerProcess, n: number): Promise<string[]> {
  const u = server.url;
  await must(u, 'POST', '/api/autoscalingPolicies', { ...sample('autoscaling-policies/autoscaling-policy-1.json'), id: 'bench-asp' }, [201]);
  const np = sample('network-partitions/mock/network-partition-1.json');
  await must(u, 'POST', '/api/networkPartitions', { ...np, id: 'bench-np' }, [201]);
  await must(
    u,
    'POST',
    '/api/deploymentPolicies',
    {
      id: 'bench-dp',
      networkPartitions: [
        { id: 'bench-np', partitionAlgo: 'one-after-another', partitions: [{ id: np.partitions[0].id, partitionMax: MEMBERS }] },
      ],
    },
    [201],
  );
  await must(u, 'POST', '/api/cartridges', sample('cartridges/mock/php.json'), [201]);
  await must(
    u,
    'POST',
    '/api/applicationPolicies',
    { ...sample('application-policies/application-policy-1.json'), id: 'bench-ap', networkPartitions: ['bench-np'] },
    [201],
  );
  const template = sample('applications/simple/single-cartridge-app/artifacts/application.json');
  const ids = Array.from({ length: n }, (_, i) => `bench-app-${i}`);
  await pool(ids, 8, async (id) => {
    const app = structuredClone(template);
    app.applicationId = id;
    app.alias = id;
    const c = app.components.cartridges[0];
    c.cartridgeMin = MEMBERS;
    c.cartridgeMax = MEMBERS;
    c.subscribableInfo.autoscalingPolicy = 'bench-asp';
    c.subscribableInfo.deploymentPolicy = 'bench-dp';
    await must(u, 'POST', '/api/applications', app, [201]);
  });
  return ids;
}

async function activeCount(server: ServerProcess, ids: Set<string>): Promise<number> {
  const r = await call(server.url, 'GET', '/api/applications');
  if (r.status !== 200 || !Array.isArray(r.body)) throw new Error(`GET /api/applications: ${r.status}`);
  return r.body.filter((a: any) => ids.has(a.applicationId) && a.status === 'Active').length;
}

export async function scale(n: number, timeLimitMs: number): Promise<void> {
  const prefix = `apps_${n}x${MEMBERS}`;
  const server = await spawnServer({
    env: { STRATO_MOCK_BOOT_DELAY: '0', STRATO_MOCK_HEALTH_INTERVAL: '15000' },
    nodeFlags: process.env.STRATO_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STRATO_BENCH_CPU_PROF}`] : [],
  });
  let client: mqtt.MqttClient | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const tAdd = performance.now();
    const ids = await addDefinitions(server, n);
    log(`${prefix}: ${n} applications added in ${(performance.now() - tAdd).toFixed(0)} ms`);

    // A separate MQTT client on the server's embedded broker, counting every message.
    let counting = false;
    let events = 0;
    const topics = new Map<string, number>();
    client = mqtt.connect(`mqtt://127.0.0.1:${server.mbPort}`, { clientId: `strato-bench-${process.pid}`, reconnectPeriod: 1000 });
    await new Promise<void>((resolve, reject) => {
      client!.once('connect', () => resolve());
      client!.once('error', reject);
    });
    await client.subscribeAsync('#', { qos: 0 });
    client.on('message', (topic) => {
      if (!counting) return;
      events++;
      const name = topic.slice(topic.lastIndexOf('/') + 1);
      topics.set(name, (topics.get(name) ?? 0) + 1);
    });

    let peakMb = 0;
    sampler = setInterval(() => {
      peakMb = Math.max(peakMb, memoryOf(server.pid).hwmMb);
    }, 500);

    const idSet = new Set(ids);
    counting = true;
    const t0 = performance.now();
    const deadline = t0 + timeLimitMs;
    let deployErrors = 0;
    const deploying = pool(ids, 8, async (id) => {
      if (performance.now() > deadline) return;
      const r = await call(server.url, 'POST', `/api/applications/${id}/deploy/bench-ap`, '');
      if (r.status !== 202) {
        deployErrors++;
        if (deployErrors <= 3) log(`${prefix}: deploy ${id}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      }
    });
    let deployedMs = 0;
    void deploying.then(() => {
      deployedMs = performance.now() - t0;
      log(`${prefix}: ${n} deploy POSTs answered after ${deployedMs.toFixed(0)} ms`);
    });

    let active = 0;
    let lastLog = t0;
    let completed = false;
    while (performance.now() < deadline) {
      await sleep(n > 200 ? 500 : 100);
      active = await activeCount(server, idSet);
      if (active === n) {
        completed = true;
        break;
      }
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        const m = memoryOf(server.pid);
        log(`${prefix}: ${active}/${n} Active after ${((lastLog - t0) / 1000).toFixed(0)} s, ${events} events, RSS ${m.rssMb.toFixed(0)} MB`);
      }
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        throw new Error(`${prefix}: server exited (${server.child.exitCode ?? server.child.signalCode}): ${server.output().slice(-1000)}`);
      }
    }
    const activeMs = performance.now() - t0;
    // The server's state runs ahead of the broker: wait (within the time limit) until the deploy's
    // last events (every MemberActivatedEvent and ApplicationInstanceActivatedEvent) have come
    // through the broker, so that the events of the deploy are counted over their own window.
    const delivered = () =>
      (topics.get(MEMBER_ACTIVATED) ?? 0) >= n * MEMBERS && (topics.get(APP_ACTIVATED) ?? 0) >= n;
    while (completed && !delivered() && performance.now() < deadline) await sleep(20);
    const allDelivered = delivered();
    const elapsed = performance.now() - t0;
    counting = false;
    clearInterval(sampler);
    sampler = undefined;
    peakMb = Math.max(peakMb, memoryOf(server.pid).hwmMb);
    await Promise.race([deploying, sleep(1000)]);

    const top = [...topics.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    log(`${prefix}: ${completed ? "all Active" : "stopped"} after ${activeMs.toFixed(0)} ms; ${events} MQTT messages in ${(elapsed / 1000).toFixed(1)} s; top topics: ${top.map(([t, c]) => `${t}=${c}`).join(', ')}`);

    if (completed) {
      // Spot check: the last application has its 10 active members.
      const rt = await must(server.url, 'GET', `/api/applications/${ids[n - 1]}/runtime`, undefined, [200]);
      const members = (rt.body.applicationInstances ?? []).flatMap((i: any) =>
        (i.clusterInstances ?? []).flatMap((c: any) => (c.member ?? []).filter((m: any) => m.status === 'Active')),
      );
      if (members.length < MEMBERS) log(`${prefix}: WARNING ${ids[n - 1]} Active with ${members.length} active members`);
      emit(`${prefix}_wall_to_all_active_ms`, activeMs, 'ms');
      if (allDelivered) emit(`${prefix}_broker_lag_after_all_active_ms`, elapsed - activeMs, 'ms');
      else log(`${prefix}: the deploy's last events had not come through the broker by the time limit`);
    } else {
      log(`${prefix}: time limit ${timeLimitMs} ms exceeded with ${active}/${n} Active`);
      emit(`${prefix}_active_at_time_limit`, active, 'apps');
    }
    emit(`${prefix}_broker_events_per_s`, events / (elapsed / 1000), 'msg/s');
    emit(`${prefix}_broker_events`, events, 'msg');
    emit(`${prefix}_server_peak_rss_mb`, peakMb, 'MB');
    emit(`${prefix}_completed`, completed ? 1 : 0, 'bool');
    if (!completed) throw new Error(`${prefix}: ${active}/${n} applications Active after the time limit of ${timeLimitMs} ms`);
    if (deployErrors) throw new Error(`${prefix}: ${deployErrors} deploy POSTs failed`);
  } finally {
    if (sampler) clearInterval(sampler);
    if (client) await client.endAsync(true).catch(() => undefined);
    await server.stop();
  }
}
