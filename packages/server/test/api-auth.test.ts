import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJson } from '@strato/model';
import { FakeClock } from '@strato/testing';
import { pino } from 'pino';
import { clientKey, LoginThrottle, TooManyLogins } from '../src/api/login-throttle.ts';
import { Sessions } from '../src/api/sessions.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { Directory } from '../src/tenancy/directory.ts';
import { samplesMissing, sampleText, waitFor } from '@strato/testing';
import { ADMIN, basic, type Reply, startTestServer, type TestServer } from '@strato/testing/server';

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

describe('authentication and tenant isolation', { skip: samplesMissing }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ mbPort: 0 });
    for (const [collection, file] of GLOBALS) ok(await server.call('POST', `/api/${collection}`, sampleText(file)), 201, file);
    ok(await server.call('POST', '/api/tenants', ACME), 201, 'acme.com');
    ok(await server.call('POST', '/api/tenants', BETA), 201, 'beta.org');
  });
  after(() => server.stop());

  it('answers 401 with WWW-Authenticate without credentials or with wrong ones', async () => {
    for (const auth of [
      null,
      basic('admin', 'nope'),
      basic('admin', ''),
      basic('', 'admin'),
      basic('bob@acme.com', 'eve-pw-1'),
      basic('bob@nowhere.org', 'bob-pw-1'),
      'Basic !!!not-base64',
      'Digest x',
    ]) {
      const res = await server.call('GET', '/api/cartridges', undefined, auth);
      isError(res, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/, String(auth));
    }
    isError(await server.call('GET', '/api/cartridges', undefined, basic('admin', 'nope')), 401, /username\/password/);
    // an unknown tenant reads as a wrong password: nothing tells which tenants or users exist
    isError(await server.call('GET', '/api/cartridges', undefined, basic('bob@nowhere.org', 'x')), 401, /username\/password/);
  });

  it('lets admin in, on /api and on /api/v4.1', async () => {
    ok(await server.call('GET', '/api/init'), 200, 'init');
    const res = await server.call('GET', '/api/v4.1/cartridges');
    ok(res, 200, 'v4.1 cartridges');
    assert.deepEqual(
      res.body.map((c: any) => c.type),
      ['php'],
    );
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
    assert.deepEqual(
      read.body.map((c: any) => c.type),
      ['php'],
    );
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
    assert.deepEqual(
      cartridges.body.map((c: any) => c.type),
      ['php'],
      'nothing changed',
    );
  });

  it("keeps one tenant's applications invisible and untouchable to another", async () => {
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

    for (const [auth, other] of [
      [EVE, 'acme-app'],
      [BOB, 'beta-app'],
      [ADMIN, 'acme-app'],
    ] as const) {
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
    ok(
      await server.call('POST', '/api/users', { userName: 'carol', credential: 'carol-pw-1', role: 'user', email: 'carol@acme.com' }, BOB),
      201,
      'bob adds carol',
    );

    const list = await server.call('GET', '/api/users', undefined, BOB);
    ok(list, 200, 'list users');
    assert.deepEqual(list.body.map((u: any) => u.userName).sort(), ['bob', 'carol']);
    assert.ok(!JSON.stringify(list.body).includes('carol-pw-1'), 'no password in the list');
    assert.ok(!JSON.stringify(list.body).includes('scrypt'), 'no hash in the list');
    const adminUsers = await server.call('GET', '/api/users');
    assert.deepEqual(
      adminUsers.body.map((u: any) => u.userName),
      ['admin'],
      'users are per tenant',
    );

    // a plain user reads, but changes neither artifacts nor users
    ok(await server.call('GET', '/api/applications/beta-app', undefined, EVE), 200, 'eve still reads hers');
    ok(await server.call('GET', '/api/applications', undefined, carol), 200, 'carol reads');
    isError(await server.call('POST', '/api/applications', app('carol-app'), carol), 403, /permission/);
    // nor deploys or undeploys her tenant's applications
    ok(await server.call('POST', '/api/applications', app('acme-app-2'), BOB), 201, 'bob adds another');
    isError(await server.call('POST', '/api/applications/acme-app-2/deploy/application-policy-1', undefined, carol), 403, /permission/);
    isError(await server.call('POST', '/api/applications/acme-app-2/undeploy', undefined, carol), 403, /permission/);
    assert.equal((await server.call('GET', '/api/applications/acme-app-2', undefined, carol)).body.status, 'Created', 'not deployed');
    ok(await server.call('DELETE', '/api/applications/acme-app-2', undefined, BOB), 200, 'bob removes it');
    isError(await server.call('POST', '/api/users', { userName: 'dave', credential: 'dave-pw-1' }, carol), 403, /permission/);

    ok(await server.call('PUT', '/api/users', { userName: 'carol', credential: 'carol-pw-2', role: 'user' }, BOB), 200, 'new password');
    isError(await server.call('GET', '/api/init', undefined, carol), 401, /username\/password/);
    ok(await server.call('GET', '/api/init', undefined, basic('carol@acme.com', 'carol-pw-2')), 200, 'new password works');

    // carol of acme is not a user of beta
    isError(await server.call('GET', '/api/init', undefined, basic('carol@beta.org', 'carol-pw-2')), 401);

    const session = await server.call('GET', '/api/session', undefined, basic('carol@acme.com', 'carol-pw-2'));
    const cookie = /^(JSESSIONID=[^;]+)/.exec(session.headers.get('set-cookie') ?? '')![1];
    ok(await server.call('GET', '/api/applications', undefined, null, { cookie }), 200, "carol's session");
    ok(await server.call('DELETE', '/api/users/carol', undefined, BOB), 200, 'bob deletes carol');
    // the session ended with its user: the cookie is unknown now
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie }), 401, /requires authentication/);
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
    assert.deepEqual(
      tenants.body.map((t: any) => t.tenantDomain),
      ['acme.com', 'beta.org'],
    );
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
      assert.deepEqual(
        Object.keys(u.body).filter((k) => /pass|cred/i.test(k)),
        ['passwordHash'],
        JSON.stringify(u.body),
      );
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
    isError(await server.call('GET', '/api/init', undefined, EVE), 401, /username\/password/);
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie }), 401);
    ok(await server.call('GET', '/api/init', undefined, BOB), 200, 'another tenant is not affected');

    ok(await server.call('PUT', '/api/tenants/activate/beta.org'), 200, 'activate');
    isError(await server.call('GET', '/api/applications', undefined, null, { cookie }), 401, /requires authentication/);
    ok(await server.call('GET', '/api/init', undefined, EVE), 200, 'eve after');
    const apps = await server.call('GET', '/api/applications', undefined, EVE);
    assert.deepEqual(
      apps.body.map((a: any) => a.applicationId),
      ['beta-app'],
      'her application survived',
    );
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

/** Everything a client sees of an answer but its date: status, headers, body. */
function visible(res: Reply): { status: number; headers: Record<string, string>; body: unknown } {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'date') headers[name] = value;
  });
  return { status: res.status, headers, body: res.body };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('failed logins', () => {
  let server: TestServer;
  before(async () => {
    // no throttling here: this suite compares failures
    server = await startTestServer({ mbPort: 0 }, { STRATO_LOGIN_FAILURE_LIMIT: '1000', STRATO_LOGIN_IP_FAILURE_LIMIT: '1000' });
    ok(await server.call('POST', '/api/tenants', ACME), 201, 'acme.com');
    ok(await server.call('POST', '/api/tenants', BETA), 201, 'beta.org');
    ok(await server.call('PUT', '/api/tenants/deactivate/beta.org'), 200, 'deactivate beta.org');
  });
  after(() => server.stop());

  it('read the same whether the user exists or not: status, headers and body', async () => {
    const wrongPassword = visible(await server.call('GET', '/api/cartridges', undefined, basic('admin', 'not-the-password')));
    assert.equal(wrongPassword.status, 401);
    assert.deepEqual(wrongPassword.body, { status: 'error', message: 'Authentication failed. Please check your username/password', code: 'LOGIN_FAILED' });
    assert.match(wrongPassword.headers['www-authenticate'] ?? '', /^Basic realm=/);
    for (const auth of [
      basic('mallory', 'not-the-password'), // unknown user of the super tenant
      basic('bob@acme.com', 'not-the-password'), // known tenant user, wrong password
      basic('mallory@acme.com', 'not-the-password'), // unknown user of a known tenant
      basic('bob@nowhere.org', 'not-the-password'), // unknown tenant
      basic('eve@beta.org', 'eve-pw-1'), // right password of a deactivated tenant's user
      basic('admin@carbon.super', 'not-the-password'), // the super tenant spelled out
    ]) {
      assert.deepEqual(visible(await server.call('GET', '/api/cartridges', undefined, auth)), wrongPassword, auth);
    }
  });

  it('take as long whether the user exists or not (scrypt runs against a dummy hash)', async (t) => {
    const time = async (auth: string) => {
      const t0 = process.hrtime.bigint();
      const res = await server.call('GET', '/api/init', undefined, auth);
      assert.equal(res.status, 401);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    const unknownTenant: number[] = [];
    // interleaved, so that load on the machine weighs on all three alike
    for (let i = 0; i < 7; i++) {
      known.push(await time(basic('bob@acme.com', `wrong-${i}`)));
      unknown.push(await time(basic(`nobody-${i}@acme.com`, `wrong-${i}`)));
      unknownTenant.push(await time(basic(`bob@nowhere-${i}.org`, `wrong-${i}`)));
    }
    const [k, u, d] = [median(known), median(unknown), median(unknownTenant)];
    t.diagnostic(`failed login, median of 7: known user ${k.toFixed(1)} ms, unknown user ${u.toFixed(1)} ms, unknown tenant ${d.toFixed(1)} ms`);
    // before the dummy hash: about 3 ms against 65 ms. A loose bound, for a shared machine.
    assert.ok(u > k / 2 && u < k * 2, `unknown user ${u.toFixed(1)} ms against known ${k.toFixed(1)} ms`);
    assert.ok(d > k / 2 && d < k * 2, `unknown tenant ${d.toFixed(1)} ms against known ${k.toFixed(1)} ms`);
  });
});

describe('login throttling', () => {
  it('answers 429 with Retry-After after too many failures of one user name, and lets the owner in after it', async (t) => {
    const server = await startTestServer(
      { mbPort: 0 },
      { STRATO_LOGIN_FAILURE_LIMIT: '3', STRATO_LOGIN_IP_FAILURE_LIMIT: '1000', STRATO_LOGIN_LOCKOUT: '1500', STRATO_LOGIN_FAILURE_WINDOW: '60000' },
    );
    t.after(() => server.stop());
    ok(await server.call('POST', '/api/tenants', ACME), 201, 'acme.com');
    for (let i = 0; i < 3; i++) isError(await server.call('GET', '/api/init', undefined, basic('bob@acme.com', `guess-${i}`)), 401);
    const locked = await server.call('GET', '/api/init', undefined, basic('bob@acme.com', 'guess-3'));
    isError(locked, 429, /Too many failed logins/);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `Retry-After ${locked.headers.get('retry-after')}`);
    // while locked, not even the right password is checked
    const owner = await server.call('GET', '/api/init', undefined, BOB);
    isError(owner, 429);
    // other names are not affected
    ok(await server.call('GET', '/api/init'), 200, 'admin still signs in');

    // an unknown name is locked alike: same answers, same Retry-After
    for (let i = 0; i < 3; i++) isError(await server.call('GET', '/api/init', undefined, basic('nobody@acme.com', `guess-${i}`)), 401);
    const lockedUnknown = await server.call('GET', '/api/init', undefined, basic('nobody@acme.com', 'guess-3'));
    assert.deepEqual(
      { ...visible(lockedUnknown), headers: { ...visible(lockedUnknown).headers, 'retry-after': '' } },
      { ...visible(locked), headers: { ...visible(locked).headers, 'retry-after': '' } },
    );

    // the penalty expires: after Retry-After the owner's right password works
    const started = Date.now();
    const res = await waitFor(
      'bob to be let in again',
      async () => {
        const r = await server.call('GET', '/api/init', undefined, BOB);
        assert.ok(r.status === 200 || r.status === 429, `${r.status} ${JSON.stringify(r.body)}`);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 10_000, everyMs: 100 },
    );
    assert.equal(res.body.status, 'success');
    assert.ok(Date.now() - started < 3_000, 'let in within the lockout');
    // and the name starts afresh
    isError(await server.call('GET', '/api/init', undefined, basic('bob@acme.com', 'guess-4')), 401);
  });

  it('lets credentials verified before the lockout pass during it', async (t) => {
    const server = await startTestServer({ mbPort: 0 }, { STRATO_LOGIN_FAILURE_LIMIT: '2', STRATO_LOGIN_LOCKOUT: '60000' });
    t.after(() => server.stop());
    ok(await server.call('GET', '/api/init'), 200, 'admin signs in (verified)');
    for (let i = 0; i < 2; i++) isError(await server.call('GET', '/api/init', undefined, basic('admin', `guess-${i}`)), 401);
    isError(await server.call('GET', '/api/init', undefined, basic('admin', 'guess-2')), 429);
    ok(await server.call('GET', '/api/init'), 200, 'the owner, verified before, still passes');
  });

  it('lets one client send the same right credentials many times at once, each checked by scrypt', async (t) => {
    const server = await startTestServer(
      { mbPort: 0 },
      { STRATO_LOGIN_FAILURE_LIMIT: '2', STRATO_LOGIN_IP_FAILURE_LIMIT: '2', STRATO_CREDENTIAL_CACHE_TTL: '0' },
    );
    t.after(() => server.stop());
    const answers = await Promise.all(Array.from({ length: 12 }, () => server.call('GET', '/api/init')));
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(12).fill(200),
    );
  });

  it('slows one client address guessing many names, and counts guesses sent at once', async (t) => {
    const server = await startTestServer(
      { mbPort: 0 },
      { STRATO_LOGIN_FAILURE_LIMIT: '1000', STRATO_LOGIN_IP_FAILURE_LIMIT: '4', STRATO_LOGIN_LOCKOUT: '60000' },
    );
    t.after(() => server.stop());
    // 20 different names at once from one address: at most 4 are checked, the rest refused
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => server.call('GET', '/api/init', undefined, basic(`user-${i}`, 'guess'))));
    const statuses = answers.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 401 || s === 429),
      JSON.stringify(statuses),
    );
    assert.ok(statuses.filter((s) => s === 401).length <= 4, JSON.stringify(statuses));
    assert.ok(answers.filter((r) => r.status === 429).every((r) => Number(r.headers.get('retry-after')) >= 1));
    isError(await server.call('GET', '/api/init', undefined, basic('someone-else', 'guess')), 429);
  });
});

/** The JSESSIONID cookie of a new session of `auth`. */
async function sessionOf(server: TestServer, auth: string): Promise<string> {
  const res = await server.call('GET', '/api/session', undefined, auth);
  ok(res, 200, 'session');
  return /^(JSESSIONID=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
}

describe('sessions', () => {
  let server: TestServer;
  const CAROL = { userName: 'carol', credential: 'carol-pw-1', role: 'user', email: 'carol@acme.com' };
  const carol = basic('carol@acme.com', 'carol-pw-1');
  const uses = async (cookie: string) => (await server.call('GET', '/api/applications', undefined, null, { cookie })).status;

  before(async () => {
    server = await startTestServer({ mbPort: 0 }, { STRATO_SESSION_MAX_PER_USER: '3' });
    ok(await server.call('POST', '/api/tenants', ACME), 201, 'acme.com');
    ok(await server.call('POST', '/api/users', CAROL, BOB), 201, 'carol');
  });
  after(() => server.stop());

  it("end at once when the user's password changes, also a session made from a session", async () => {
    const cookie = await sessionOf(server, carol);
    const fromSession = /^(JSESSIONID=[^;]+)/.exec((await server.call('GET', '/api/session', undefined, null, { cookie })).headers.get('set-cookie') ?? '')![1];
    const other = await sessionOf(server, BOB);
    assert.equal(await uses(cookie), 200);
    assert.equal(await uses(fromSession), 200);
    ok(await server.call('PUT', '/api/users', { ...CAROL, credential: 'carol-pw-2' }, BOB), 200, 'new password');
    assert.equal(await uses(cookie), 401, 'the session ended');
    assert.equal(await uses(fromSession), 401, 'the session made from it ended too');
    assert.equal(await uses(other), 200, "another user's session lives on");
    isError(await server.call('GET', '/api/init', undefined, carol), 401);
    ok(await server.call('PUT', '/api/users', CAROL, BOB), 200, 'password back');
  });

  it("end when the user's role changes", async () => {
    const cookie = await sessionOf(server, carol);
    ok(await server.call('PUT', '/api/users', { ...CAROL, role: 'admin' }, BOB), 200, 'carol becomes admin');
    assert.equal(await uses(cookie), 401);
    ok(await server.call('PUT', '/api/users', CAROL, BOB), 200, 'role back');
  });

  it("end when the tenant admin's password changes through PUT /api/tenants", async () => {
    const cookie = await sessionOf(server, BOB);
    ok(await server.call('PUT', '/api/tenants', { ...ACME, adminPassword: 'bob-pw-2' }), 200, 'new admin password');
    assert.equal(await uses(cookie), 401);
    ok(await server.call('PUT', '/api/tenants', ACME), 200, 'password back');
  });

  it('end when the user is removed, and stay ended when a user of that name is added again', async () => {
    ok(await server.call('POST', '/api/users', { ...CAROL, userName: 'dave' }, BOB), 201, 'dave');
    const dave = basic('dave@acme.com', 'carol-pw-1');
    const cookie = await sessionOf(server, dave);
    ok(await server.call('DELETE', '/api/users/dave', undefined, BOB), 200, 'remove dave');
    assert.equal(await uses(cookie), 401);
    ok(await server.call('POST', '/api/users', { ...CAROL, userName: 'dave' }, BOB), 201, 'dave again');
    assert.equal(await uses(cookie), 401, 'a new user of the same name does not inherit the session');
    ok(await server.call('GET', '/api/init', undefined, dave), 200, 'the new dave signs in');
  });

  it('end when the tenant is deactivated, and stay ended once it is active again', async () => {
    const cookie = await sessionOf(server, carol);
    const admin = await sessionOf(server, ADMIN);
    ok(await server.call('PUT', '/api/tenants/deactivate/acme.com'), 200, 'deactivate');
    assert.equal(await uses(cookie), 401);
    ok(await server.call('PUT', '/api/tenants/activate/acme.com'), 200, 'activate');
    assert.equal(await uses(cookie), 401);
    assert.equal(await uses(admin), 200, "the super tenant's session lives on");
    ok(await server.call('GET', '/api/init', undefined, carol), 200, 'carol signs in again');
  });

  it('are bounded per user: a new one ends the oldest', async () => {
    const cookies = [];
    for (let i = 0; i < 5; i++) cookies.push(await sessionOf(server, carol));
    assert.deepEqual(await Promise.all(cookies.map(uses)), [401, 401, 200, 200, 200]);
  });
});

describe('session bounds and expiry', () => {
  it('are bounded in total: a new one ends the oldest of anyone', async (t) => {
    const server = await startTestServer({ mbPort: 0 }, { STRATO_SESSION_MAX: '2' });
    t.after(() => server.stop());
    ok(await server.call('POST', '/api/tenants', ACME), 201, 'acme.com');
    const uses = async (cookie: string) => (await server.call('GET', '/api/init', undefined, null, { cookie })).status;
    const a = await sessionOf(server, ADMIN);
    const b = await sessionOf(server, BOB);
    const c = await sessionOf(server, BOB);
    assert.deepEqual([await uses(a), await uses(b), await uses(c)], [401, 200, 200]);
  });

  it('expire after STRATO_SESSION_LIFETIME even when used, and after STRATO_SESSION_TIMEOUT unused', async (t) => {
    const server = await startTestServer({ mbPort: 0 }, { STRATO_SESSION_LIFETIME: '2500', STRATO_SESSION_TIMEOUT: '1000' });
    t.after(() => server.stop());
    const uses = async (cookie: string) => (await server.call('GET', '/api/init', undefined, null, { cookie })).status;
    const busy = await sessionOf(server, ADMIN);
    const idle = await sessionOf(server, ADMIN);
    const started = Date.now();
    // the busy one is used every 100 ms: only its lifetime ends it
    await waitFor('the busy session to reach its lifetime', async () => (await uses(busy)) === 401, { timeoutMs: 10_000, everyMs: 100 });
    assert.ok(Date.now() - started >= 2400, `ended after ${Date.now() - started} ms: by its lifetime, not its idle timeout`);
    assert.equal(await uses(idle), 401, 'the idle one ended after its timeout');
  });
});

describe('credentials changed while a login is being checked', () => {
  it('are not remembered: the old password fails right after the change', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'strato-directory-'));
    const store = SqliteStore.open(join(dir, 'strato.db'));
    t.after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.migrate();
    // a store whose next read of a user hands back what it read only once `release` is called
    let hold: Promise<void> | undefined;
    let release = () => {};
    const slow = Object.create(store, {
      get: {
        value: async (kind: string, id: string, scope: number) => {
          const value = await store.get(kind, id, scope);
          if (kind === 'user' && hold) {
            const h = hold;
            hold = undefined;
            await h;
          }
          return value;
        },
      },
    });
    const directory = new Directory(slow, pino({ level: 'silent' }));
    await directory.start('old-password');
    // (not authenticated here: the login below must not find it remembered)
    const admin = { userName: 'admin', tenantId: -1234, tenantDomain: 'carbon.super', role: 'admin' };

    hold = new Promise<void>((r) => (release = r));
    const inFlight = directory.authenticate('admin', 'old-password');
    // wait for the login to have read the old record, then change the password
    await waitFor('the login to read the user', () => hold === undefined, { timeoutMs: 5000, everyMs: 5 });
    await directory.updateUser({ userName: 'admin', credential: 'new-password', role: 'admin' }, admin);
    release();
    await inFlight; // it began before the change: it may pass
    await assert.rejects(directory.authenticate('admin', 'old-password'), /username\/password/);
    assert.equal((await directory.authenticate('admin', 'new-password')).userName, 'admin');
  });
});

describe('the login throttle and the session table keep bounded state (a clock of their own)', () => {
  const options = { userFailureLimit: 3, ipFailureLimit: 10, windowMs: 60_000, lockoutMs: 30_000, maxEntries: 100 };

  it('locks a name after its failures, for the lockout only, and starts it afresh', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(options, () => now);
    for (let i = 0; i < 3; i++) throttle.begin('10.0.0.1', 'bob')('failed');
    assert.throws(
      () => throttle.begin('10.0.0.2', 'bob'),
      (e: unknown) => e instanceof TooManyLogins && e.retryAfterSeconds === 30,
    );
    now += 29_000;
    assert.throws(
      () => throttle.begin('10.0.0.2', 'bob'),
      (e: unknown) => e instanceof TooManyLogins && e.retryAfterSeconds === 1,
    );
    now += 1_000;
    throttle.begin('10.0.0.2', 'bob')('succeeded');
    // afresh: three more failures before the next lockout
    for (let i = 0; i < 2; i++) throttle.begin('10.0.0.3', 'bob')('failed');
    throttle.begin('10.0.0.3', 'bob')('aborted'); // a check that broke counts neither way
    throttle.begin('10.0.0.3', 'bob')('failed');
    assert.throws(() => throttle.begin('10.0.0.3', 'bob'), TooManyLogins);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const throttle = new LoginThrottle(options, () => now);
    for (let i = 0; i < 2; i++) throttle.begin('10.0.0.1', 'bob')('failed');
    now += 61_000;
    for (let i = 0; i < 2; i++) throttle.begin('10.0.0.1', 'bob')('failed');
    throttle.begin('10.0.0.1', 'bob')('succeeded');
  });

  it('counts checks still running, so guesses sent at once cannot overtake the count', () => {
    const throttle = new LoginThrottle(options, () => 0);
    const running = [throttle.begin('10.0.0.1', 'bob'), throttle.begin('10.0.0.1', 'bob'), throttle.begin('10.0.0.1', 'bob')];
    assert.throws(() => throttle.begin('10.0.0.1', 'bob'), TooManyLogins);
    for (const done of running) done('failed');
    assert.throws(
      () => throttle.begin('10.0.0.1', 'bob'),
      (e: unknown) => e instanceof TooManyLogins && e.retryAfterSeconds === 30,
    );
  });

  it('remembers at most maxEntries names and addresses however many are tried', () => {
    let now = 0;
    const throttle = new LoginThrottle(options, () => now);
    for (let i = 0; i < 10_000; i++) {
      now += 1;
      throttle.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `user-${i}`)('failed');
    }
    assert.ok(throttle.size <= options.maxEntries + 2, `${throttle.size} entries`);
  });

  it('counts an IPv6 client by its /64, an IPv4-mapped one by its IPv4 address', () => {
    assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:DB8:0001:2::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(clientKey('10.1.2.3'), '10.1.2.3');
  });

  it('keeps sessions within both bounds and drops the expired ones', () => {
    let now = 0;
    const sessions = new Sessions({ idleMs: 1000, lifetimeMs: 5000, maxPerUser: 2, maxTotal: 50 }, () => now);
    const user = (i: number) => ({ userName: `u${i}`, tenantId: 1, tenantDomain: 't.org', role: 'user' });
    for (let i = 0; i < 1000; i++) sessions.create(user(i % 200), 'stamp');
    assert.equal(sessions.size, 50);
    now += 1001;
    sessions.create(user(0), 'stamp');
    assert.equal(sessions.size, 1, 'the idle ones are gone');
    const a = sessions.create(user(1), 's');
    const b = sessions.create(user(1), 's');
    const c = sessions.create(user(1), 's');
    assert.deepEqual([sessions.find(a), !!sessions.find(b), !!sessions.find(c)], [undefined, true, true]);
    assert.equal(sessions.endFor(1), 3, "the tenant's sessions end together");
    assert.equal(sessions.size, 0);
  });
});

describe('verified credentials are remembered for the cache lifetime of the injected clock', () => {
  it('reads the user again only once the lifetime has passed, to the millisecond', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'strato-directory-'));
    const store = SqliteStore.open(join(dir, 'strato.db'));
    t.after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.migrate();
    let userReads = 0;
    const counting = Object.create(store, {
      get: {
        value: async (kind: string, id: string, scope: number) => {
          if (kind === 'user') userReads++;
          return store.get(kind, id, scope);
        },
      },
    });
    const clock = new FakeClock(5_000_000);
    const directory = new Directory(counting, pino({ level: 'silent' }), 60_000, clock);
    await directory.start('secret');
    userReads = 0;
    await directory.authenticate('admin', 'secret');
    assert.equal(userReads, 1, 'the first login reads the user');
    clock.advance(59_999);
    await directory.authenticate('admin', 'secret');
    assert.equal(userReads, 1, 'within the lifetime the verified credentials are remembered');
    clock.advance(1);
    await directory.authenticate('admin', 'secret');
    assert.equal(userReads, 2, 'at the end of the lifetime the user is read and the password checked again');
  });
});
