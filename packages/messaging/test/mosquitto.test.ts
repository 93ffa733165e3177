import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { MessageBus, type MessageBusOptions } from '../src/index.ts';
import { freePort, memoryLogger, startMosquitto, waitFor } from './support.ts';

/** Short intervals so failures are detected and retried within a test's time. */
const fast: Omit<MessageBusOptions, 'urls'> = {
  retryIntervalMs: 50,
  livenessIntervalMs: 250,
  connectTimeoutMs: 1_000,
  publisherTimeoutMs: 10_000,
};

function cleanup(memberId: string) {
  return { memberId };
}

test('round trip through Mosquitto', async (t) => {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const bus = new MessageBus({ urls: [a.url], ...fast });
  t.after(() => bus.close());
  const seen: string[] = [];
  await bus.subscribe('instance/notifier/#', (name, payload) => {
    if (name === 'InstanceCleanupMemberEvent') seen.push(payload.memberId);
  });
  for (let i = 0; i < 10; i++) assert.equal(await bus.publish('InstanceCleanupMemberEvent', cleanup(`m${i}`)), true);
  await waitFor(() => seen.length === 10, 2_000, 'ten events');
  assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `m${i}`));
});

test('a burst of 5000 events arrives complete and in order (bounded in-flight)', async (t) => {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const publisher = new MessageBus({ urls: [a.url], ...fast, maxInFlight: 50 });
  const subscriber = new MessageBus({ urls: [a.url], ...fast });
  t.after(() => Promise.all([publisher.close(), subscriber.close()]));
  const seen: string[] = [];
  await subscriber.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  const results = await Promise.all(
    Array.from({ length: 5000 }, (_, i) => publisher.publish('InstanceCleanupMemberEvent', cleanup(`m${i}`))),
  );
  assert.ok(results.every((r) => r));
  await waitFor(() => seen.length === 5000, 10_000, '5000 events');
  assert.deepEqual(seen, Array.from({ length: 5000 }, (_, i) => `m${i}`));
});

test('failover: broker A dies, the bus moves to B, resubscribes and loses nothing', async (t) => {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const b = await startMosquitto();
  t.after(() => b.kill());
  const { logger, records } = memoryLogger();
  const bus = new MessageBus({ urls: [a.url, b.url], ...fast, logger });
  t.after(() => bus.close());
  const connects: string[] = [];
  const failovers: Array<{ from: string; to: string }> = [];
  bus.on('connect', ({ url }) => connects.push(url));
  bus.on('failover', (info) => failovers.push(info));
  const seen: string[] = [];
  await bus.subscribe('instance/notifier/#', (name, payload) => {
    if (name === 'InstanceCleanupMemberEvent') seen.push(payload.memberId);
  });
  assert.equal(bus.currentUrl, a.url);
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', cleanup('before')), true);
  await waitFor(() => seen.includes('before'), 2_000, 'event before the failover');

  await a.kill();
  await waitFor(() => connects.length === 2, 5_000, 'reconnection to B');
  assert.deepEqual(connects, [a.url, b.url]);
  assert.deepEqual(failovers[0], { from: a.url, to: b.url });
  assert.equal(bus.connected, true);
  assert.ok(records.some((r) => r.msg === `Disconnected from the message broker 127.0.0.1:${a.port}. Reconnecting...`));

  // Another client on B: the subscription was re-established there.
  const other = await mqtt.connectAsync(b.url, { protocolVersion: 4 });
  t.after(() => other.endAsync(true));
  for (let i = 0; i < 20; i++) {
    await other.publishAsync('instance/notifier/InstanceCleanupMemberEvent', JSON.stringify(cleanup(`other${i}`)), { qos: 1 });
  }
  // The bus itself publishes on B.
  for (let i = 0; i < 20; i++) assert.equal(await bus.publish('InstanceCleanupMemberEvent', cleanup(`own${i}`)), true);
  await waitFor(() => seen.length === 41, 3_000, '40 events after the failover');
  assert.deepEqual(seen.slice(1, 21), Array.from({ length: 20 }, (_, i) => `other${i}`));
  assert.deepEqual(seen.slice(21), Array.from({ length: 20 }, (_, i) => `own${i}`));
});

test('the first URL is dead at start-up: the bus connects to the second', async (t) => {
  const dead = `mqtt://127.0.0.1:${await freePort()}`;
  const b = await startMosquitto();
  t.after(() => b.kill());
  const { logger, records } = memoryLogger();
  const bus = new MessageBus({ urls: [dead, b.url], ...fast, logger });
  t.after(() => bus.close());
  const seen: string[] = [];
  await bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  assert.equal(bus.connected, true);
  assert.equal(bus.currentUrl, b.url);
  assert.ok(records.some((r) => typeof r.msg === 'string' && r.msg.startsWith('Could not connect to the message broker at 127.0.0.1:')));
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', cleanup('x')), true);
  await waitFor(() => seen.length === 1, 2_000, 'one event');
});

test('a frozen broker is detected by the liveness check and the bus fails over', async (t) => {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const b = await startMosquitto();
  t.after(() => b.kill());
  const { logger, records } = memoryLogger();
  const bus = new MessageBus({ urls: [a.url, b.url], ...fast, logger });
  t.after(() => bus.close());
  const seen: string[] = [];
  await bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  a.pause();
  t.after(() => a.resume());
  await waitFor(() => bus.connected && bus.currentUrl === b.url, 5_000, 'failover to B');
  assert.ok(records.some((r) => r.msg === `Message broker 127.0.0.1:${a.port} cannot be reached. Disconnecting client...`));
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', cleanup('on-b')), true);
  await waitFor(() => seen.includes('on-b'), 2_000, 'event on B');
});

test('subscriptions are re-established after the broker restarts on the same port', async (t) => {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const bus = new MessageBus({ urls: [a.url], ...fast });
  t.after(() => bus.close());
  let connects = 0;
  bus.on('connect', () => connects++);
  const seen: string[] = [];
  await bus.subscribe('tenant/#', (name, payload) => {
    if (name === 'TenantCreatedEvent') seen.push(payload.tenant.tenantDomain);
  });
  await waitFor(() => connects === 1, 2_000, 'first connect');
  await a.restart();
  await waitFor(() => connects === 2, 5_000, 'reconnection after restart');
  const other = await mqtt.connectAsync(a.url, { protocolVersion: 4 });
  t.after(() => other.endAsync(true));
  await other.publishAsync('tenant/TenantCreatedEvent', JSON.stringify({ tenant: { tenantId: 1, tenantDomain: 'one.org' } }), { qos: 1 });
  assert.equal(await bus.publish('TenantCreatedEvent', { tenant: { tenantId: 2, tenantDomain: 'two.org' } }), true);
  await waitFor(() => seen.length === 2, 2_000, 'two tenant events');
  assert.deepEqual(seen, ['one.org', 'two.org']);
});
