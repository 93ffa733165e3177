import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import {
  type ClusterScalingInput,
  type ClusterScalingState,
  type ClusterStats,
  DEFAULT_SCALING_OPTIONS,
  evaluateScaling,
  HealthStatistics,
  INITIAL_SCALING_STATE,
  type MemberStats,
  type PartitionSlot,
  predict,
  requiredForMemory,
  SCALING_DEFAULTS,
  type ScalingMember,
  type SeriesStat,
  thresholdsOf,
} from '../src/index.ts';

/** A window summary as the statistics would give it (only the figures the rules read matter). */
function stat(average: number, gradient = 0, secondDerivative = 0, at = 60_000, stale = false): SeriesStat {
  return { average, gradient, secondDerivative, secondDerivativeKnown: true, points: 4, first: at - 60_000, last: at - 15_000, at, stale };
}

const member = (memberId: string, state: 'active' | 'pending' = 'active', partitionId = 'p1'): ScalingMember => ({ memberId, partitionId, state });

/** The policy of §4.6: MC 70, LA 70, RIF 20; cartridgeMin 1, max 4; one partition with room. */
function input(over: Partial<ClusterScalingInput> & { memberStats?: Record<string, MemberStats>; rif?: SeriesStat; windowAt?: number }): ClusterScalingInput {
  const { memberStats = {}, rif, windowAt = 60_000, ...rest } = over;
  const stats: ClusterStats = {
    cluster: rif ? { requestsInFlight: rif } : {},
    members: new Map(Object.entries(memberStats)),
    windowAt,
  };
  return {
    now: 90_000,
    min: 1,
    max: 4,
    thresholds: { memoryConsumption: 70, loadAverage: 70, requestsInFlight: 20 },
    members: [member('m1')],
    stats,
    algorithm: 'one-after-another',
    slots: [{ id: 'p1', max: 10 }],
    ...rest,
  };
}

test('thresholds come from the policy; a missing one is not used', () => {
  assert.deepEqual(thresholdsOf({ loadThresholds: { requestsInFlight: { threshold: 20 }, memoryConsumption: {}, loadAverage: { threshold: 70 } } }), {
    requestsInFlight: 20,
    loadAverage: 70,
  });
  assert.deepEqual(thresholdsOf({}), {});
});

test('prediction: average + gradient·t + ½·second derivative·t², gradients per second, never negative', () => {
  const s = { average: 30, gradient: 0.5, secondDerivative: 0.01 };
  assert.equal(predict(s, 1), 30 + 0.5 + 0.005); // Stratos: t = 1
  assert.equal(predict(s, 60), 30 + 30 + 0.5 * 0.01 * 3600); // a real minute ahead
  assert.equal(predict({ average: 5, gradient: -10, secondDerivative: 0 }, 1), 0);
});

test('§4.6 example 1: MC 85 flat, LA 20, RIF 0 → reqMC 3, reqLA 1, reqRIF 0; one active → spawn 2 (reason MC)', () => {
  const d = evaluateScaling(input({ memberStats: { m1: { memoryConsumption: stat(85), loadAverage: stat(20) } }, rif: stat(0) }));
  // reqMC = ceil(1 + (85 − 70) / ((100 − 70) / (4 − 1))) = ceil(1 + 15 / 10) = ceil(2.5) = 3
  assert.equal(d.inputs.memoryConsumption!.required, 3);
  assert.equal(d.inputs.loadAverage!.required, 1); // ceil(20 / 70)
  assert.equal(d.inputs.requestsInFlight!.required, 0);
  assert.equal(d.inputs.required, 3);
  assert.equal(d.reason, 'MC');
  assert.equal(d.outcome, 'spawn');
  assert.deepEqual(d.spawn, ['p1', 'p1']);
  assert.equal(d.overflow, 0);
  assert.equal(d.state.scaleDownVerdicts, 0);
  assert.equal(d.state.lastWindowAt, 60_000);
});

test('§4.6 example 2: MC 65, LA 20, RIF average 1 → required 1 with one active at min → the parent is told', () => {
  const d = evaluateScaling(input({ memberStats: { m1: { memoryConsumption: stat(65), loadAverage: stat(20) } }, rif: stat(1) }));
  assert.equal(d.inputs.memoryConsumption!.required, 0); // below threshold → min − 1
  assert.equal(d.inputs.loadAverage!.required, 1);
  assert.equal(d.inputs.requestsInFlight!.required, 1); // ceil(1 / 20)
  assert.equal(d.reason, 'RIF'); // RIF first when several give the required count
  assert.equal(d.outcome, 'at-min');
  assert.equal(d.belowMin, true);
  assert.deepEqual([d.spawn, d.terminate], [[], []]);
});

test('§4.6 example 3: 3 active, MC 60, LA 10, RIF 0 → required 1; the 4th verdict terminates the least loaded, then one per verdict down to min', () => {
  // means MC 60, LA 10; loads (LA + MC)/2: m1 (12+62)/2 = 37, m2 (8+58)/2 = 33, m3 (10+60)/2 = 35
  const all: Record<string, MemberStats> = {
    m1: { memoryConsumption: stat(62), loadAverage: stat(12) },
    m2: { memoryConsumption: stat(58), loadAverage: stat(8) },
    m3: { memoryConsumption: stat(60), loadAverage: stat(10) },
  };
  let members = [member('m1'), member('m2'), member('m3')];
  let state: ClusterScalingState = INITIAL_SCALING_STATE;
  const outcomes: string[] = [];
  const terminated: string[] = [];
  for (let i = 1; i <= 7; i++) {
    const d = evaluateScaling(input({ members, memberStats: all, rif: stat(0), windowAt: i * 60_000 }), state);
    if (i === 1) {
      assert.equal(d.inputs.memoryConsumption!.required, 0);
      assert.equal(d.inputs.loadAverage!.required, 1); // ceil((12 + 8 + 10) / 70) = ceil(0.43)
      assert.equal(d.inputs.required, 1);
    }
    outcomes.push(d.outcome);
    terminated.push(...d.terminate);
    members = members.filter((m) => !d.terminate.includes(m.memberId));
    state = d.state;
  }
  assert.deepEqual(outcomes, ['scale-down-deferred', 'scale-down-deferred', 'scale-down-deferred', 'terminate', 'terminate', 'at-min', 'at-min']);
  assert.deepEqual(terminated, ['m2', 'm3']);
  assert.equal(SCALING_DEFAULTS.scaleDownVerdicts.default, 4);
});

test('§4.6 example 1 through the statistics pipeline: reports every 15 s, one window, one evaluation', () => {
  const h = new HealthStatistics({ windowMs: 60_000 });
  const ci = 'app.php.domain/app-1';
  for (const t of [0, 15_000, 30_000, 45_000]) {
    h.recordMember(t, ci, 'm1', 'memoryConsumption', 85);
    h.recordMember(t, ci, 'm1', 'loadAverage', 20);
    h.recordRequestsInFlight(t, ci, 0);
  }
  const early = evaluateScaling(input({ stats: h.view(ci, 50_000) }));
  assert.equal(early.outcome, 'no-fresh-stats', 'no window closed yet');
  h.closeWindows(60_000);
  const d = evaluateScaling(input({ now: 90_000, stats: h.view(ci, 90_000) }), early.state);
  assert.equal(d.inputs.memoryConsumption!.predicted, 85);
  assert.equal(d.inputs.required, 3);
  assert.deepEqual(d.spawn, ['p1', 'p1']);
  // the next tick, before the next window closes, does not act again on the same window
  assert.equal(evaluateScaling(input({ now: 180_000, stats: h.view(ci, 180_000) }), d.state).outcome, 'no-fresh-stats');
});

test('a steady verdict resets the scale-down count (consecutive verdicts only)', () => {
  const low = { m1: { loadAverage: stat(10) }, m2: { loadAverage: stat(10) } };
  const even = { m1: { loadAverage: stat(60) }, m2: { loadAverage: stat(60) } }; // ceil(120/70) = 2
  const members = [member('m1'), member('m2')];
  const t = { loadAverage: 70 };
  let state = INITIAL_SCALING_STATE;
  const seq = [low, low, even, low, low, low, low];
  const out: string[] = [];
  seq.forEach((memberStats, i) => {
    const d = evaluateScaling(input({ members, memberStats, thresholds: t, windowAt: (i + 1) * 60_000 }), state);
    out.push(`${d.outcome}:${d.state.scaleDownVerdicts}`);
    state = d.state;
  });
  assert.deepEqual(out, [
    'scale-down-deferred:1',
    'scale-down-deferred:2',
    'steady:0',
    'scale-down-deferred:1',
    'scale-down-deferred:2',
    'scale-down-deferred:3',
    'terminate:4',
  ]);
});

test('load average: strato counts the members carrying the load; Stratos (basis min) oscillates', () => {
  const i = input({
    members: [member('m1'), member('m2')],
    thresholds: { loadAverage: 70 },
    memberStats: { m1: { loadAverage: stat(60) }, m2: { loadAverage: stat(60) } },
  });
  assert.equal(evaluateScaling(i).inputs.required, 2); // ceil(120 / 70)
  assert.equal(evaluateScaling(i).outcome, 'steady');
  const stratos = evaluateScaling(i, INITIAL_SCALING_STATE, { ...DEFAULT_SCALING_OPTIONS, loadAverageBasis: 'min' });
  assert.equal(stratos.inputs.required, 1); // ceil(1 × 60 / 70)
  assert.equal(stratos.outcome, 'scale-down-deferred');
});

test('the prediction horizon changes what a rising trend asks for', () => {
  const i = input({ thresholds: { requestsInFlight: 20 }, rif: stat(30, 0.5, 0.01) });
  assert.equal(evaluateScaling(i).inputs.required, 2); // ceil(30.505 / 20)
  const minute = evaluateScaling(i, INITIAL_SCALING_STATE, { ...DEFAULT_SCALING_OPTIONS, predictionHorizonSeconds: 60 });
  assert.equal(minute.inputs.requestsInFlight!.predicted, 78); // 30 + 30 + 18
  assert.equal(minute.inputs.required, 4); // ceil(3.9)
});

test('above max: add up to max at once and report the overflow for the parent', () => {
  const d = evaluateScaling(input({ thresholds: { requestsInFlight: 20 }, rif: stat(120) })); // needs 6
  assert.deepEqual(d.spawn, ['p1', 'p1', 'p1']);
  assert.equal(d.overflow, 2);
  assert.equal(d.outcome, 'spawn');
  const full = evaluateScaling(input({ thresholds: { requestsInFlight: 20 }, rif: stat(120), members: ['a', 'b', 'c', 'd'].map((m) => member(m)) }));
  assert.equal(full.outcome, 'at-max');
  assert.equal(full.overflow, 2);
  assert.deepEqual(full.spawn, []);
});

test('pending members that already cover the need: nothing spawned, nothing sent up', () => {
  const d = evaluateScaling(
    input({ thresholds: { requestsInFlight: 20 }, rif: stat(60), members: [member('a'), member('b', 'pending'), member('c', 'pending')] }),
  );
  assert.equal(d.inputs.required, 3);
  assert.equal(d.outcome, 'covered');
  assert.equal(d.overflow, 0);
});

test('partitions that run out: spawn what fits, the rest is overflow', () => {
  const d = evaluateScaling(input({ thresholds: { requestsInFlight: 20 }, rif: stat(60), slots: [{ id: 'p1', max: 2 }] }));
  assert.deepEqual(d.spawn, ['p1']);
  assert.equal(d.overflow, 1);
  const none = evaluateScaling(input({ thresholds: { requestsInFlight: 20 }, rif: stat(60), slots: [{ id: 'p1', max: 1 }] }));
  assert.equal(none.outcome, 'partitions-full');
  assert.equal(none.overflow, 2);
});

test('new members are placed by the partition algorithm (round-robin rotates)', () => {
  const slots: PartitionSlot[] = [
    { id: 'p1', max: 5 },
    { id: 'p2', max: 5 },
  ];
  const d = evaluateScaling(input({ thresholds: { requestsInFlight: 20 }, rif: stat(80), slots, algorithm: 'round-robin', lastPartitionIndex: 0 }));
  assert.deepEqual(d.spawn, ['p2', 'p1', 'p2']);
  assert.equal(d.lastPartitionIndex, 1);
});

test('no window closed since the last evaluation: the scaling rule does not run', () => {
  const d = evaluateScaling(input({ thresholds: { requestsInFlight: 20 }, rif: stat(120) }), { scaleDownVerdicts: 2, lastWindowAt: 60_000 });
  assert.equal(d.outcome, 'no-fresh-stats');
  assert.equal(d.reason, 'NONE');
  assert.deepEqual(d.state, { scaleDownVerdicts: 2, lastWindowAt: 60_000 });
  const never = input({});
  const { windowAt: _, ...noWindow } = never.stats;
  assert.equal(evaluateScaling({ ...never, stats: noWindow }).outcome, 'no-fresh-stats', 'no window ever closed');
});

test('min check: below min the missing members are spawned (reason MIN), before any statistics', () => {
  const d = evaluateScaling(input({ min: 2, members: [], windowAt: undefined }));
  assert.equal(d.reason, 'MIN');
  assert.deepEqual(d.spawn, ['p1', 'p1']);
});

test('max check works: beyond a partition max, then beyond the cluster max (pending first, then least loaded)', () => {
  const slots: PartitionSlot[] = [
    { id: 'p1', max: 1 },
    { id: 'p2', max: 10 },
  ];
  const d = evaluateScaling(
    input({
      slots,
      members: [member('a', 'active', 'p1'), member('b', 'active', 'p1'), member('c', 'active', 'p2')],
      memberStats: { a: { loadAverage: stat(50) }, b: { loadAverage: stat(20) } },
    }),
  );
  assert.equal(d.reason, 'MAX');
  assert.deepEqual(d.terminate, ['b']);
  const over = evaluateScaling(input({ max: 2, members: [member('a'), member('b', 'pending'), member('c')], memberStats: { a: { loadAverage: stat(5) } } }));
  assert.deepEqual(over.terminate, ['b']);
});

test('members whose statistics went stale are left out; members without statistics count 0', () => {
  const i = input({
    thresholds: { loadAverage: 70 },
    members: [member('a'), member('b'), member('c', 'pending')],
    memberStats: { a: { loadAverage: stat(100) }, b: { loadAverage: stat(500, 0, 0, 0, true) } },
  });
  const d = evaluateScaling(i);
  assert.equal(d.inputs.loadAverage!.members, 2); // a and the pending c (0)
  assert.equal(d.inputs.loadAverage!.predicted, 50);
  assert.equal(d.inputs.required, 2); // ceil(100 / 70)
});

test('a cluster with scaling dependents sends its factor to the parent instead of scaling', () => {
  const d = evaluateScaling(
    input({ min: 2, members: [member('a'), member('b')], hasScalingDependents: true, thresholds: { requestsInFlight: 20 }, rif: stat(60) }),
  );
  assert.equal(d.outcome, 'to-parent');
  assert.equal(d.dependentFactor, 3 / 2);
  assert.deepEqual(d.spawn, []);
});

test('no threshold at all: never scales', () => {
  const d = evaluateScaling(input({ thresholds: {}, rif: stat(1000) }));
  assert.equal(d.reason, 'NONE');
  assert.equal(d.outcome, 'steady');
});

test('memory formula edges: at threshold → min; max == min → min; threshold 100 → max', () => {
  assert.equal(requiredForMemory(70, 70, 2, 5), 2);
  assert.equal(requiredForMemory(90, 70, 3, 3), 3);
  assert.equal(requiredForMemory(101, 100, 1, 4), 4);
  assert.equal(requiredForMemory(100, 70, 1, 4), 4); // 1 + 30 / 10
});

// ---------------------------------------------------------------------------------------------
// Properties

const scenario = fc
  .record({
    min: fc.integer({ min: 1, max: 4 }),
    extra: fc.integer({ min: 0, max: 6 }),
    slots: fc.array(fc.record({ max: fc.integer({ min: 0, max: 8 }), obsolete: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    members: fc.array(fc.record({ pending: fc.boolean(), slot: fc.nat(), la: fc.option(fc.double({ min: 0, max: 400, noNaN: true })), stale: fc.boolean() }), {
      maxLength: 12,
    }),
    rif: fc.option(
      fc.record({
        avg: fc.double({ min: 0, max: 500, noNaN: true }),
        grad: fc.double({ min: -5, max: 5, noNaN: true }),
        sd: fc.double({ min: -1, max: 1, noNaN: true }),
      }),
    ),
    mc: fc.option(fc.integer({ min: 0, max: 100 })),
    verdicts: fc.integer({ min: 0, max: 6 }),
    basis: fc.constantFrom('members' as const, 'min' as const),
    horizon: fc.constantFrom(1, 30, 60),
    dependents: fc.boolean(),
  })
  .map((s) => {
    const slots: PartitionSlot[] = s.slots.map((x, i) => ({ id: `p${i}`, max: x.max, obsolete: x.obsolete }));
    const members = s.members.map(
      (m, i): ScalingMember => ({ memberId: `m${i}`, partitionId: slots[m.slot % slots.length].id, state: m.pending ? 'pending' : 'active' }),
    );
    const memberStats: Record<string, MemberStats> = {};
    s.members.forEach((m, i) => {
      if (m.la !== null) memberStats[`m${i}`] = { loadAverage: stat(m.la, 0, 0, 60_000, m.stale), memoryConsumption: stat(m.la / 4) };
    });
    const i = input({
      min: s.min,
      max: s.min + s.extra,
      slots,
      members,
      memberStats,
      hasScalingDependents: s.dependents,
      thresholds: { loadAverage: 70, requestsInFlight: 20, ...(s.mc !== null ? { memoryConsumption: s.mc } : {}) },
      ...(s.rif ? { rif: stat(s.rif.avg, s.rif.grad, s.rif.sd) } : {}),
    });
    return {
      i,
      state: { scaleDownVerdicts: s.verdicts },
      options: { ...DEFAULT_SCALING_OPTIONS, loadAverageBasis: s.basis, predictionHorizonSeconds: s.horizon },
    };
  });

/** Room left in the non-obsolete partitions, given where the members are. */
const room = (slots: readonly PartitionSlot[], members: readonly ScalingMember[]) =>
  slots.filter((p) => !p.obsolete).reduce((n, p) => n + Math.max(0, p.max - members.filter((m) => m.partitionId === p.id).length), 0);

test('property: after one evaluation the member count is within [min, max] as far as partitions allow, and a scale-down never goes below min', () => {
  fc.assert(
    fc.property(scenario, ({ i, state, options }) => {
      const d = evaluateScaling(i, state, options);
      const before = i.members.length;
      const after = before + d.spawn.length - d.terminate.length;
      assert.equal(new Set(d.terminate).size, d.terminate.length, 'a member is terminated once');
      if (d.spawn.length > 0) assert.equal(d.terminate.length, 0, 'never both');
      if (d.terminate.length > 0 && d.reason !== 'MAX') assert.ok(after >= i.min, `scale-down below min: ${after} < ${i.min}`);
      if (d.reason !== 'MAX' && d.spawn.length > 0) assert.ok(after <= i.max, `spawned beyond max: ${after} > ${i.max}`);
      if (before > i.max) assert.equal(d.reason, 'MAX');
      if (d.reason === 'MAX') assert.ok(after <= i.max, `max check left ${after} > ${i.max}`);
      if (before < i.min) assert.ok(d.reason === 'MIN' || d.reason === 'MAX', `below min: ${d.reason}`);
      if (d.reason === 'MIN') assert.equal(after, before + Math.min(i.min - before, room(i.slots, i.members)), 'min check fills to min as partitions allow');
      if (d.inputs.required !== undefined) {
        const capped = Math.min(Math.max(d.inputs.required, i.min), i.max);
        if (d.outcome === 'spawn' && d.reason !== 'MIN') assert.ok(after <= capped, `spawned past the capped requirement ${after} > ${capped}`);
        assert.equal(d.overflow >= Math.max(0, d.inputs.required - i.max), true, 'overflow covers required − max');
      }
      if (d.outcome === 'terminate' && d.reason !== 'MAX') assert.equal(d.terminate.length, 1, 'one member per evaluation');
    }),
    draws(500),
  );
});

test('property: repeated evaluations (pending members become active) keep the count within [min, max]', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 5 }),
      fc.array(fc.double({ min: 0, max: 300, noNaN: true }), { minLength: 5, maxLength: 30 }),
      (min, extra, loads) => {
        const max = min + extra;
        let members: ScalingMember[] = [];
        let state: ClusterScalingState = INITIAL_SCALING_STATE;
        let n = 0;
        loads.forEach((load, k) => {
          const memberStats: Record<string, MemberStats> = {};
          for (const m of members) memberStats[m.memberId] = { loadAverage: stat(load / Math.max(1, members.length)) };
          const d = evaluateScaling(input({ min, max, members, memberStats, thresholds: { loadAverage: 70 }, windowAt: (k + 1) * 60_000 }), state);
          members = members.filter((m) => !d.terminate.includes(m.memberId)).map((m) => ({ ...m, state: 'active' as const }));
          for (const p of d.spawn) members.push({ memberId: `n${n++}`, partitionId: p, state: 'pending' });
          state = d.state;
          assert.ok(members.length >= min && members.length <= max, `count ${members.length} outside [${min}, ${max}]`);
        });
      },
    ),
    draws(300),
  );
});
