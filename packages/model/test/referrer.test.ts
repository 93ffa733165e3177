import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referrerOf } from '../src/index.ts';
import { add, application, cartridge, fixtureCatalog, sub } from './fixtures.ts';

test('referrerOf: a cartridge used by a cartridge group (any depth)', () => {
  const c = fixtureCatalog();
  assert.equal(referrerOf('cartridge', 'mysql', c), 'Cannot remove cartridge mysql: it is used by cartridge group web-group');
  assert.equal(referrerOf('cartridge', 'php', c), 'Cannot remove cartridge php: it is used by cartridge group web-group');
});

test('referrerOf: a cartridge used by an application', () => {
  const c = fixtureCatalog();
  assert.equal(referrerOf('cartridge', 'tomcat', c), undefined);
  add(c, 'application', application());
  assert.equal(referrerOf('cartridge', 'tomcat', c), 'Cannot remove cartridge tomcat: it is used by application app');
  c.applications.clear();
  assert.equal(referrerOf('cartridge', 'tomcat', c), undefined);
});

test('referrerOf: a cartridge group used by an application', () => {
  const c = fixtureCatalog();
  assert.equal(referrerOf('cartridgeGroup', 'web-group', c), undefined);
  add(c, 'application', application());
  assert.equal(referrerOf('cartridgeGroup', 'web-group', c), 'Cannot remove cartridge group web-group: it is used by application app');
});

test('referrerOf: an autoscaling policy used by a subscription at any depth', () => {
  const c = fixtureCatalog();
  add(c, 'autoscalingPolicy', { id: 'deep' });
  assert.equal(referrerOf('autoscalingPolicy', 'deep', c), undefined);
  const app = application();
  app.components.groups[0].groups[0].cartridges[0].subscribableInfo.autoscalingPolicy = 'deep';
  add(c, 'application', app);
  assert.equal(referrerOf('autoscalingPolicy', 'deep', c), 'Cannot remove autoscaling policy deep: it is used by application app');
  assert.equal(referrerOf('autoscalingPolicy', 'as1', c), 'Cannot remove autoscaling policy as1: it is used by application app');
});

test('referrerOf: a deployment policy used directly or through a group', () => {
  const c = fixtureCatalog();
  const app = application({ components: { cartridges: [sub('tomcat', 'tc', { deploymentPolicy: 'dp2' })] } });
  add(c, 'application', app);
  assert.equal(referrerOf('deploymentPolicy', 'dp2', c), 'Cannot remove deployment policy dp2: it is used by application app');
  assert.equal(referrerOf('deploymentPolicy', 'dp1', c), undefined);
  const c2 = fixtureCatalog();
  const grouped = application();
  grouped.components.cartridges[0].subscribableInfo.deploymentPolicy = 'dp2';
  add(c2, 'application', grouped);
  assert.equal(referrerOf('deploymentPolicy', 'dp1', c2), 'Cannot remove deployment policy dp1: it is used by application app');
});

test('referrerOf: a network partition used by an application, a deployment policy, an application policy', () => {
  const c = fixtureCatalog();
  assert.equal(referrerOf('networkPartition', 'np2', c), 'Cannot remove network partition np2: it is used by deployment policy dp2');
  add(c, 'application', application());
  assert.equal(referrerOf('networkPartition', 'np1', c), 'Cannot remove network partition np1: it is used by application app');
  c.applications.clear();
  c.deploymentPolicies.delete('dp1');
  assert.equal(referrerOf('networkPartition', 'np1', c), 'Cannot remove network partition np1: it is used by application policy ap1');
  c.applicationPolicies.clear();
  assert.equal(referrerOf('networkPartition', 'np1', c), undefined);
});

test('referrerOf: an application policy recorded on an application', () => {
  const c = fixtureCatalog();
  add(c, 'application', application());
  assert.equal(referrerOf('applicationPolicy', 'ap1', c), undefined);
  c.applications.get('app')!.applicationPolicyId = 'ap1'; // recorded on deploy, kept after undeploy
  assert.equal(referrerOf('applicationPolicy', 'ap1', c), 'Cannot remove application policy ap1: it is used by application app');
});

test('referrerOf: a kubernetes cluster named by a partition', () => {
  const c = fixtureCatalog();
  add(c, 'kubernetesCluster', { clusterId: 'k1', kubernetesMaster: { hostId: 'm' }, portRange: { lower: 30000, upper: 32767 } });
  assert.equal(referrerOf('kubernetesCluster', 'k1', c), undefined);
  add(c, 'networkPartition', { id: 'knp', provider: 'kubernetes', partitions: [{ id: 'p', property: [{ name: 'cluster', value: 'k1' }] }] });
  assert.equal(referrerOf('kubernetesCluster', 'k1', c), 'Cannot remove kubernetes cluster k1: it is used by network partition knp');
});

test('referrerOf: free artifacts and kinds without references answer undefined', () => {
  const c = fixtureCatalog();
  add(c, 'cartridge', cartridge('lonely'));
  assert.equal(referrerOf('cartridge', 'lonely', c), undefined);
  assert.equal(referrerOf('application', 'app', c), undefined);
  assert.equal(referrerOf('tenant', 'example.com', c), undefined);
  assert.equal(referrerOf('user', 'bob', c), undefined);
});
