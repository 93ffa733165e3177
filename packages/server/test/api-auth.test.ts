import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJson } from '@strato/model';
import { ADMIN, basic, startTestServer, type Reply, type TestServer } from './kit.ts';
import { sampleText } from './samples.ts';

/** Authentication (HTTP Basic, session cookie), tenants, users and tenant isolation. */

const GLOBALS: [string, string][] = [
  ['autoscalingPolicies', 'autoscaling-policies/autoscaling-policy-1.json'],
  ['networkPartitions', 'network-partitions/mock/network-partition-1.json'],
  ['deploymentPolicies', 'deployment-policies/deployment-policy-1.json'],
  ['cartridges', 'cartridges/mock/php.json'],
  ['applicationPolicies', 'application-policies/application-policy-1.json'],
];
const APP_FILE = 'applications/simple/single-cartridge-app/artifacts/application.json';
const app = (id: string) => ({ ...(parseJson(sampleText(APP_FILE)) as object), applicationId: id });

const ACME = { tenantDomain: 'acme.com', admin: 'bob', adminPassword: 'bob-pw-1', firstName: 'Bob', lastName: 'A', email: 'bob@acme.com' };
const BETA = { tenantDomain: 'beta.org', admin: 'eve', adminPassword: 'eve-pw-1', firstName: 'Eve', lastName: 'B', email: 'eve@beta.org' };
const BOB = basic('bob@acme.com', 'bob-pw-1');
const EVE = basic('eve@beta.org', 'eve-pw-1');

function ok(res: Reply, status: number, what: string) {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
}

function isError(res: Reply, status: number, fragment?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status, 'error');
  if (fragment) assert.match(res.body.message, fragment);
}

describe('authentication and tenant isolation', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ mbPort: 0 });
    for (const [collection, file] of GLOBALS) ok(await server.call('POST', `/api/${collection}`, sampleText(file)), 201, file);
    ok(await server.call('POST', '/api/tenants', ACME), 201, 'acme.com');
    ok(await server.call('POST', '/api/tenants', BETA), 201, 'beta.org');
  });
  after(() => server.stop());

  it('answers 401 with WWW-Authenticate without credentials or with wrong ones', async () => {
    for (const auth of [null, basic('admin', 'nope'), basic('admin', ''), basic('', 'admin'), basic('bob@acme.com', 'eve-pw-1'), basic('bob@nowhere.org', 'bob-pw-1'), 'Basic !!!not-base64', 'Digest x']) {
      const res = await server.call('GET', '/api/cartridges', undefined, auth);
      isError(res, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/, String(auth));
    }
    isError(await server.call('GET', '/api/cartridges', undefined, basic('admin', 'nope')), 401, /username\/password/);
    isError(await server.call('GET', '/api/cartridges', undefined, basic('bob@nowhere.org', 'x')), 401, /Tenant not found/);
  });

  it('lets admin in, on /api and on /api/v4.1', async () => {
    ok(await server.call('GET', '/api/init'), 200, 'init');
    const res = await server.call('GET', '/api/v4.1/cartridges');
    ok(res, 200, 'v4.1 cartridges');
    assert.deepEqual(res.body.map((c: any) => c.type), ['php']);
  });

  it('serves health and the OpenAPI document without credentials', async () => {
    ok(await server.call('GET', '/api/health', undefined, null), 200, 'health');
    ok(await server.call('GET', '/api/openapi.json', undefined, null), 200, 'openapi');
  });

  it('lets the administrator of a new tenant sign in as user@domain', async () => {
    const res = await server.call('GET', '/api/init', undefined, BOB);
    ok(res, 200, 'bob signs in');
    assert.equal(res.body.status, 'success');
  });

  it('lets tenant users read global artifacts but not change them (403)', async () => {
    const read = await server.call('GET', '/api/cartridges', undefined, BOB);
    ok(read, 200, 'bob lists cartridges');
    assert.deepEqual(read.body.map((c: any) => c.type), ['php']);
    ok(await server.call('GET', '/api/autoscalingPolicies/autoscaling-policy-1', undefined, BOB), 200, 'bob reads a policy');

    const php = parseJson(sampleText('cartridges/mock/php.json')) as any;
    isError(await server.call('POST', '/api/cartridges', { ...php, type: 'php-bob' }, BOB), 403, /permission/);
    isError(await server.call('PUT', '/api/cartridges', php, BOB), 403, /permission/);
    isError(await server.call('DELETE', '/api/cartridges/php', undefined, BOB), 403, /permission/);
    isError(await server.call('DELETE', '/api/networkPartitions/network-partition-1', undefined, EVE), 403, /permission/);
    isError(await server.call('POST', '/api/autoscalingPolicies', { id: 'eve-as' }, EVE), 403, /permission/);
    // tenants are the super tenant's business
    isError(await server.call('GET', '/api/tenants', undefined, BOB), 403, /permission/);
    isError(await server.call('POST', '/api/tenants', { ...ACME, tenantDomain: 'bobs.org' }, BOB), 403, /permission/);
    isError(await server.call('PUT', '/api/tenants/deactivate/beta.org', undefined, BOB), 403, /permission/);
    const cartridges = await server.call('GET', '/api/cartridges');
    assert.deepEqual(cartridges.body.map((c: any) => c.type), ['php'], 'nothing changed');
  });

  it('keeps one tenant\'s applications invisible and untouchable to another', async () => {
    ok(await server.call('POST', '/api/applications', app('acme-app'), BOB), 201, 'acme adds');
    ok(await server.call('POST', '/api/applications', app('beta-app'), EVE), 201, 'beta adds');

    const ids = async (auth: string) => {
      const res = await server.call('GET', '/api/applications', undefined, auth);
      ok(res, 200, 'list');
      return res.body.map((a: any) => a.applicationId);
    };
    assert.deepEqual(await ids(BOB), ['acme-app']);
    assert.deepEqual(await ids(EVE), ['beta-app']);
    assert.deepEqual(await ids(ADMIN), [], 'the super tenant has none of its own');

    for (const [auth, other] of [[EVE, 'acme-app'], [BOB, 'beta-app'], [ADMIN, 'acme-app']] as const) {
      isError(await server.call('GET', `/api/applications/${other}`, undefined, auth), 404, new RegExp(other));
      isError(await server.call('PUT', '/api/applications', { ...app(other), alias: 'stolen' }, auth), 404, new RegExp(other));
      isError(await server.call('DELETE', `/api/applications/${other}`, undefined, auth), 404, new RegExp(other));
      isError(await server.call('GET', `/api/applications/${other}/runtime`, undefined, auth), 404);
      isError(await server.call('POST', `/api/applications/${other}/deploy/application-policy-1`, undefined, auth), 404);
    }
    // both are still there, unchanged
    const mine = await server.call('GET', '/api/applications/acme-app', undefined, BOB);
    ok(mine, 200, 'acme reads its own');
    assert.equal(mine.body.alias, 'single-cartridge-app');
    ok(await server.call('GET', '/api/applications/beta-app', undefined, EVE), 200, 'beta reads its own');

    // the owner may change and remove its own
    ok(await server.call('PUT', '/api/applications', { ...app('acme-app'), alias: 'renamed' }, BOB), 200, 'acme updates');
    assert.equal((await server.call('GET', '/api/applications/acme-app', undefined, BOB)).body.alias, 'renamed');
    ok(await server.call('DELETE', '/api/applications/acme-app', undefined, BOB), 200, 'acme deletes');
    assert.deepEqual(await ids(BOB), []);
    assert.deepEqual(await ids(EVE), ['beta-app']);
  });

  it('manages users: add, list, change password (old one fails), delete', async () => {
    const carol = basic('carol@acme.com', 'carol-pw-1');
    ok(await server.call('POST', '/api/users', { userName: 'carol', credential: 'carol-pw-1', role: 'user', email: 'carol@acme.com' }, BOB), 201, 'bob adds carol');

    const list = await server.call('GET', '/api/users', undefined, BOB);
    ok(list, 200, 'list users');
    assert.deepEqual(list.body.map((u: any) => u.userName).sort(), ['bob', 'carol']);
    assert.ok(!JSON.stringify(list.body).includes('carol-pw-1'), 'no password in the list');
    assert.ok(!JSON.stringify(list.body).includes('scrypt'), 'no hash in the list');
    const adminUsers = await server.call('GET', '/api/users');
    assert.deepEqual(adminUsers.body.map((u: any) => u.userName), ['admin'], 'users are per tenant');

    // a plain user reads, but changes neither artifacts nor users
    ok(await server.call('GET', '/api/applications/beta-app', undefined, EVE), 200, 'eve still reads hers');
    ok(await server.call('GET', '/api/applications', undefined, carol), 200, 'carol reads');
    isError(await server.call('POST', '/api/applications', app('carol-app'), carol), 403, /permission/);
    isError(await server.call('POST', '/api/users', { userName: 'dave', credential: 'dave-pw-1' }, carol), 403, /permission/);

    ok(await server.call('PUT', '/api/users', { userName: 'carol', credential: 'carol-pw-2', role: 'user' }, BOB), 200, 'new password');
    isError(await server.call('GET', '/api/init', undefined, carol), 401, /username\/password/);
    ok(await server.call('GET', '/api/init', undefined, basic('carol@acme.com', 'carol-pw-2')), 200, 'new password works');

    // carol of acme is not a user of beta
    isError(await server.call('GET', '/api/init', undefined, basic('carol@beta.org', 'carol-pw-2')), 401);

    const session = await server.call('GET', '/api/session', undefined, basic('carol@acme.com', 'carol-pw-2'));
    const cookie = /^(JSESSIONID=[^;]+)/.exec(session.headers.get('set-cookie') ?? '')![1];
    ok(await server.call('GET', '/api/applications', undefined, null, { cookie }), 200, 'carol\'s session');
    ok(await server.call('DELETE', '/api/users/carol', undefined, BOB), 200, 'bob deletes carol');
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie }), 401, /session/);
    isError(await server.call('GET', '/api/init', undefined, basic('carol@acme.com', 'carol-pw-2')), 401);
    isError(await server.call('DELETE', '/api/users/carol', undefined, BOB), 404);
  });

  it('trades credentials for a session cookie that authenticates later requests', async () => {
    const res = await server.call('GET', '/api/session', undefined, BOB);
    ok(res, 200, 'session');
    assert.equal(typeof res.body.Success.sessionId, 'string');
    const setCookie = res.headers.get('set-cookie') ?? '';
    const match = /^(JSESSIONID=[^;]+)/.exec(setCookie);
    assert.ok(match, setCookie);
    assert.match(setCookie, /HttpOnly/);
    assert.equal(match[1], `JSESSIONID=${res.body.Success.sessionId}`);

    const withCookie = await server.call('GET', '/api/applications', undefined, null, { cookie: match[1] });
    ok(withCookie, 200, 'cookie authenticates');
    assert.deepEqual(withCookie.body, [], 'as bob of acme.com, whose application is gone');
    isError(await server.call('POST', '/api/cartridges', { type: 'x' }, null, { cookie: match[1] }), 403);
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie: 'JSESSIONID=forged' }), 401);
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie: `other=${res.body.Success.sessionId}` }), 401);
  });

  it('never returns passwords and stores them only as scrypt hashes', async () => {
    const tenants = await server.call('GET', '/api/tenants');
    ok(tenants, 200, 'tenants');
    assert.deepEqual(tenants.body.map((t: any) => t.tenantDomain), ['acme.com', 'beta.org']);
    const one = await server.call('GET', '/api/tenants/acme.com');
    for (const body of [tenants.body, one.body]) {
      const text = JSON.stringify(body);
      assert.ok(!text.includes('bob-pw-1') && !text.includes('eve-pw-1') && !/password|scrypt/i.test(text), text);
    }

    const users = await server.store.list<Record<string, unknown>>('user', 'all');
    assert.ok(users.length >= 3);
    const stored = JSON.stringify(await server.store.list('tenant', 'all')) + JSON.stringify(users);
    for (const pw of ['admin-never-here', 'bob-pw-1', 'eve-pw-1', 'carol-pw-1', 'carol-pw-2']) assert.ok(!stored.includes(pw), pw);
    assert.ok(!stored.includes('"admin"}') && !/"(credential|adminPassword|password)"/.test(stored), 'no password field');
    const hashes = new Set<string>();
    for (const u of users) {
      assert.deepEqual(Object.keys(u.body).filter((k) => /pass|cred/i.test(k)), ['passwordHash'], JSON.stringify(u.body));
      const hash = String(u.body.passwordHash);
      assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{20,}\$[A-Za-z0-9+/=]{40,}$/);
      hashes.add(hash.split('$')[4]);
    }
    assert.equal(hashes.size, users.length, 'every hash has its own salt');
  });

  it('refuses the users of a deactivated tenant (401), and lets them in again once reactivated', async () => {
    const session = await server.call('GET', '/api/session', undefined, EVE);
    const cookie = /^(JSESSIONID=[^;]+)/.exec(session.headers.get('set-cookie') ?? '')![1];
    ok(await server.call('GET', '/api/init', undefined, EVE), 200, 'eve before');

    ok(await server.call('PUT', '/api/tenants/deactivate/beta.org'), 200, 'deactivate');
    assert.equal((await server.call('GET', '/api/tenants/beta.org')).body.active, false);
    isError(await server.call('GET', '/api/init', undefined, EVE), 401, /Tenant not found/);
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie }), 401);
    ok(await server.call('GET', '/api/init', undefined, BOB), 200, 'another tenant is not affected');

    ok(await server.call('PUT', '/api/tenants/activate/beta.org'), 200, 'activate');
    ok(await server.call('GET', '/api/init', undefined, EVE), 200, 'eve after');
    const apps = await server.call('GET', '/api/applications', undefined, EVE);
    assert.deepEqual(apps.body.map((a: any) => a.applicationId), ['beta-app'], 'her application survived');
  });

  it('changes a tenant admin password through PUT /api/tenants', async () => {
    ok(await server.call('PUT', '/api/tenants', { ...BETA, adminPassword: 'eve-pw-2' }), 200, 'update tenant');
    isError(await server.call('GET', '/api/init', undefined, EVE), 401);
    ok(await server.call('GET', '/api/init', undefined, basic('eve@beta.org', 'eve-pw-2')), 200, 'new tenant admin password');
  });
});

describe('the admin password setting', () => {
  it('STRATO_ADMIN_PASSWORD replaces admin/admin', async (t) => {
    const server = await startTestServer({ adminPassword: 's3cret!', mbPort: 0 });
    t.after(() => server.stop());
    isError(await server.call('GET', '/api/init'), 401);
    ok(await server.call('GET', '/api/init', undefined, basic('admin', 's3cret!')), 200, 'configured password');
  });
});
