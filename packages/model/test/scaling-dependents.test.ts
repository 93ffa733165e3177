import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import {
  type ClusterScalingInput,
  type DependentMember,
  dependentRequired,
  dependentRequiredCounts,
  evaluateDependentScaling,
  roundInstances,
  scalingFactor,
  winningScalingEvents,
} from '../src/index.ts';

test('rounding: Stratos rounding factor 0 is ceil, without float noise', () => {
  assert.equal(roundInstances(3 * (5 / 3)), 5); // 5.000000000000001 in floating point
  assert.equal(roundInstances(2.1), 3);
  assert.equal(roundInstances(4), 4);
  assert.equal(roundInstances(2.4, 0.5), 2); // fraction 0.4 ≤ 0.5 → down
  assert.equal(roundInstances(2.6, 0.5), 3);
});

const A: DependentMember = { id: 'a', kind: 'cluster', min: 1, max: 5 };
const B: DependentMember = { id: 'b', kind: 'cluster', min: 2, max: 6 };
const G: DependentMember = { id: 'g', kind: 'group', min: 1, max: 3 };

test('a list member scaling up takes the others along in ratio, capped by their max', () => {
  // a needs 3: factor 3 / 1 = 3 → b 2 × 3 = 6, g ceil(3 × 1) = 3
  assert.deepEqual(
    [...dependentRequiredCounts([A, B, G], 'a', 3)],
    [
      ['a', 3],
      ['b', 6],
      ['g', 3],
    ],
  );
  // a needs 4: b 8 → capped 6, g 4 → capped 3
  assert.deepEqual(
    [...dependentRequiredCounts([A, B, G], 'a', 4)],
    [
      ['a', 4],
      ['b', 6],
      ['g', 3],
    ],
  );
  // b needs 3: factor 1.5 → a ceil(1.5) = 2, g ceil(1.5) = 2
  assert.deepEqual(
    [...dependentRequiredCounts([A, B, G], 'b', 3)],
    [
      ['a', 2],
      ['b', 3],
      ['g', 2],
    ],
  );
});

test('and down: a factor below 1 brings everyone to (not below) their min', () => {
  assert.deepEqual(
    [...dependentRequiredCounts([A, B, G], 'a', 0)],
    [
      ['a', 1],
      ['b', 2],
      ['g', 1],
    ],
  );
  assert.equal(scalingFactor(0, 2), 0);
  assert.throws(() => dependentRequiredCounts([A, B], 'x', 2), /x is not in the scaling-dependents list a, b/);
});

test('the parent picks the highest factor per list and sends it to the whole (first) list holding the winner', () => {
  const lists = [
    ['a', 'b'],
    ['c', 'd'],
  ];
  const won = winningScalingEvents(lists, [
    { childId: 'a', factor: 1.5 },
    { childId: 'b', factor: 2 },
    { childId: 'c', factor: 1 },
  ]);
  assert.deepEqual(won, [
    { winner: { childId: 'b', factor: 2 }, list: ['a', 'b'] },
    { winner: { childId: 'c', factor: 1 }, list: ['c', 'd'] },
  ]);
  // a winner of two lists is sent once, to the first list holding it
  const shared = winningScalingEvents(
    [
      ['a', 'b'],
      ['b', 'c'],
    ],
    [{ childId: 'b', factor: 2 }],
  );
  assert.deepEqual(shared, [{ winner: { childId: 'b', factor: 2 }, list: ['a', 'b'] }]);
  assert.deepEqual(winningScalingEvents([['a']], []), []);
});

function cluster(min: number, max: number, members: ('active' | 'pending')[]): ClusterScalingInput {
  return {
    now: 0,
    min,
    max,
    thresholds: {},
    members: members.map((state, i) => ({ memberId: `m${i}`, partitionId: 'p1', state })),
    stats: { cluster: {}, members: new Map() },
    algorithm: 'one-after-another',
    slots: [{ id: 'p1', max: 10 }],
  };
}

test('a cluster receiving a factor (DEPENDENCY): up at once, capped at max with the overflow for the parent', () => {
  const up = evaluateDependentScaling(cluster(2, 5, ['active', 'active']), 1.5); // 2 × 1.5 = 3
  assert.equal(up.reason, 'DEPENDENCY');
  assert.deepEqual(up.spawn, ['p1']);
  assert.equal(up.overflow, 0);
  assert.equal(up.inputs.required, 3);
  const over = evaluateDependentScaling(cluster(2, 5, ['active', 'active']), 3); // 6 > max 5
  assert.equal(over.spawn.length, 3);
  assert.equal(over.overflow, 1);
});

test('down at once to the required count, pending members first, never below min', () => {
  const down = evaluateDependentScaling(cluster(2, 5, ['active', 'active', 'pending', 'active']), 0.5); // ceil(1) → min 2
  assert.equal(down.inputs.required, 2);
  assert.equal(down.outcome, 'terminate');
  assert.equal(down.terminate.length, 2);
  assert.equal(down.terminate[0], 'm2', 'the pending member goes first');
  assert.equal(evaluateDependentScaling(cluster(2, 5, ['active', 'active']), 1).outcome, 'steady');
});

const lists = fc.array(
  fc.record({ kind: fc.constantFrom('cluster' as const, 'group' as const), min: fc.integer({ min: 1, max: 5 }), extra: fc.integer({ min: 0, max: 20 }) }),
  { minLength: 2, maxLength: 5 },
);

test('property: dependent counts keep the source ratio within rounding, inside every [min, max]', () => {
  fc.assert(
    fc.property(lists, fc.nat(), fc.integer({ min: 0, max: 40 }), (raw, pick, required) => {
      const list: DependentMember[] = raw.map((r, i) => ({ id: `c${i}`, kind: r.kind, min: r.min, max: r.min + r.extra }));
      const source = list[pick % list.length];
      const counts = dependentRequiredCounts(list, source.id, required);
      const f = required / source.min;
      for (const m of list) {
        const n = counts.get(m.id)!;
        assert.ok(n >= m.min && n <= m.max, `${m.id}: ${n} outside [${m.min}, ${m.max}]`);
        const ideal = m.min * f;
        // uncapped, the count is the ideal rounded up: ideal ≤ n < ideal + 1 (tolerance for float)
        if (n > m.min && n < m.max) assert.ok(n >= ideal - 1e-6 && n < ideal + 1, `${m.id}: ${n} vs ideal ${ideal}`);
        if (n === m.max && m.max > m.min) assert.ok(ideal > m.max - 1, `${m.id} capped at max though ideal ${ideal}`);
        if (n === m.min && m.max > m.min) assert.ok(ideal <= m.min + 1e-6, `${m.id} held at min though ideal ${ideal}`);
        assert.equal(dependentRequired(m, f), n);
      }
    }),
    draws(500),
  );
});
