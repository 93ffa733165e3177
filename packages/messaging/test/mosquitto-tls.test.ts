/** The message bus over TLS (`mqtts://`) to a real Mosquitto with a test CA. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { MessageBus } from '../src/index.ts';
import { waitFor } from '@strato/testing';
import { makeTlsFiles, memoryLogger, startMosquitto } from '@strato/testing/messaging';

test('mqtts:// with the CA connects and round-trips; without it the bus never connects', async (t) => {
  const tls = makeTlsFiles();
  t.after(() => rmSync(tls.dir, { recursive: true, force: true }));
  const broker = await startMosquitto(undefined, { config: ['allow_anonymous true', `cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`] });
  t.after(() => broker.kill());
  const url = `mqtts://localhost:${broker.port}`;

  const bus = new MessageBus({ urls: [url], ca: readFileSync(tls.ca), retryIntervalMs: 50 });
  t.after(() => bus.close());
  const seen: string[] = [];
  await bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', { memberId: 'over-tls' }), true);
  await waitFor('the event over TLS', () => seen.includes('over-tls'), { timeoutMs: 5_000, everyMs: 5 });
  assert.equal(bus.currentUrl, `mqtts://localhost:${broker.port}`);

  // a CA Node does not know: the certificate is refused, the bus keeps trying
  const { logger, records } = memoryLogger();
  const untrusting = new MessageBus({ urls: [url], retryIntervalMs: 50, logger });
  t.after(() => untrusting.close());
  await waitFor('a refused TLS connection', () => records.some((r) => r.msg === `Could not connect to the message broker at localhost:${broker.port}.`), {
    timeoutMs: 5_000,
    everyMs: 5,
  });
  assert.equal(untrusting.connected, false);
});
