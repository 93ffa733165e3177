import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  burstInstanceToDrain,
  decideBurst,
  decideGroupScaleDown,
  decideGroupScaleUp,
  type GroupInstanceFacts,
  type GroupScalingFacts,
  groupInstanceCorrection,
  groupInstancesForFactor,
  groupInstanceToTerminate,
  networkPartitionSteps,
} from '../src/index.ts';

const group = (over: Partial<GroupScalingFacts> = {}): GroupScalingFacts => ({
  enabled: true,
  min: 1,
  max: 3,
  nonTerminated: 1,
  pending: 0,
  partitionAvailable: true,
  hasScalingDependents: false,
  ...over,
});

test('a child at max: a new group instance when group scaling is enabled, below groupMax, with a partition', () => {
  assert.deepEqual(decideGroupScaleUp(group()), { reason: 'GROUP', action: 'create-instance' });
  assert.deepEqual(decideGroupScaleUp(group({ pending: 1 })), { reason: 'NONE', action: 'wait' });
  // otherwise the request goes on to the parent (which may burst)
  assert.deepEqual(decideGroupScaleUp(group({ enabled: false })), { reason: 'NONE', action: 'forward' });
  assert.deepEqual(decideGroupScaleUp(group({ nonTerminated: 3 })), { reason: 'NONE', action: 'forward' });
  assert.deepEqual(decideGroupScaleUp(group({ partitionAvailable: false })), { reason: 'NONE', action: 'forward' });
});

test('a group with scaling dependents asks its parent for one instance more than now', () => {
  // 2 instances, groupMin 1: factor 3 (Stratos's (min + 1) / min = 2 would ask for nothing new)
  assert.deepEqual(decideGroupScaleUp(group({ hasScalingDependents: true, nonTerminated: 2 })), { reason: 'GROUP', action: 'scaling-event', factor: 3 });
  assert.equal(groupInstancesForFactor(3, 1, 3), 3);
  assert.equal(groupInstancesForFactor(1.5, 2, 5), 3);
  assert.equal(groupInstancesForFactor(10, 1, 3), 3, 'capped at groupMax');
  assert.equal(groupInstancesForFactor(0, 2, 5), 2, 'not below groupMin');
});

const instances = (...xs: [string, GroupInstanceFacts['status'], boolean][]): GroupInstanceFacts[] =>
  xs.map(([instanceId, status, childrenAtMin]) => ({ instanceId, status, childrenAtMin }));

test('group scale-down: the last instance whose children are all at min, while more than groupMin are left', () => {
  const two = instances(['g-1', 'Active', true], ['g-2', 'Active', true]);
  assert.deepEqual(decideGroupScaleDown(group({ nonTerminated: 2 }), two), { reason: 'GROUP', action: 'terminate-instance', instanceId: 'g-2' });
  assert.deepEqual(decideGroupScaleDown(group({ nonTerminated: 1 }), two.slice(0, 1)), { reason: 'NONE', action: 'forward' });
  assert.deepEqual(decideGroupScaleDown(group({ nonTerminated: 2 }), instances(['g-1', 'Active', false], ['g-2', 'Active', false])), {
    reason: 'NONE',
    action: 'wait',
  });
  assert.deepEqual(decideGroupScaleDown(group({ nonTerminated: 3, hasScalingDependents: true }), two), { reason: 'GROUP', action: 'scaling-event', factor: 2 });
});

test('the group instance to remove: a pending one first, else the last active', () => {
  assert.equal(groupInstanceToTerminate(instances(['g-1', 'Active', false], ['g-2', 'Created', false], ['g-3', 'Active', false])), 'g-2');
  assert.equal(groupInstanceToTerminate(instances(['g-1', 'Active', false], ['g-3', 'Active', false], ['g-4', 'Terminating', false])), 'g-3');
  assert.equal(groupInstanceToTerminate([]), undefined);
});

test('group bounds per cycle: create up to groupMin, remove beyond groupMax', () => {
  assert.equal(groupInstanceCorrection(2, 4, 0, 0), 2);
  assert.equal(groupInstanceCorrection(2, 4, 5, 5), -1);
  assert.equal(groupInstanceCorrection(2, 4, 3, 3), 0);
});

test('network partition steps: one-after-another by groups or single partitions; all-at-once in one step', () => {
  assert.deepEqual(networkPartitionSteps({ algorithm: 'one-after-another', networkPartitions: ['np1', 'np2', 'np3'] }), [['np1'], ['np2'], ['np3']]);
  assert.deepEqual(
    networkPartitionSteps({
      algorithm: 'one-after-another',
      networkPartitions: ['np1', 'np2', 'np3'],
      properties: [{ name: 'networkPartitionGroups', value: 'np1|np2, np3' }],
    }),
    [['np1', 'np2'], ['np3']],
  );
  assert.deepEqual(networkPartitionSteps({ algorithm: 'all-at-once', networkPartitions: ['np1', 'np2'] }), [['np1', 'np2']]);
});

test('bursting: the next step not wholly in use; wait while an instance is pending; none left → cannot burst', () => {
  const steps = [['np1'], ['np2', 'np3'], ['np4']];
  assert.deepEqual(decideBurst(steps, new Set(['np1']), 0), { reason: 'BURST', action: 'burst', networkPartitions: ['np2', 'np3'] });
  assert.deepEqual(decideBurst(steps, new Set(['np1', 'np2']), 0), { reason: 'BURST', action: 'burst', networkPartitions: ['np3'] });
  assert.deepEqual(decideBurst(steps, new Set(['np1', 'np2', 'np3']), 0), { reason: 'BURST', action: 'burst', networkPartitions: ['np4'] });
  assert.deepEqual(decideBurst(steps, new Set(['np1']), 1), { reason: 'NONE', action: 'wait' });
  assert.deepEqual(decideBurst(steps, new Set(['np1', 'np2', 'np3', 'np4']), 0), { reason: 'NONE', action: 'cannot-burst' });
  // all-at-once: everything is used from the start, so there is nowhere to burst
  assert.deepEqual(decideBurst([['np1', 'np2']], new Set(['np1', 'np2']), 0), { reason: 'NONE', action: 'cannot-burst' });
  // a partition freed by a drain is burst into again
  assert.deepEqual(decideBurst(steps, new Set(['np1', 'np4']), 0), { reason: 'BURST', action: 'burst', networkPartitions: ['np2', 'np3'] });
});

test('draining: burst instances go first, the latest burst before earlier ones; default partitions never', () => {
  const steps = [['np1'], ['np2'], ['np3']];
  const apps = [
    { instanceId: 'app-1', networkPartition: 'np1', status: 'Active', childrenAtMin: true },
    { instanceId: 'app-2', networkPartition: 'np2', status: 'Active', childrenAtMin: true },
    { instanceId: 'app-3', networkPartition: 'np3', status: 'Active', childrenAtMin: true },
  ];
  assert.equal(burstInstanceToDrain(steps, apps), 'app-3');
  assert.equal(burstInstanceToDrain(steps, [apps[0], apps[1], { ...apps[2], childrenAtMin: false }]), 'app-2');
  assert.equal(burstInstanceToDrain(steps, [apps[0], apps[1], { ...apps[2], status: 'Terminating' }]), 'app-2');
  assert.equal(burstInstanceToDrain(steps, [apps[0]]), undefined);
});
