import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, startTestServer, type TestServer } from '@strato/testing/server';

/**
 * Secrets in global artifacts (issue 7): a Kubernetes cluster's password properties and a
 * cartridge's IaaS identity and credential are read in clear by the super tenant's administrators
 * only; tenant users, who may read global artifacts, see them masked.
 */
describe('secrets in global artifacts', () => {
  let server: TestServer;
  const TENANT = basic('ann@secrets.test', 'ann-pw-1');
  const cluster = {
    clusterId: 'k8s-1',
    kubernetesMaster: { hostId: 'master', hostname: 'master.test', privateIPAddress: '10.0.0.1', property: [{ name: 'ssh.password', value: 'hunter2' }] },
    kubernetesHosts: [{ hostId: 'minion-1', hostname: 'minion-1.test', privateIPAddress: '10.0.0.2' }],
    portRange: { upper: 32767, lower: 30000 },
    property: [
      { name: 'payload_parameter.MB_USERNAME', value: 'system' },
      { name: 'payload_parameter.MB_PASSWORD', value: 'manager' },
    ],
  };
  const cartridge = {
    type: 'secret-php',
    category: 'framework',
    provider: 'strato',
    host: 'php.test',
    portMapping: [{ protocol: 'http', port: 80, proxyPort: 0 }],
    iaasProvider: [{ type: 'mock', imageId: 'img', identity: 'AKIAEXAMPLE', credential: 'cloud-s3cr3t' }],
  };

  before(async () => {
    server = await startTestServer();
    assert.equal((await server.call('POST', '/api/kubernetesClusters', cluster)).status, 201);
    assert.equal((await server.call('POST', '/api/cartridges', cartridge)).status, 201);
    const tenant = { tenantDomain: 'secrets.test', admin: 'ann', adminPassword: 'ann-pw-1', firstName: 'Ann', lastName: 'S', email: 'ann@secrets.test' };
    assert.equal((await server.call('POST', '/api/tenants', tenant)).status, 201);
  });
  after(() => server.stop());

  it('the super tenant admin reads them in clear', async () => {
    const k = (await server.call('GET', '/api/kubernetesClusters/k8s-1')).body;
    assert.equal(k.property.find((p: any) => p.name === 'payload_parameter.MB_PASSWORD').value, 'manager');
    assert.equal(k.kubernetesMaster.property[0].value, 'hunter2');
    const c = (await server.call('GET', '/api/cartridges/secret-php')).body;
    assert.equal(c.iaasProvider[0].credential, 'cloud-s3cr3t');
  });

  it('a tenant administrator sees every secret masked, in items, lists and parts, and everything else', async () => {
    const answers = [
      await server.call('GET', '/api/kubernetesClusters/k8s-1', undefined, TENANT),
      await server.call('GET', '/api/kubernetesClusters', undefined, TENANT),
      await server.call('GET', '/api/kubernetesClusters/k8s-1/master', undefined, TENANT),
      await server.call('GET', '/api/cartridges/secret-php', undefined, TENANT),
      await server.call('GET', '/api/cartridges', undefined, TENANT),
      await server.call('GET', '/api/cartridges/filter/singleTenant', undefined, TENANT),
    ];
    for (const a of answers) {
      assert.equal(a.status, 200);
      const text = JSON.stringify(a.body);
      for (const secret of ['manager', 'hunter2', 'AKIAEXAMPLE', 'cloud-s3cr3t']) assert.ok(!text.includes(secret), `${secret} in ${text.slice(0, 200)}`);
    }
    const k = answers[0].body;
    assert.equal(k.property.find((p: any) => p.name === 'payload_parameter.MB_PASSWORD').value, '********');
    assert.equal(k.property.find((p: any) => p.name === 'payload_parameter.MB_USERNAME').value, 'system', 'what is not secret is shown');
    assert.equal(answers[3].body.iaasProvider[0].imageId, 'img');
  });

  it('masking changes nothing stored', async () => {
    await server.call('GET', '/api/kubernetesClusters/k8s-1', undefined, TENANT);
    const k = (await server.call('GET', '/api/kubernetesClusters/k8s-1')).body;
    assert.equal(k.property.find((p: any) => p.name === 'payload_parameter.MB_PASSWORD').value, 'manager');
  });
});
