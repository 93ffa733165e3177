import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublishQueue } from '../src/publish-queue.ts';

interface Item {
  id: number;
  settled: boolean;
}

function items(n: number, from = 0): Item[] {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, settled: false }));
}

function takeAll(q: PublishQueue<Item>, max = Infinity): number[] {
  const out: number[] = [];
  while (out.length < max) {
    const item = q.takeNext();
    if (item === undefined) break;
    out.push(item.id);
  }
  return out;
}

test('PublishQueue: FIFO order, send cursor, out-of-order settlement, rewind', () => {
  const q = new PublishQueue<Item>();
  const all = items(10);
  for (const item of all) q.push(item);
  assert.equal(q.size, 10);
  assert.deepEqual(takeAll(q, 4), [0, 1, 2, 3]);
  // Acknowledged out of order: 2 is settled while 0 and 1 are not.
  assert.equal(q.settle(all[2]), true);
  assert.equal(q.settle(all[2]), false);
  assert.equal(q.size, 9);
  assert.equal(q.peek()?.id, 0);
  assert.equal(q.settle(all[0]), true);
  assert.equal(q.peek()?.id, 1);
  // The cursor resumes after 3; a settled entry ahead of it is skipped.
  q.settle(all[5]);
  assert.deepEqual(takeAll(q, 2), [4, 6]);
  // A new connection: everything unsettled again, oldest first.
  q.rewind();
  assert.deepEqual(takeAll(q), [1, 3, 4, 6, 7, 8, 9]);
  assert.equal(q.shift()?.id, 1);
  assert.equal(all[1].settled, true);
  assert.deepEqual(
    q.clear().map((i) => i.id),
    [3, 4, 6, 7, 8, 9],
  );
  assert.equal(q.size, 0);
  assert.equal(q.peek(), undefined);
  assert.equal(q.takeNext(), undefined);
});

test('PublishQueue: compaction keeps the order and the send cursor', () => {
  const q = new PublishQueue<Item>();
  const all = items(5_000);
  for (const item of all) q.push(item);
  const sent = takeAll(q, 3_000);
  assert.deepEqual(
    sent,
    all.slice(0, 3_000).map((i) => i.id),
  );
  // Settling the first 2,600 in order compacts the array (settled prefix >= half).
  for (let i = 0; i < 2_600; i++) q.settle(all[i]);
  assert.equal(q.size, 2_400);
  assert.equal(q.peek()?.id, 2_600);
  q.push({ id: 5_000, settled: false });
  assert.deepEqual(
    takeAll(q),
    Array.from({ length: 2_001 }, (_, i) => 3_000 + i),
  );
  q.rewind();
  assert.deepEqual(takeAll(q, 3), [2_600, 2_601, 2_602]);
  // Emptying the queue resets it; new entries are taken normally.
  for (let i = 2_600; i < 5_000; i++) q.settle(all[i]);
  assert.equal(q.shift()?.id, 5_000);
  assert.equal(q.size, 0);
  q.push({ id: 7, settled: false });
  assert.equal(q.takeNext()?.id, 7);
});
