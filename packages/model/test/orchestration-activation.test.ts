import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applicationAggregateStatus,
  enoughGroupInstancesActive,
  rollUpChildren,
  type ChildInstanceState,
  type ClusterStatus,
  type GroupStatus,
} from '../src/orchestration/index.ts';

const cl = (status: ClusterStatus | undefined): ChildInstanceState => ({ kind: 'cluster', status });
const gr = (...statuses: GroupStatus[]): ChildInstanceState => ({ kind: 'group', statuses });

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

test('verifyGroupStatus: at least groupMin instances Active', () => {
  assert.equal(enoughGroupInstancesActive(['Active', 'Created'], 1), true);
  assert.equal(enoughGroupInstancesActive(['Active', 'Created'], 2), false);
  assert.equal(enoughGroupInstancesActive([], 0), true);
});

test('application aggregate status', () => {
  assert.equal(applicationAggregateStatus([]), 'Inactive');
  assert.equal(applicationAggregateStatus(['Active', 'Active']), 'Active');
  assert.equal(applicationAggregateStatus(['Active', 'Created']), 'Inactive');
});
