import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { membersOf, StratoApiError, StratoClient, StratoUnreachableError, type Collection } from '../src/index.ts';
import { waitFor } from '@strato/testing';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';

/** The project's own examples (examples/README.md gives their order). */
const EXAMPLES = new URL('../../../examples/', import.meta.url);
const example = (file: string) => JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8'));

describe('the typed REST client against a real server', () => {
  let server: TestServer;
  let admin: StratoClient;
  before(async () => {
    server = await startTestServer({}, FAST_ENV);
    admin = new StratoClient({ baseUrl: server.url, username: 'admin', password: 'admin' });
  });
  after(() => server.stop());

  /** [collection, example file, id] in the order of examples/README.md */
  const ordered = (): [Collection<any>, string, string][] => [
    [admin.networkPartitions, 'network-partitions/local-mock.json', 'local-mock'],
    [admin.autoscalingPolicies, 'autoscaling-policies/moderate.json', 'moderate'],
    [admin.deploymentPolicies, 'deployment-policies/local-mock.json', 'local-mock'],
    [admin.applicationPolicies, 'application-policies/local-mock.json', 'local-mock'],
    [admin.cartridges, 'cartridges/web.json', 'web'],
    [admin.cartridges, 'cartridges/api.json', 'api'],
    [admin.cartridges, 'cartridges/db.json', 'db'],
    [admin.cartridgeGroups, 'cartridge-groups/backend.json', 'backend'],
    [admin.cartridgeGroups, 'cartridge-groups/storefront.json', 'storefront'],
    [admin.applications, 'applications/hello-web.json', 'hello-web'],
    [admin.applications, 'applications/api-backend.json', 'api-backend'],
    [admin.applications, 'applications/shop.json', 'shop'],
  ];

  it('adds every example, reads each back, and refuses a duplicate with a typed 409', async () => {
    for (const [collection, file, id] of ordered()) {
      const answer = await collection.add(example(file));
      assert.equal(answer.status, 'success', file);
      assert.match(answer.message, new RegExp(`added successfully: \\[[a-z-]+\\] ${id}$`));
      const back = await collection.get(id);
      assert.equal(
        back[
          collection.path === 'cartridges'
            ? 'type'
            : collection.path === 'cartridgeGroups'
              ? 'name'
              : collection.path === 'applications'
                ? 'applicationId'
                : 'id'
        ],
        id,
      );
    }
    assert.deepEqual(
      (await admin.cartridges.list()).map((c) => c.type),
      ['web', 'api', 'db'],
    );
    assert.equal((await admin.applications.get('shop')).status, 'Created');
    const duplicate = await admin.cartridges.add(example('cartridges/web.json')).catch((e: unknown) => e);
    assert.ok(duplicate instanceof StratoApiError);
    assert.equal(duplicate.status, 409);
    assert.ok(duplicate.isConflict);
    assert.equal(duplicate.request, 'POST /api/cartridges');
    assert.match(duplicate.message, /web/);
    assert.equal(duplicate.code, 'ARTIFACT_EXISTS', 'the stable code of the envelope');
  });

  it('updates a definition, finds nothing where nothing is, and names the field of a bad definition', async () => {
    const web = example('cartridges/web.json');
    assert.equal((await admin.cartridges.update({ ...web, description: 'the front door' })).status, 'success');
    assert.equal((await admin.cartridges.get('web')).description, 'the front door');
    assert.equal(await admin.cartridges.find('no-such-cartridge'), undefined);
    const missing = await admin.cartridges.get('no-such-cartridge').catch((e: unknown) => e);
    assert.ok(missing instanceof StratoApiError && missing.isNotFound, 'get of an unknown id is a 404');
    assert.equal(missing.code, 'ARTIFACT_NOT_FOUND');
    assert.equal(missing.message, 'Cartridge not found: [cartridge-type] no-such-cartridge');
    const { category: _dropped, ...noCategory } = web;
    const bad = await admin.cartridges.add({ ...noCategory, type: 'broken' }).catch((e: unknown) => e);
    assert.ok(bad instanceof StratoApiError);
    assert.equal(bad.status, 400);
    assert.equal(bad.message, 'cartridge.category is required');
    assert.equal(bad.code, 'FIELD_REQUIRED');
    assert.equal(await admin.cartridges.find('broken'), undefined, 'nothing was written');
  });

  it('notifies a repository change (git hook); a blank URL is a 400 naming the field', async () => {
    assert.deepEqual(await admin.notifyRepository('https://git.example/nothing-uses-it.git'), {
      status: 'success',
      message: 'Repository notification sent successfully',
    });
    const blank = await admin.notifyRepository(' ').catch((e: unknown) => e);
    assert.ok(blank instanceof StratoApiError);
    assert.equal(blank.status, 400);
    assert.equal(blank.code, 'FIELD_BLANK');
    assert.equal(blank.message, 'repository.url must not be blank');
  });

  it('deploys the nested example, follows its runtime to Active, and undeploys it', async () => {
    assert.equal((await admin.deployApplication('shop', 'local-mock')).status, 'success');
    const runtime = await waitFor('shop Active', async () => {
      const view = await admin.applicationRuntime('shop');
      return view.status === 'Active' ? view : undefined;
    });
    // storefront: web ×2; its nested backend: db ×1, api ×2
    const members = membersOf(runtime);
    assert.equal(members.length, 5);
    assert.ok(members.every((m) => m.status === 'Active'));
    assert.deepEqual(await admin.applicationNetworkPartitions('shop'), ['local-mock']);
    const web = await admin.cluster('shop.shop-web.web.domain');
    assert.equal(web.alias, 'shop-web');
    assert.equal((await admin.undeployApplication('shop')).status, 'success');
    await waitFor('shop Created', async () => (await admin.applications.get('shop')).status === 'Created');
    const gone = await admin.applicationRuntime('shop').catch((e: unknown) => e);
    assert.ok(gone instanceof StratoApiError && gone.isNotFound);
    assert.equal(gone.code, 'APPLICATION_RUNTIME_NOT_FOUND');
    const undeployed = await admin.undeployApplication('shop').catch((e: unknown) => e);
    assert.ok(undeployed instanceof StratoApiError && undeployed.isConflict);
    assert.equal(undeployed.code, 'APPLICATION_NOT_DEPLOYED');
  });

  it('removes the examples in reverse order; one still in use is a typed 409 naming its user', async () => {
    const inUse = await admin.cartridges.remove('web').catch((e: unknown) => e);
    assert.ok(inUse instanceof StratoApiError && inUse.isConflict);
    assert.equal(inUse.message, 'Cannot remove cartridge web: it is used by cartridge group storefront');
    assert.equal(inUse.code, 'ARTIFACT_IN_USE');
    for (const [collection, , id] of ordered().reverse()) assert.equal((await collection.remove(id)).status, 'success', id);
    assert.deepEqual(await admin.cartridges.list(), []);
  });

  it('manages tenants and users; a tenant administrator sees its own users only', async () => {
    await admin.addTenant({ tenantDomain: 'client.test', admin: 'ann', adminPassword: 'ann-pw-1', firstName: 'Ann', lastName: 'C', email: 'ann@client.test' });
    assert.deepEqual(
      (await admin.listTenants()).map((t) => t.tenantDomain),
      ['client.test'],
    );
    const ann = new StratoClient({ baseUrl: `${server.url}/api`, username: 'ann@client.test', password: 'ann-pw-1' });
    assert.equal((await ann.init()).status, 'success');
    await ann.addUser({ userName: 'joe', credential: 'joe-pw-1', role: 'user', firstName: 'Joe', lastName: 'D', email: 'joe@client.test' });
    assert.deepEqual((await ann.listUsers()).map((u) => u.userName).sort(), ['ann', 'joe']);
    assert.deepEqual(
      (await admin.listUsers()).map((u) => u.userName),
      ['admin'],
    );
    const refused = await ann.listTenants().catch((e: unknown) => e);
    assert.ok(refused instanceof StratoApiError && refused.status === 403);
    assert.equal(refused.code, 'PERMISSION_DENIED');
  });

  it('throws a typed 401 for a wrong password', async () => {
    const wrong = new StratoClient({ baseUrl: server.url, username: 'admin', password: 'not-it' });
    const e = await wrong.cartridges.list().catch((err: unknown) => err);
    assert.ok(e instanceof StratoApiError);
    assert.ok(e.isUnauthenticated);
    assert.equal(e.request, 'GET /api/cartridges');
    assert.equal(e.code, 'LOGIN_FAILED');
  });
});

describe('the typed REST client without a server', () => {
  it('says a server is unreachable when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new StratoClient({ baseUrl: `http://127.0.0.1:${port}`, username: 'admin', password: 'admin' });
    const e = await client.health().catch((err: unknown) => err);
    assert.ok(e instanceof StratoUnreachableError);
    assert.equal(e.reason, 'ECONNREFUSED');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}.*GET /api/health`));
  });

  it('gives up on a server that never answers after its timeout', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const client = new StratoClient({ baseUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, timeoutMs: 200 });
      const e = await client.health().catch((err: unknown) => err);
      assert.ok(e instanceof StratoUnreachableError);
      assert.equal(e.reason, 'no answer within 200 ms');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
