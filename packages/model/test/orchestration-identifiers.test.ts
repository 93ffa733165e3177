import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aliasOfClusterId,
  applicationInstanceId,
  clusterHostName,
  clusterId,
  clusterInstanceId,
  clusterInstanceLifeCycleId,
  groupInstanceId,
  memberId,
  parentInstanceLifeCycleId,
  scalingDecisionId,
} from '../src/orchestration/index.ts';

test('clusterId is <appId>.<alias>.<type>.domain', () => {
  assert.equal(clusterId('single-cartridge-app', 'my-php', 'php'), 'single-cartridge-app.my-php.php.domain');
});

test('aliasOfClusterId takes the text between the first and second dot', () => {
  assert.equal(aliasOfClusterId('app.my-php.php.domain'), 'my-php');
  assert.equal(aliasOfClusterId(clusterId('a', 'b-c', 'tomcat')), 'b-c');
  assert.equal(aliasOfClusterId('nodots'), undefined);
  assert.equal(aliasOfClusterId('one.dot'), undefined);
});

test('clusterHostName: single-tenant includes the alias, multi-tenant does not', () => {
  assert.equal(clusterHostName('app', 'my-php', 'php.stratos.org', false), 'app.my-php.php.stratos.org');
  assert.equal(clusterHostName('app', 'my-php', 'php.stratos.org', true), 'app.php.stratos.org');
});

test('applicationInstanceId is <appId>-<n>', () => {
  assert.equal(applicationInstanceId('group-startup-order-test', 1), 'group-startup-order-test-1');
});

test('groupInstanceId is the parent instance id unless group scaling is enabled', () => {
  assert.equal(groupInstanceId('app-1', 'group3', 1, false), 'app-1');
  assert.equal(groupInstanceId('app-1', 'group3', 2, true), 'group3-2');
});

test('clusterInstanceId is the parent instance id', () => {
  assert.equal(clusterInstanceId('my-group-1'), 'my-group-1');
});

test('memberId appends the UUID without a separator; scaling decision id uses a dash', () => {
  const uuid = '3f2b9c1e-0000-4000-8000-000000000001';
  assert.equal(memberId('app.a.php.domain', uuid), `app.a.php.domain${uuid}`);
  assert.equal(scalingDecisionId('app.a.php.domain', uuid), `app.a.php.domain-${uuid}`);
});

test('life-cycle identifiers', () => {
  assert.equal(clusterInstanceLifeCycleId('app.a.php.domain', 'app-1'), 'app.a.php.domain_app-1');
  assert.equal(parentInstanceLifeCycleId('my-group', 'app-1'), 'my-group_app-1');
});
