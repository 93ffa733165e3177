import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SPIN_AFTER_TERMINATE, DEFAULT_TIMINGS, TIMING_DEFAULTS } from '../src/orchestration/index.ts';

test("Stratos's default timings (orchestration.md §3.12)", () => {
  assert.equal(DEFAULT_TIMINGS.clusterMonitorInterval, 90_000);
  assert.equal(DEFAULT_TIMINGS.parentMonitorInterval, 60_000);
  assert.equal(DEFAULT_TIMINGS.pendingMemberExpiryTimeout, 15 * 60_000);
  assert.equal(DEFAULT_TIMINGS.pendingTerminationMemberExpiryTimeout, 30 * 60_000);
  assert.equal(DEFAULT_TIMINGS.obsoletedMemberExpiryTimeout, 24 * 3_600_000);
  assert.equal(DEFAULT_TIMINGS.memberListWatcherInterval, 15_000);
  assert.equal(DEFAULT_TIMINGS.memberFaultTimeout, 60_000);
  assert.equal(DEFAULT_TIMINGS.completeTopologyInterval, 60_000);
  assert.equal(DEFAULT_TIMINGS.mockHealthStatPublishInterval, 15_000);
  assert.equal(DEFAULT_TIMINGS.lbStatsPublishInterval, 15_000);
  assert.equal(DEFAULT_TIMINGS.cloudControllerClientTimeout, 300_000);
  assert.equal(DEFAULT_TIMINGS.agentPublisherTimeout, 900_000);
  assert.equal(DEFAULT_SPIN_AFTER_TERMINATE, false);
});

test('every default is documented, named after its key and a positive whole number of ms', () => {
  for (const [key, d] of Object.entries(TIMING_DEFAULTS)) {
    assert.equal(d.name, key);
    assert.ok(Number.isInteger(d.default) && d.default > 0, key);
    assert.ok(d.meaning.length > 10, key);
    assert.equal(DEFAULT_TIMINGS[key as keyof typeof DEFAULT_TIMINGS], d.default);
  }
  assert.ok(Object.isFrozen(TIMING_DEFAULTS) && Object.isFrozen(DEFAULT_TIMINGS));
});
