import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import { decideClusterInstance, type ClusterInstanceFacts, type ClusterTimings, type MemberFacts, type MemberStatus } from '../src/orchestration/index.ts';

const MIN = 60_000;
const T: ClusterTimings = {
  pendingMemberExpiryTimeout: 15 * MIN,
  pendingTerminationMemberExpiryTimeout: 30 * MIN,
  obsoletedMemberExpiryTimeout: 24 * 60 * MIN,
  clusterMonitorInterval: 90_000,
  iaasRetryInterval: 5000,
};
const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

const member = (memberId: string, status: MemberStatus, more: Partial<MemberFacts> = {}): MemberFacts => ({
  memberId,
  partitionId: 'p1',
  status,
  disposition: 'normal',
  initTime: NOW - MIN,
  hasInstance: status !== 'Created',
  terminating: false,
  launching: false,
  ...more,
});

const instance = (more: Partial<ClusterInstanceFacts> = {}): ClusterInstanceFacts => ({
  status: 'Created',
  min: 1,
  max: 3,
  force: false,
  spinAfterTerminate: false,
  algorithm: 'one-after-another',
  slots: [
    { id: 'p1', max: 2 },
    { id: 'p2', max: 2 },
  ],
  members: [],
  ...more,
});

test('a new cluster instance spawns its minimum, one-after-another fills the first partition first', () => {
  const d = decideClusterInstance(instance({ min: 3 }), NOW, T);
  assert.deepEqual(d.spawn, ['p1', 'p1', 'p2']);
  assert.deepEqual(d.steps, []);
  assert.equal(d.status, undefined);
  assert.equal(d.partitionsFull, false);
});

test('round-robin spreads the minimum over the partitions from where it left off', () => {
  const d = decideClusterInstance(instance({ min: 3, algorithm: 'round-robin', lastPartitionIndex: 0 }), NOW, T);
  assert.deepEqual(d.spawn, ['p2', 'p1', 'p2']);
  assert.equal(d.lastPartitionIndex, 1);
});

test('a minimum beyond every partition spawns what fits and says the partitions are full', () => {
  const d = decideClusterInstance(instance({ min: 6, max: 6 }), NOW, T);
  assert.deepEqual(d.spawn, ['p1', 'p1', 'p2', 'p2']);
  assert.equal(d.partitionsFull, true);
});

test('no member is spawned during the back-off after an IaaS start failure, and one is right after it', () => {
  assert.deepEqual(decideClusterInstance(instance({ spawnBackoffUntil: NOW + 1 }), NOW, T).spawn, []);
  assert.deepEqual(decideClusterInstance(instance({ spawnBackoffUntil: NOW }), NOW, T).spawn, ['p1']);
});

test('pending members count toward the minimum; the instance is Active once min members are Active', () => {
  const starting = instance({ min: 2, members: [member('a', 'Active'), member('b', 'Starting')] });
  const d1 = decideClusterInstance(starting, NOW, T);
  assert.deepEqual(d1.spawn, []);
  assert.equal(d1.status, undefined);
  const d2 = decideClusterInstance({ ...starting, members: [member('a', 'Active'), member('b', 'Active')] }, NOW, T);
  assert.equal(d2.status, 'Active');
});

test('an Active instance that falls below its minimum is Inactive and spawns a replacement', () => {
  const d = decideClusterInstance(
    instance({ status: 'Active', min: 2, members: [member('a', 'Active'), member('b', 'Active', { disposition: 'obsolete', terminating: true })] }),
    NOW,
    T,
  );
  assert.equal(d.status, 'Inactive');
  assert.deepEqual(d.spawn, ['p1']);
});

test('above the maximum, members are drained: a pending one of the chosen partition first, Active ones gracefully', () => {
  const members = [
    member('a1', 'Active'),
    member('a2', 'Active'),
    member('b1', 'Active', { partitionId: 'p2' }),
    member('b2', 'Starting', { partitionId: 'p2' }),
  ];
  const d = decideClusterInstance(instance({ status: 'Active', min: 1, max: 2, members }), NOW, T);
  // one-after-another scales down from the last partition used
  assert.deepEqual(d.steps, [
    { memberId: 'b2', step: 'obsolete', reason: 'scaled-down', terminate: true },
    { memberId: 'b1', step: 'drain', reason: 'scaled-down', requestCleanup: true },
  ]);
  assert.deepEqual(d.spawn, []);
});

test('spinAfterTerminate counts members on their way out toward the minimum', () => {
  const members = [member('a', 'Active', { disposition: 'terminationPending', dispositionAt: NOW, cleanupSentAt: NOW })];
  assert.deepEqual(decideClusterInstance(instance({ members }), NOW, T).spawn, ['p1']);
  assert.deepEqual(decideClusterInstance(instance({ members, spinAfterTerminate: true }), NOW, T).spawn, []);
});

test('a pending member expires one millisecond after its partition timeout and is counted for the doubling', () => {
  const created = NOW - 15 * MIN;
  const at = (now: number) => decideClusterInstance(instance({ members: [member('m', 'Initialized', { initTime: created })] }), now, T);
  assert.deepEqual(at(NOW).steps, []);
  const d = at(NOW + 1);
  assert.deepEqual(d.steps, [{ memberId: 'm', step: 'obsolete', reason: 'pending-expired', terminate: true }]);
  assert.deepEqual(d.pendingExpiries, { p1: { consecutive: 1, timeoutMs: 15 * MIN } });
  // the expired member no longer counts: its replacement is spawned in the same decision
  assert.deepEqual(d.spawn, ['p1']);
  // the sixth consecutive expiry doubles the partition's timeout
  const sixth = decideClusterInstance(
    instance({ members: [member('m', 'Starting', { initTime: created })], pendingExpiries: { p1: { consecutive: 5, timeoutMs: 15 * MIN } } }),
    NOW + 1,
    T,
  );
  assert.deepEqual(sixth.pendingExpiries, { p1: { consecutive: 6, timeoutMs: 30 * MIN } });
});

test('a member created without an instance is launched, unless a launch is under way', () => {
  assert.deepEqual(decideClusterInstance(instance({ members: [member('m', 'Created')] }), NOW, T).steps, [{ memberId: 'm', step: 'launch' }]);
  assert.deepEqual(decideClusterInstance(instance({ members: [member('m', 'Created', { launching: true })] }), NOW, T).steps, []);
});

test('a draining member is asked again every monitor interval, and made obsolete 30 minutes after it was first asked', () => {
  const draining = (sentAgo: number, askedAgo: number) =>
    instance({
      status: 'Active',
      members: [
        member('keep', 'Active'),
        member('d', 'Active', { disposition: 'terminationPending', dispositionAt: NOW - askedAgo, cleanupSentAt: NOW - sentAgo }),
      ],
    });
  assert.deepEqual(decideClusterInstance(draining(89_999, 5 * MIN), NOW, T).steps, []);
  assert.deepEqual(decideClusterInstance(draining(90_000, 5 * MIN), NOW, T).steps, [{ memberId: 'd', step: 'requestCleanup' }]);
  assert.deepEqual(decideClusterInstance(draining(90_000, 30 * MIN), NOW, T).steps, [{ memberId: 'd', step: 'requestCleanup' }]);
  assert.deepEqual(decideClusterInstance(draining(90_000, 30 * MIN + 1), NOW, T).steps, [
    { memberId: 'd', step: 'obsolete', reason: 'cleanup-expired', terminate: true },
  ]);
});

test('an obsolete member is terminated, retried 5 s after a failure, left alone while terminating, forgotten after 24 hours', () => {
  const obsolete = (more: Partial<MemberFacts>) =>
    instance({ status: 'Active', members: [member('keep', 'Active'), member('o', 'Active', { disposition: 'obsolete', dispositionAt: NOW - MIN, ...more })] });
  assert.deepEqual(decideClusterInstance(obsolete({}), NOW, T).steps, [{ memberId: 'o', step: 'terminate' }]);
  assert.deepEqual(decideClusterInstance(obsolete({ terminateFailedAt: NOW - 4999 }), NOW, T).steps, []);
  assert.deepEqual(decideClusterInstance(obsolete({ terminateFailedAt: NOW - 5000 }), NOW, T).steps, [{ memberId: 'o', step: 'terminate' }]);
  assert.deepEqual(decideClusterInstance(obsolete({ terminating: true }), NOW, T).steps, []);
  assert.deepEqual(decideClusterInstance(obsolete({ dispositionAt: NOW - 24 * 60 * MIN }), NOW, T).steps, [{ memberId: 'o', step: 'terminate' }]);
  assert.deepEqual(decideClusterInstance(obsolete({ dispositionAt: NOW - 24 * 60 * MIN - 1 }), NOW, T).steps, [{ memberId: 'o', step: 'forget' }]);
});

test('a Terminating instance drains its members gracefully, and is Terminated once none is left', () => {
  const members = [member('a', 'Active'), member('s', 'Starting'), member('r', 'ReadyToShutDown')];
  const d = decideClusterInstance(instance({ status: 'Terminating', members }), NOW, T);
  assert.deepEqual(d.steps, [
    { memberId: 'a', step: 'drain', reason: 'drained', requestCleanup: true },
    { memberId: 's', step: 'obsolete', reason: 'drained', terminate: true },
    { memberId: 'r', step: 'drain', reason: 'drained', requestCleanup: false },
  ]);
  assert.equal(d.status, undefined);
  assert.equal(decideClusterInstance(instance({ status: 'Terminating', members: [] }), NOW, T).status, 'Terminated');
});

test('a forced undeployment makes every member obsolete and terminates it at once', () => {
  const members = [member('a', 'Active'), member('d', 'Active', { disposition: 'terminationPending', dispositionAt: NOW - MIN })];
  const d = decideClusterInstance(instance({ status: 'Terminating', force: true, members }), NOW, T);
  assert.deepEqual(d.steps, [
    { memberId: 'a', step: 'obsolete', reason: 'forced', terminate: false },
    { memberId: 'a', step: 'terminate' },
    { memberId: 'd', step: 'obsolete', reason: 'forced', terminate: false },
    { memberId: 'd', step: 'terminate' },
  ]);
});

test('members counted after a decision stay within [min, max] whatever the instance has', () => {
  const statuses: MemberStatus[] = ['Created', 'Initialized', 'Starting', 'Active'];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 6 }),
      fc.array(fc.record({ status: fc.constantFrom(...statuses), partition: fc.constantFrom('p1', 'p2') }), { maxLength: 12 }),
      (min, extra, drawn) => {
        const max = min + extra;
        const members = drawn.map((m, i) => member(`m${i}`, m.status, { partitionId: m.partition }));
        const d = decideClusterInstance(
          instance({
            status: 'Active',
            min,
            max,
            slots: [
              { id: 'p1', max: 100 },
              { id: 'p2', max: 100 },
            ],
            members,
          }),
          NOW,
          T,
        );
        const leaving = new Set(d.steps.filter((s) => s.step === 'obsolete' || s.step === 'drain').map((s) => s.memberId));
        const counted = members.filter((m) => !leaving.has(m.memberId)).length + d.spawn.length;
        assert.ok(counted >= Math.min(min, members.length + d.spawn.length), `at least the minimum: ${counted} < ${min}`);
        assert.ok(counted <= Math.max(max, min), `at most the maximum: ${counted} > ${max}`);
        if (members.length <= max) assert.equal(leaving.size, 0, 'nothing drained within the maximum');
        if (members.length >= min) assert.equal(d.spawn.length, 0, 'nothing spawned at or above the minimum');
      },
    ),
    draws(300),
  );
});
