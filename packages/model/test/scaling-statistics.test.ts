import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import { HealthStatistics, StatSeries, splitRequestsInFlight, summarize, windowGradient, windowSecondDerivative, type StatPoint } from '../src/index.ts';

const near = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

const pts = (...xs: [number, number][]): StatPoint[] => xs.map(([t, value]) => ({ t, value }));

test('four points 15 s apart: average, gradient per second, second derivative per second²', () => {
  const s = summarize(pts([0, 10], [15_000, 20], [30_000, 40], [45_000, 70]))!;
  near(s.average, (10 + 20 + 40 + 70) / 4, 'average'); // 35
  near(s.gradient, (70 - 10) / 45, 'gradient'); // first→last over 45 s
  // n/2 = 2: g1 = (20−10)/15 s at t = 7.5 s; g2 = (70−40)/15 s at t = 37.5 s; (g2 − g1) / 30 s
  near(s.secondDerivative, (30 / 15 - 10 / 15) / 30, 'second derivative');
  assert.equal(s.secondDerivativeKnown, true);
  assert.equal(s.points, 4);
});

test('three points: the first half is the first point alone, so g1 = 0', () => {
  const p = pts([0, 10], [20_000, 30], [40_000, 20]);
  near(windowGradient(p), (20 - 10) / 40, 'gradient');
  // g1 = gradient(e0, e0) = 0 at t = 0; g2 = (20 − 30)/20 s = −0.5 at t = 30 s
  near(windowSecondDerivative(p), (-0.5 - 0) / 30, 'second derivative');
});

test('five points: integer halves (2 and 3 points)', () => {
  const p = pts([0, 0], [10_000, 10], [20_000, 10], [30_000, 40], [40_000, 50]);
  const s = summarize(p)!;
  near(s.average, 110 / 5, 'average');
  near(s.gradient, 50 / 40, 'gradient');
  // g1 = (10 − 0)/10 s = 1 at 5 s; g2 = (50 − 10)/20 s = 2 at 30 s; (2 − 1)/25 s
  near(s.secondDerivative, 1 / 25, 'second derivative');
});

test('too few points: one point has gradient 0; two have no second derivative; none give nothing', () => {
  const one = summarize(pts([5_000, 42]))!;
  assert.deepEqual(
    { average: one.average, gradient: one.gradient, secondDerivative: one.secondDerivative, known: one.secondDerivativeKnown },
    { average: 42, gradient: 0, secondDerivative: 0, known: false },
  );
  // two points 0.5 s apart: the gap is floored at 1 s, so (20 − 10) / 1 s
  const two = summarize(pts([0, 10], [500, 20]))!;
  near(two.gradient, 10, 'gradient with the 1-s floor');
  assert.equal(two.secondDerivativeKnown, false);
  assert.equal(two.secondDerivative, 0);
  assert.equal(windowSecondDerivative(pts([0, 10], [500, 20])), undefined);
  assert.equal(summarize([]), undefined);
  assert.equal(windowGradient([]), undefined);
});

test('out-of-order timestamps are ordered by time before the maths', () => {
  const inOrder = summarize(pts([0, 10], [15_000, 20], [30_000, 40], [45_000, 70]))!;
  const shuffled = summarize(pts([30_000, 40], [0, 10], [45_000, 70], [15_000, 20]))!;
  assert.deepEqual(shuffled, inOrder);
  // in arrival order Stratos would have taken (30 s, 40) → (15 s, 20): a negative gap floored to
  // 1 s, gradient −20/s; strato's is the true +60/45
  near(shuffled.gradient, 60 / 45, 'gradient');
});

test('a series closes its window: later points wait, too-late points are dropped and counted', () => {
  const s = new StatSeries();
  s.add(10_000, 1);
  s.add(70_000, 100); // after the close at 60 s: next window
  s.add(-200_000, 50); // older than now − 120 s: dropped
  s.add(50_000, 3);
  const w1 = s.close(60_000, 120_000)!;
  assert.equal(w1.points, 2);
  near(w1.average, 2, 'first window average');
  near(w1.gradient, 2 / 40, 'first window gradient');
  assert.equal(s.late, 1);
  const w2 = s.close(120_000, 120_000)!;
  assert.equal(w2.points, 1);
  assert.equal(w2.average, 100);
  assert.equal(s.close(180_000, 120_000), undefined, 'an empty window yields nothing');
  // the last summary is kept, with the close that produced it
  assert.equal(s.view(180_000, 120_000)!.at, 120_000);
});

test('members reporting every 15 s: member and cluster series, window time, stale members', () => {
  const h = new HealthStatistics({ windowMs: 60_000 });
  const ci = 'app.php.domain/app-1';
  for (const t of [0, 15_000, 30_000, 45_000]) {
    h.recordMember(t, ci, 'm1', 'loadAverage', 40 + t / 1500); // 40, 50, 60, 70
    h.recordMember(t + 1_000, ci, 'm2', 'loadAverage', 20);
    h.recordRequestsInFlight(t, ci, 8);
  }
  assert.equal(h.view(ci, 59_000).windowAt, undefined, 'nothing before the first close');
  h.closeWindows(60_000);
  let v = h.view(ci, 60_000);
  assert.equal(v.windowAt, 60_000);
  const m1 = v.members.get('m1')!.loadAverage!;
  near(m1.average, 55, 'm1 average');
  near(m1.gradient, 30 / 45, 'm1 gradient');
  near(m1.secondDerivative, (10 / 15 - 10 / 15) / 30, 'm1 second derivative (linear: 0)');
  near(v.cluster.loadAverage!.average, (55 * 4 + 20 * 4) / 8, 'cluster pools every member point');
  near(v.cluster.requestsInFlight!.average, 8, 'requests in flight');
  assert.equal(v.members.get('m2')!.memoryConsumption, undefined, 'a metric never reported is missing');

  // m1 stops reporting; m2 goes on
  for (const t of [60_000, 75_000, 90_000, 105_000]) h.recordMember(t, ci, 'm2', 'loadAverage', 30);
  h.closeWindows(120_000);
  h.closeWindows(180_000);
  v = h.view(ci, 180_000);
  assert.equal(v.windowAt, 120_000, 'the close at 180 s had no point at all');
  assert.equal(v.members.get('m1')!.loadAverage!.stale, false, '120 s old: not yet stale (2 windows)');
  assert.equal(h.view(ci, 180_001).members.get('m1')!.loadAverage!.stale, true, 'older than 2 windows: stale');
  assert.equal(v.members.get('m2')!.loadAverage!.average, 30);
  h.forgetMember(ci, 'm1');
  assert.equal(h.view(ci, 180_000).members.has('m1'), false);
  assert.deepEqual(h.view('unknown', 0), { cluster: {}, members: new Map() });
  assert.throws(() => new HealthStatistics({ windowMs: 0 }), /windowMs/);
});

test('requests in flight of a load balancer (not-defined instance) split by active members', () => {
  const split = splitRequestsInFlight(
    90,
    new Map([
      ['a', 1],
      ['b', 2],
      ['c', 0],
    ]),
  );
  assert.deepEqual(
    [...split],
    [
      ['a', 30],
      ['b', 60],
    ],
  );
  assert.equal(splitRequestsInFlight(90, new Map([['a', 0]])).size, 0);
});

const series = fc
  .uniqueArray(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 12 })
  .chain((ts) => fc.tuple(fc.constant(ts), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: ts.length, maxLength: ts.length })));

test('property: the summary does not depend on arrival order (distinct timestamps)', () => {
  fc.assert(
    fc.property(series, fc.integer(), ([ts, vs], seed) => {
      const p = ts.map((t, i) => ({ t, value: vs[i] }));
      const shuffled = [...p].sort((a, b) => ((a.t * 7919 + seed) % 97) - ((b.t * 7919 + seed) % 97));
      assert.deepEqual(summarize(shuffled), summarize(p));
    }),
    draws(200),
  );
});

test('property: a linear series (4 points or more) has its slope as gradient and second derivative 0', () => {
  // with 3 points Stratos's halves are [e0] and [e1, e2], so g1 = 0: the three-point test above
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 4, maxLength: 10 }),
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.double({ min: -100, max: 100, noNaN: true }),
      (secs, slope, c) => {
        const p = secs.map((s) => ({ t: s * 1000, value: c + slope * s }));
        const s = summarize(p)!;
        assert.ok(Math.abs(s.gradient - slope) < 1e-6, `gradient ${s.gradient} vs slope ${slope}`);
        assert.ok(Math.abs(s.secondDerivative) < 1e-6, `second derivative ${s.secondDerivative}`);
      },
    ),
    draws(200),
  );
});
