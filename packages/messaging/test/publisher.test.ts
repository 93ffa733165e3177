import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageBus, type MessageBusOptions } from '../src/index.ts';
import { freePort, waitFor } from '@strato/testing';
import { memoryLogger, startMosquitto } from '@strato/testing/messaging';

const fast: Omit<MessageBusOptions, 'urls'> = {
  retryIntervalMs: 50,
  livenessIntervalMs: 250,
  connectTimeoutMs: 1_000,
};

function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

test('events published while no broker is up are delivered, in order, once it starts', async (t) => {
  const port = await freePort();
  const bus = new MessageBus({ urls: [`mqtt://127.0.0.1:${port}`], ...fast, publisherTimeoutMs: 10_000 });
  t.after(() => bus.close());
  const seen: string[] = [];
  // Not awaited: the SUBACK can only come once the broker is up.
  const subscribed = bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  const results = Array.from({ length: 50 }, (_, i) => bus.publish('InstanceCleanupMemberEvent', { memberId: `m${i}` }));
  assert.equal(bus.connected, false);
  assert.equal(bus.pendingCount, 50);
  await new Promise((resolve) => setTimeout(resolve, 200)); // a few failed rounds
  const broker = await startMosquitto(port);
  t.after(() => broker.kill());
  await subscribed;
  assert.deepEqual(await Promise.all(results), Array(50).fill(true));
  await waitFor('50 events', () => seen.length === 50, { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(
    seen,
    Array.from({ length: 50 }, (_, i) => `m${i}`),
  );
  assert.equal(bus.pendingCount, 0);
});

test('events published during a failover are delivered on the next broker', async (t) => {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const b = await startMosquitto();
  t.after(() => b.kill());
  const bus = new MessageBus({ urls: [a.url, b.url], ...fast, publisherTimeoutMs: 10_000 });
  t.after(() => bus.close());
  const seen: string[] = [];
  await bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  const killed = a.kill();
  const results = Array.from({ length: 200 }, (_, i) => bus.publish('InstanceCleanupMemberEvent', { memberId: `m${i}` }));
  await killed;
  assert.deepEqual(await Promise.all(results), Array(200).fill(true));
  assert.equal(bus.currentUrl, b.url);
  // At-least-once: an event in flight when A died may arrive twice, but none is lost and the
  // first arrivals keep the publishing order.
  await waitFor('200 distinct events', () => new Set(seen).size === 200, { timeoutMs: 3_000, everyMs: 5 });
  const firsts = seen.filter((id, i) => seen.indexOf(id) === i);
  assert.deepEqual(
    firsts,
    Array.from({ length: 200 }, (_, i) => `m${i}`),
  );
});

test('an event not delivered within the publisher timeout is dropped with an error log', async (t) => {
  const port = await freePort();
  const { logger, records } = memoryLogger();
  const bus = new MessageBus({ urls: [`mqtt://127.0.0.1:${port}`], ...fast, publisherTimeoutMs: 300, logger });
  t.after(() => bus.close());
  const drops: string[] = [];
  bus.on('drop', ({ name, reason }) => drops.push(`${name}:${reason}`));
  const started = Date.now();
  const first = bus.publish('InstanceCleanupMemberEvent', { memberId: 'lost' });
  const second = bus.publish('CompleteTopologyRequestEvent', {});
  assert.equal(await first, false);
  assert.equal(await second, false);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 2_000, `dropped after ${elapsed} ms`);
  assert.deepEqual(drops, ['InstanceCleanupMemberEvent:timeout', 'CompleteTopologyRequestEvent:timeout']);
  const errors = records.filter((r) => r.level === 50 && r.event === 'InstanceCleanupMemberEvent');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].topic, 'instance/notifier/InstanceCleanupMemberEvent');
  assert.equal(errors[0].timeoutMs, 300);
  assert.equal(errors[0].component, 'message-bus');
  assert.match(
    String(errors[0].msg),
    /^Could not publish event to any of the provided message brokers before the timeout \[300 ms\] exceeded\. The event will be dropped\.$/,
  );
  assert.ok(records.some((r) => r.level === 50 && String(r.msg).startsWith('Could not connect to any of the message brokers provided. Retrying in')));
  assert.equal(bus.pendingCount, 0);
});

test('close() drains queued events within drainTimeoutMs, drops the rest, and leaves no timer', async (t) => {
  const before = activeTimeouts();
  const a = await startMosquitto();
  t.after(() => a.kill());
  const { logger } = memoryLogger();
  const bus = new MessageBus({ urls: [a.url], ...fast, logger });
  await waitFor('connection', () => bus.connected, { timeoutMs: 2_000, everyMs: 5 });
  const delivered = bus.publish('InstanceCleanupMemberEvent', { memberId: 'm1' });
  await bus.close({ drainTimeoutMs: 2_000 });
  assert.equal(await delivered, true);

  const port = await freePort();
  const offline = new MessageBus({ urls: [`mqtt://127.0.0.1:${port}`], ...fast, logger });
  let subscribeSettled = false;
  void offline.subscribe('TenantCreatedEvent', () => {}).then(() => (subscribeSettled = true));
  const lost = offline.publish('InstanceCleanupMemberEvent', { memberId: 'm2' });
  await offline.close({ drainTimeoutMs: 100 });
  assert.equal(await lost, false);
  await waitFor('subscribe promise settled by close()', () => subscribeSettled, { timeoutMs: 1_000, everyMs: 5 });
  await waitFor('no timers left', () => activeTimeouts() <= before, { timeoutMs: 2_000, everyMs: 5 });
});
