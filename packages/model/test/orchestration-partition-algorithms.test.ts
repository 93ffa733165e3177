import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import {
  nextPartitionForScaleDown,
  nextPartitionForScaleUp,
  parsePartitionAlgorithm,
  type PartitionAlgorithm,
  type PartitionSlot,
} from '../src/orchestration/index.ts';

const P: PartitionSlot[] = [
  { id: 'p1', max: 2 },
  { id: 'p2', max: 3 },
  { id: 'p3', max: 1 },
];

test('parsePartitionAlgorithm defaults to one-after-another', () => {
  assert.equal(parsePartitionAlgorithm('round-robin'), 'round-robin');
  assert.equal(parsePartitionAlgorithm(undefined), 'one-after-another');
  assert.equal(parsePartitionAlgorithm('weighted-round-robin'), 'one-after-another');
});

test('one-after-another scale-up fills in policy order, passing full partitions', () => {
  assert.equal(nextPartitionForScaleUp('one-after-another', P, {}), 'p1');
  assert.equal(nextPartitionForScaleUp('one-after-another', P, { p1: 1 }), 'p1');
  assert.equal(nextPartitionForScaleUp('one-after-another', P, { p1: 2 }), 'p2');
  assert.equal(
    nextPartitionForScaleUp(
      'one-after-another',
      P,
      new Map([
        ['p1', 2],
        ['p2', 3],
      ]),
    ),
    'p3',
  );
  assert.equal(nextPartitionForScaleUp('one-after-another', P, { p1: 2, p2: 3, p3: 1 }), undefined);
  assert.equal(nextPartitionForScaleUp('one-after-another', [], {}), undefined);
});

test('obsolete partitions are never chosen', () => {
  const q: PartitionSlot[] = [{ id: 'old', max: 5, obsolete: true }, ...P];
  assert.equal(nextPartitionForScaleUp('one-after-another', q, {}), 'p1');
  assert.equal(nextPartitionForScaleUp('round-robin', q, {}), 'p1');
  assert.equal(nextPartitionForScaleDown('one-after-another', q, { old: 3 }), undefined);
  assert.equal(nextPartitionForScaleDown('round-robin', q, { old: 3, p1: 1 }), 'p1');
});

test('one-after-another scale-down removes from the last non-empty partition', () => {
  assert.equal(nextPartitionForScaleDown('one-after-another', P, { p1: 2, p2: 1 }), 'p2');
  assert.equal(nextPartitionForScaleDown('one-after-another', P, { p1: 2 }), 'p1');
  assert.equal(nextPartitionForScaleDown('one-after-another', P, {}), undefined);
});

test('round-robin rotates from the last used partition and passes full ones', () => {
  assert.equal(nextPartitionForScaleUp('round-robin', P, {}, 0), 'p2');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p2: 1 }, 1), 'p3');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p2: 1, p3: 1 }, 2), 'p1');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p1: 2, p2: 1, p3: 1 }, 0), 'p2');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p1: 2, p2: 3, p3: 1 }, 0), undefined);
});

test('round-robin without a last index starts at the least loaded partition', () => {
  assert.equal(nextPartitionForScaleUp('round-robin', P, {}), 'p1');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p1: 1 }), 'p2');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p1: 1, p2: 1, p3: 0 }), 'p3');
  assert.equal(nextPartitionForScaleUp('round-robin', P, { p1: 2, p2: 3, p3: 1 }), undefined);
});

test('round-robin scale-down removes from the fullest partition (ties: the later one)', () => {
  assert.equal(nextPartitionForScaleDown('round-robin', P, { p1: 1, p2: 2, p3: 1 }), 'p2');
  assert.equal(nextPartitionForScaleDown('round-robin', P, { p1: 1, p2: 1 }), 'p2');
  assert.equal(nextPartitionForScaleDown('round-robin', P, { p1: 1 }), 'p1');
  assert.equal(nextPartitionForScaleDown('round-robin', P, {}), undefined);
});

const slots = fc
  .array(fc.record({ max: fc.integer({ min: 0, max: 4 }), obsolete: fc.boolean() }), { minLength: 1, maxLength: 5 })
  .map((xs) => xs.map((x, i) => ({ id: `p${i}`, max: x.max, obsolete: x.obsolete })));
const algorithm = fc.constantFrom<PartitionAlgorithm>('one-after-another', 'round-robin');

test('property: scaling up never exceeds max, and stops only when every partition is full', () => {
  fc.assert(
    fc.property(slots, algorithm, (partitions, algo) => {
      const counts: Record<string, number> = {};
      let last: number | undefined;
      const capacity = partitions.filter((p) => !p.obsolete).reduce((s, p) => s + p.max, 0);
      for (let i = 0; i < capacity; i++) {
        const id = nextPartitionForScaleUp(algo, partitions, counts, last);
        assert.ok(id !== undefined, 'room is left');
        const p = partitions.find((x) => x.id === id) as PartitionSlot;
        assert.ok(!p.obsolete);
        counts[id] = (counts[id] ?? 0) + 1;
        assert.ok(counts[id] <= p.max);
        last = partitions.findIndex((x) => x.id === id);
      }
      assert.equal(nextPartitionForScaleUp(algo, partitions, counts, last), undefined);
    }),
    draws(100),
  );
});

test('property: one-after-another fills in policy order; round-robin spreads evenly', () => {
  fc.assert(
    fc.property(slots, fc.nat(20), (partitions, n) => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const id = nextPartitionForScaleUp('one-after-another', partitions, counts);
        if (id === undefined) break;
        const idx = partitions.findIndex((p) => p.id === id);
        for (const earlier of partitions.slice(0, idx)) {
          if (!earlier.obsolete) assert.equal(counts[earlier.id] ?? 0, earlier.max, 'earlier partitions are full');
        }
        counts[id] = (counts[id] ?? 0) + 1;
      }
    }),
    draws(100),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.nat(30), (k, n) => {
      const partitions = Array.from({ length: k }, (_, i) => ({ id: `p${i}`, max: 100 }));
      const counts: Record<string, number> = {};
      let last: number | undefined;
      for (let i = 0; i < n; i++) {
        const id = nextPartitionForScaleUp('round-robin', partitions, counts, last) as string;
        counts[id] = (counts[id] ?? 0) + 1;
        last = partitions.findIndex((p) => p.id === id);
      }
      const values = partitions.map((p) => counts[p.id] ?? 0);
      assert.ok(Math.max(...values) - Math.min(...values) <= 1);
    }),
    draws(100),
  );
});

test('property: scale-down picks a non-empty, non-obsolete partition, or none when all are empty', () => {
  fc.assert(
    fc.property(slots, algorithm, fc.array(fc.nat(4), { maxLength: 5 }), (partitions, algo, raw) => {
      const counts = Object.fromEntries(partitions.map((p, i) => [p.id, raw[i] ?? 0]));
      const id = nextPartitionForScaleDown(algo, partitions, counts);
      const candidates = partitions.filter((p) => !p.obsolete && counts[p.id] > 0);
      if (candidates.length === 0) assert.equal(id, undefined);
      else {
        assert.ok(candidates.some((p) => p.id === id));
        if (algo === 'round-robin') assert.equal(counts[id as string], Math.max(...candidates.map((p) => counts[p.id])));
        else assert.equal(id, candidates[candidates.length - 1].id);
      }
    }),
    draws(100),
  );
});
