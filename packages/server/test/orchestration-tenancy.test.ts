import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeploy, MANIFEST, samplesMissing, sampleText } from '@strato/testing';
import { basic, FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/**
 * Applications belong to a tenant: its users deploy and watch them, no other tenant sees them. In
 * process: an in-memory broker and a fake clock that moves while the test waits.
 */
describe('deploying as a tenant', { skip: samplesMissing }, () => {
  let server: InProcessServer;
  const bob = basic('bob@acme.com', 'bob-secret');
  const eve = basic('eve@other.org', 'eve-secret');
  before(async () => {
    server = await startInProcessServer({}, FAST_ENV);
    for (const [domain, admin, password] of [
      ['acme.com', 'bob', 'bob-secret'],
      ['other.org', 'eve', 'eve-secret'],
    ]) {
      const tenant = { tenantDomain: domain, admin, adminPassword: password, firstName: admin, lastName: 'X', email: `${admin}@${domain}` };
      assert.equal((await server.call('POST', '/api/tenants', tenant)).status, 201);
    }
    const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
    for (const call of entry.deploy) {
      if (isDeploy(call)) break;
      // global artifacts by the super tenant, the application by bob
      const auth = call.path === '/api/applications' ? bob : undefined;
      assert.equal((await server.call(call.method, call.path, sampleText(call.body!), auth)).status, 201, call.path);
    }
  });
  after(() => server?.stop());

  it('a tenant deploys its application and sees it Active; no other tenant can see or touch it', async () => {
    const appId = 'single-cartridge-app';
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '', eve)).status, 404);
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '', bob)).status, 202);
    const runtime = await server.waitFor('Active', async () => {
      const r = await server.call('GET', `/api/applications/${appId}/runtime`, undefined, bob);
      return r.body.status === 'Active' ? r.body : undefined;
    });
    assert.equal(runtime.tenantDomain, 'acme.com');
    assert.equal(runtime.tenantAdminUsername, 'bob');
    assert.equal((await server.call('GET', `/api/applications/${appId}/runtime`, undefined, eve)).status, 404);
    assert.equal((await server.call('GET', `/api/applications/${appId}/runtime`)).status, 404, 'not even the super tenant sees it');
    assert.equal((await server.call('GET', `/api/cluster/${appId}.my-php.php.domain`, undefined, eve)).status, 404);
    assert.equal((await server.call('GET', `/api/cluster/${appId}.my-php.php.domain`, undefined, bob)).status, 200);
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy`, '', eve)).status, 404);
    assert.equal((await server.call('DELETE', '/api/cartridges/php')).status, 409, 'a global cartridge used by a tenant application stays');
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy`, '', bob)).status, 202);
    await server.waitFor('Created', async () => (await server.call('GET', `/api/applications/${appId}`, undefined, bob)).body.status === 'Created');
  });
});
