import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { FakeClock } from '@strato/testing';
import { FaultDetector } from '../src/health/fault-detector.ts';
import type { Store } from '../src/store/store.ts';
import type { MemberRuntime } from '../src/runtime/runtime-model.ts';
import { RuntimeState } from '../src/runtime/runtime-state.ts';

/** Member fault detection on a fake clock: the instant a silent member is reported, to the millisecond. */
describe('fault detector', () => {
  const member = (memberId: string, status: MemberRuntime['status']): MemberRuntime => ({
    memberId,
    applicationId: 'app',
    clusterId: 'app.web.web.domain',
    clusterInstanceId: 'app-1',
    serviceName: 'web',
    networkPartitionId: 'np',
    partitionId: 'p1',
    provider: 'mock',
    status,
    initTime: 0,
    disposition: 'normal',
  });

  function detector(timeout: number, interval: number) {
    const clock = new FakeClock();
    // the detector only reads members from the state; no write reaches the store
    const state = new RuntimeState(undefined as unknown as Store);
    const faults: [string, number][] = [];
    const d = new FaultDetector(state, {
      faultTimeout: () => timeout,
      checkInterval: () => interval,
      onFault: (id) => faults.push([id, clock.now()]),
      clock,
      scheduler: clock,
      log: pino({ level: 'silent' }),
    });
    return { clock, state, faults, d };
  }

  it('reports an Active member silent for more than the fault timeout at the first check after it, once', () => {
    const { clock, state, faults, d } = detector(60_000, 15_000);
    const t0 = clock.now();
    state.putMember(member('m1', 'Active'));
    state.putMember(member('m2', 'Active'));
    d.start();
    clock.advance(30_000);
    d.seen('m2'); // m2 reports at 30 s, then falls silent too
    clock.advance(30_000); // 60 s: m1 silent exactly 60 s: not more than the timeout yet
    assert.deepEqual(faults, []);
    clock.advance(15_000); // 75 s: m1 silent 75 s
    assert.deepEqual(faults, [['m1', t0 + 75_000]]);
    clock.advance(15_000); // 90 s: m2 silent exactly 60 s
    assert.deepEqual(faults.length, 1);
    clock.advance(15_000); // 105 s: m2 silent 75 s; m1 not reported again
    assert.deepEqual(faults, [
      ['m1', t0 + 75_000],
      ['m2', t0 + 105_000],
    ]);
    clock.advance(600_000);
    assert.equal(faults.length, 2, 'each silence is reported once');
    d.stop();
    assert.deepEqual(clock.pending(), []);
  });

  it('ignores members that do not serve yet (Starting) and obsolete ones', () => {
    const { clock, state, faults, d } = detector(1000, 500);
    state.putMember(member('starting', 'Starting'));
    state.putMember({ ...member('obsolete', 'Active'), disposition: 'obsolete' });
    d.start();
    clock.advance(10_000);
    assert.deepEqual(faults, []);
  });
});
