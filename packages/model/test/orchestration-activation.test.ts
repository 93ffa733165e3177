import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applicationAggregateStatus,
  clusterStatusOnMemberActivated,
  clusterStatusOnMemberFault,
  clusterStatusOnMemberTerminated,
  enoughGroupInstancesActive,
  isClusterInstanceActive,
  nextApplicationInstanceStatus,
  nextGroupInstanceStatus,
  rollUpChildren,
  startsDependentsOnActivation,
  type ChildInstanceState,
  type ClusterStatus,
  type GroupStatus,
} from '../src/orchestration/index.ts';

const cl = (status: ClusterStatus | undefined): ChildInstanceState => ({ kind: 'cluster', status });
const gr = (...statuses: GroupStatus[]): ChildInstanceState => ({ kind: 'group', statuses });
const none = { active: 0, pending: 0, terminationPending: 0, obsolete: 0 };

test('cluster instance is Active when active members reach cartridgeMin', () => {
  assert.equal(isClusterInstanceActive(2, 2), true);
  assert.equal(isClusterInstanceActive(1, 2), false);
  assert.equal(clusterStatusOnMemberActivated('Created', 1, 2), undefined);
  assert.equal(clusterStatusOnMemberActivated('Created', 2, 2), 'Active');
  assert.equal(clusterStatusOnMemberActivated('Inactive', 3, 2), 'Active');
  assert.equal(clusterStatusOnMemberActivated('Active', 3, 2), undefined, 'already Active');
  assert.equal(clusterStatusOnMemberActivated('Terminating', 3, 2), undefined, 'never from Terminating');
});

test('member fault drives an Active cluster instance Inactive, never a Created one', () => {
  assert.equal(clusterStatusOnMemberFault('Active', 1, 2), 'Inactive');
  assert.equal(clusterStatusOnMemberFault('Active', 2, 2), undefined);
  assert.equal(clusterStatusOnMemberFault('Created', 0, 1), undefined);
  assert.equal(clusterStatusOnMemberFault('Inactive', 0, 1), undefined);
});

test('a Terminating cluster instance with no members left is Terminated', () => {
  assert.equal(clusterStatusOnMemberTerminated('Terminating', none), 'Terminated');
  assert.equal(clusterStatusOnMemberTerminated('Terminating', { ...none, obsolete: 1 }), undefined);
  assert.equal(clusterStatusOnMemberTerminated('Terminating', { ...none, terminationPending: 1 }), undefined);
  assert.equal(clusterStatusOnMemberTerminated('Active', none), undefined);
});

test('rollUpChildren: Active, then Terminated, then Inactive', () => {
  assert.equal(rollUpChildren([cl('Active'), gr('Active'), gr('Active', 'Active')]), 'Active');
  assert.equal(rollUpChildren([cl('Active'), gr()]), undefined, 'a group child without instances is not Active');
  assert.equal(rollUpChildren([cl('Active'), cl('Created')]), undefined);
  assert.equal(rollUpChildren([cl(undefined), cl('Terminated'), gr(), gr('Terminated')]), 'Terminated');
  assert.equal(rollUpChildren([cl('Active'), cl('Inactive')]), 'Inactive');
  assert.equal(rollUpChildren([cl('Active'), gr('Active', 'Inactive')]), 'Inactive');
  assert.equal(rollUpChildren([cl('Terminating'), cl('Active')]), undefined);
  assert.equal(rollUpChildren([]), 'Active');
});

test('group and application instance next status respects the state machines', () => {
  assert.equal(nextGroupInstanceStatus('Created', [cl('Active')]), 'Active');
  assert.equal(nextGroupInstanceStatus('Active', [cl('Active')]), undefined);
  assert.equal(nextGroupInstanceStatus('Created', [cl('Inactive')]), undefined, 'Created → Inactive not allowed');
  assert.equal(nextGroupInstanceStatus('Active', [cl('Inactive'), cl('Active')]), 'Inactive');
  assert.equal(nextGroupInstanceStatus('Inactive', [cl('Inactive')]), undefined, 'already Inactive');
  assert.equal(nextGroupInstanceStatus('Inactive', [cl('Active')]), 'Active');
  assert.equal(nextGroupInstanceStatus('Terminating', [cl('Active')]), undefined);
  assert.equal(nextGroupInstanceStatus('Terminating', [cl(undefined), gr('Terminated')]), 'Terminated');
  assert.equal(nextGroupInstanceStatus('Active', [cl('Terminated')]), undefined, 'Active → Terminated not allowed');
  assert.equal(nextApplicationInstanceStatus('Created', [cl('Active'), gr('Active')]), 'Active');
  assert.equal(nextApplicationInstanceStatus('Active', [gr('Inactive')]), 'Inactive');
  assert.equal(nextApplicationInstanceStatus('Terminating', [cl('Terminated')]), 'Terminated');
  assert.equal(nextApplicationInstanceStatus('Terminated', [cl('Active')]), undefined);
});

test('verifyGroupStatus: at least groupMin instances Active', () => {
  assert.equal(enoughGroupInstancesActive(['Active', 'Created'], 1), true);
  assert.equal(enoughGroupInstancesActive(['Active', 'Created'], 2), false);
  assert.equal(enoughGroupInstancesActive([], 0), true);
});

test('dependents start on first activation or with startup dependents', () => {
  assert.equal(startsDependentsOnActivation('Created', false), true);
  assert.equal(startsDependentsOnActivation('Inactive', false), false);
  assert.equal(startsDependentsOnActivation('Inactive', true), true);
  assert.equal(startsDependentsOnActivation(undefined, false), false);
});

test('application aggregate status', () => {
  assert.equal(applicationAggregateStatus([]), 'Inactive');
  assert.equal(applicationAggregateStatus(['Active', 'Active']), 'Active');
  assert.equal(applicationAggregateStatus(['Active', 'Created']), 'Inactive');
});
