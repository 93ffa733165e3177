import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../src/index.ts';

describe('FakeClock', () => {
  const T0 = Date.UTC(2026, 0, 1);

  it('moves only when advanced, and runs each task at its own instant, in due order', () => {
    const clock = new FakeClock(T0);
    const seen: string[] = [];
    clock.every('tick', 1000, () => seen.push(`tick@${clock.now() - T0}`));
    clock.after('once', 2500, () => seen.push(`once@${clock.now() - T0}`));
    assert.equal(clock.now(), T0);
    assert.deepEqual(clock.advance(999), []);
    assert.deepEqual(clock.advance(3001), ['tick', 'tick', 'once', 'tick', 'tick']);
    assert.deepEqual(seen, ['tick@1000', 'tick@2000', 'once@2500', 'tick@3000', 'tick@4000']);
    assert.equal(clock.now(), T0 + 4000);
    assert.deepEqual(clock.pending(), ['tick@1000']);
  });

  it('runs a 24-hour timer in one step, and tasks scheduled by tasks when they fall due', () => {
    const clock = new FakeClock(T0);
    const seen: number[] = [];
    clock.after('a day', 86_400_000, () => {
      seen.push(clock.now() - T0);
      clock.after('a second later', 1000, () => seen.push(clock.now() - T0));
    });
    assert.deepEqual(clock.runNext(), ['a day']);
    assert.deepEqual(seen, [86_400_000]);
    assert.deepEqual(clock.advance(1000), ['a second later']);
    assert.deepEqual(seen, [86_400_000, 86_401_000]);
  });

  it('forgets cancelled tasks; ties run in the order they were scheduled', () => {
    const clock = new FakeClock(T0);
    const seen: string[] = [];
    const cancel = clock.every('cancelled', 10, () => seen.push('cancelled'));
    clock.after('first', 10, () => seen.push('first'));
    clock.after('second', 10, () => seen.push('second'));
    cancel();
    cancel();
    clock.advance(50);
    assert.deepEqual(seen, ['first', 'second']);
    assert.deepEqual(clock.pending(), []);
    assert.throws(() => clock.advance(-1), /cannot advance/);
    assert.throws(() => clock.every('zero', 0, () => undefined), /must be positive/);
  });

  it('says in how long the next task falls due', () => {
    const clock = new FakeClock(T0);
    assert.equal(clock.nextDueIn(), undefined);
    const cancel = clock.every('tick', 300, () => undefined);
    clock.after('once', 120, () => undefined);
    assert.equal(clock.nextDueIn(), 120);
    clock.advance(100);
    assert.equal(clock.nextDueIn(), 20);
    clock.advance(20);
    assert.equal(clock.nextDueIn(), 180);
    clock.advance(180);
    assert.equal(clock.nextDueIn(), 300, 'the periodic task is due again one period later');
    cancel();
    assert.equal(clock.nextDueIn(), undefined);
  });
});
