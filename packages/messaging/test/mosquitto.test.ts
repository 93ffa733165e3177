import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { MessageBus, type MessageBusOptions } from '../src/index.ts';
import { freePort, waitFor } from '@strato/testing';
import { memoryLogger, startMosquitto } from '@strato/testing/messaging';

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
  await waitFor('ten events', () => seen.length === 10, { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(
    seen,
    Array.from({ length: 10 }, (_, i) => `m${i}`),
  );
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
  const results = await Promise.all(Array.from({ length: 5000 }, (_, i) => publisher.publish('InstanceCleanupMemberEvent', cleanup(`m${i}`))));
  assert.ok(results.every((r) => r));
  await waitFor('5000 events', () => seen.length === 5000, { timeoutMs: 10_000, everyMs: 5 });
  assert.deepEqual(
    seen,
    Array.from({ length: 5000 }, (_, i) => `m${i}`),
  );
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
  await waitFor('event before the failover', () => seen.includes('before'), { timeoutMs: 2_000, everyMs: 5 });

  await a.kill();
  await waitFor('reconnection to B', () => connects.length === 2, { timeoutMs: 5_000, everyMs: 5 });
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
  await waitFor('40 events after the failover', () => seen.length === 41, { timeoutMs: 3_000, everyMs: 5 });
  assert.deepEqual(
    seen.slice(1, 21),
    Array.from({ length: 20 }, (_, i) => `other${i}`),
  );
  assert.deepEqual(
    seen.slice(21),
    Array.from({ length: 20 }, (_, i) => `own${i}`),
  );
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
  await waitFor('one event', () => seen.length === 1, { timeoutMs: 2_000, everyMs: 5 });
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
  await waitFor('failover to B', () => bus.connected && bus.currentUrl === b.url, { timeoutMs: 5_000, everyMs: 5 });
  assert.ok(records.some((r) => r.msg === `Message broker 127.0.0.1:${a.port} cannot be reached. Disconnecting client...`));
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', cleanup('on-b')), true);
  await waitFor('event on B', () => seen.includes('on-b'), { timeoutMs: 2_000, everyMs: 5 });
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
  await waitFor('first connect', () => connects === 1, { timeoutMs: 2_000, everyMs: 5 });
  await a.restart();
  await waitFor('reconnection after restart', () => connects === 2, { timeoutMs: 5_000, everyMs: 5 });
  const other = await mqtt.connectAsync(a.url, { protocolVersion: 4 });
  t.after(() => other.endAsync(true));
  await other.publishAsync('tenant/TenantCreatedEvent', JSON.stringify({ tenant: { tenantId: 1, tenantDomain: 'one.org' } }), { qos: 1 });
  assert.equal(await bus.publish('TenantCreatedEvent', { tenant: { tenantId: 2, tenantDomain: 'two.org' } }), true);
  await waitFor('two tenant events', () => seen.length === 2, { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(seen, ['one.org', 'two.org']);
});
