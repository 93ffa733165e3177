import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseJson } from '@strato/model';
import { MULTI_CLOUD_PROVIDERS, samplesMissing, sampleText } from '@strato/testing';
import { ADMIN, basic, type Reply, startTestServer, type TestServer } from '@strato/testing/server';
import { rawRequest, type RawReply } from './raw-http.ts';

/**
 * fast-check parameters of every property test here: `n` cases unless STRATO_FC_RUNS says
 * otherwise, and the seed of STRATO_FC_SEED when given (fast-check prints the seed of a failing
 * run; setting it replays that run). A value that is not a whole number stops the test, naming it.
 */
function draws(n: number): { numRuns: number; seed?: number } {
  const whole = (name: string, min: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    const v = Number(raw);
    if (!Number.isSafeInteger(v) || v < min) throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number from ${min}`);
    return v;
  };
  const seed = whole('STRATO_FC_SEED', -(2 ** 31));
  return { numRuns: whole('STRATO_FC_RUNS', 1) ?? n, ...(seed === undefined ? {} : { seed }) };
}

/**
 * Properties of the REST API under generated and mutated input: never a 5xx, every 4xx in the error
 * envelope, and a rejected request never changes the store.
 */

type Json = any;

/** Every kind of record the store keeps. */
const RECORD_KINDS = [
  'cartridge',
  'cartridgeGroup',
  'application',
  'autoscalingPolicy',
  'deploymentPolicy',
  'applicationPolicy',
  'networkPartition',
  'kubernetesCluster',
  'tenant',
  'user',
];

const SEED: [string, string][] = [
  ['autoscalingPolicies', 'autoscaling-policies/autoscaling-policy-1.json'],
  ['networkPartitions', 'network-partitions/mock/network-partition-1.json'],
  ['networkPartitions', 'network-partitions/mock/network-partition-2.json'],
  ['deploymentPolicies', 'deployment-policies/deployment-policy-1.json'],
  ['cartridges', 'cartridges/mock/tomcat.json'],
  ['cartridges', 'cartridges/mock/esb.json'],
  ['cartridges', 'cartridges/mock/php.json'],
  ['cartridgeGroups', 'cartridge-groups/esb-php-group.json'],
  ['applicationPolicies', 'application-policies/application-policy-1.json'],
  ['applications', 'applications/simple/single-group-app/artifacts/application.json'],
  ['kubernetesClusters', 'kubernetes-clusters/kubernetes-cluster-1.json'],
];

const fromFile = (file: string) => () => parseJson(sampleText(file)) as Json;

/** Per collection, the real artifacts mutations start from. */
const BASES: Record<string, (() => Json)[]> = {
  cartridges: ['cartridges/mock/php.json', 'cartridges/mock/mysql.json', 'cartridges/kubernetes/php.json', 'cartridges/mock/stratos-lb.json'].map(fromFile),
  cartridgeGroups: ['cartridge-groups/esb-php-group.json', 'cartridge-groups/group1.json', 'cartridge-groups/n-level-nesting.json'].map(fromFile),
  applications: [
    'applications/simple/single-group-app/artifacts/application.json',
    'applications/simple/single-cartridge-app/artifacts/application.json',
    'applications/nested/five-levels-nested-groups-app/artifacts/application.json',
  ].map(fromFile),
  autoscalingPolicies: ['autoscaling-policies/autoscaling-policy-1.json', 'autoscaling-policies/autoscaling-policy-c1.json'].map(fromFile),
  deploymentPolicies: ['deployment-policies/deployment-policy-1.json', 'deployment-policies/deployment-policy-2.json'].map(fromFile),
  applicationPolicies: ['application-policies/application-policy-1.json', 'application-policies/application-policy-3.json'].map(fromFile),
  networkPartitions: ['network-partitions/mock/network-partition-1.json', 'network-partitions/mock/network-partition-3.json'].map(fromFile),
  kubernetesClusters: ['kubernetes-clusters/kubernetes-cluster-1.json', 'kubernetes-clusters/kubernetes-cluster-2.json'].map(fromFile),
  tenants: [() => ({ tenantDomain: 'acme.com', admin: 'bob', adminPassword: 'pw-bob-1', firstName: 'Bob', lastName: 'A', email: 'bob@acme.com' })],
  users: [() => ({ userName: 'carol', credential: 'pw-carol-1', role: 'user', firstName: 'Carol', email: 'carol@example.com' })],
};

/** Values a field should not hold, and some it might. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 53, 1e308, -0.5),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    'true',
    'false',
    '22',
    '1e309',
    'NaN',
    '-1',
    '__proto__',
    'constructor',
    'x'.repeat(200_000),
    '\u0000',
    '🚀🚀',
    'ＡＢＣ',
    '../../etc/passwd',
    "' OR 1=1 --",
  ),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

type Mutation = { op: 'set' | 'delete' | 'wrap' | 'unwrap' | 'add'; at: number; value: unknown; key: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'wrap', 'unwrap', 'add'),
  at: fc.nat(),
  value: weird,
  key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'type')),
});

/** Every (parent, key) inside a JSON value, in document order. */
function slots(v: Json, out: [Json, string | number][] = []): [Json, string | number][] {
  if (v && typeof v === 'object') {
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      out.push([v, k]);
      slots(v[k], out);
    }
  }
  return out;
}

function mutate(artifact: Json, mutations: Mutation[]): Json {
  let root = structuredClone(artifact);
  for (const generated of mutations) {
    // a copy: fast-check reuses generated values across runs and shrinking, and a later mutation
    // writing into an inserted value would otherwise change them (even make them cyclic)
    const m = { ...generated, value: structuredClone(generated.value) };
    const all = slots(root);
    if (all.length === 0) {
      root = m.value;
      continue;
    }
    const [parent, key] = all[m.at % all.length];
    switch (m.op) {
      case 'set':
        parent[key] = m.value;
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'wrap':
        parent[key] = [parent[key]];
        break;
      case 'unwrap':
        if (Array.isArray(parent[key])) parent[key] = parent[key][0];
        break;
      case 'add':
        if (parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) {
          Object.defineProperty(parent[key], m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        }
        break;
    }
  }
  return root;
}

describe('generated and mutated requests', { skip: samplesMissing }, () => {
  let server: TestServer;
  let baseline: string;

  /** Every record of every kind, in every scope. */
  async function storeSnapshot(): Promise<string> {
    const parts: unknown[] = [];
    for (const kind of RECORD_KINDS) parts.push(await server.store.list(kind, 'all'));
    return JSON.stringify(parts);
  }

  function checkAnswer(res: Reply, what: string): void {
    assert.ok(res.status < 500, `${what}: ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
    if (res.status >= 400) {
      assert.equal(typeof res.body, 'object', `${what}: a JSON body`);
      assert.equal(res.body.status, 'error', what);
      assert.equal(typeof res.body.message, 'string', what);
      assert.ok(res.body.message.length > 0 && res.body.message.length < 5000, `${what}: a short message`);
    } else {
      assert.equal(res.body?.status, 'success', what);
    }
  }

  /** After an answer: a rejection changed nothing; an acceptance is undone where it can be, and becomes the new baseline. */
  async function settle(res: Reply, collection: string, method: string, original: Json, what: string): Promise<void> {
    if (res.status >= 400) {
      assert.equal(await storeSnapshot(), baseline, `${what}: rejected with ${res.status} (${res.body.message}) but the store changed`);
      return;
    }
    if (method === 'POST' && collection !== 'tenants') {
      const location = res.headers.get('location') ?? '';
      const id = location.split('/').pop()!;
      await server.call('DELETE', `/api/${collection}/${id}`);
    } else if (method === 'PUT' && original !== undefined && collection !== 'tenants') {
      await server.call('PUT', `/api/${collection}`, original);
    }
    baseline = await storeSnapshot();
  }

  before(async () => {
    server = await startTestServer({ mbPort: 0 }, { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS });
    for (const [collection, file] of SEED) {
      const res = await server.call('POST', `/api/${collection}`, sampleText(file));
      assert.equal(res.status, 201, `${file}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await server.call('POST', '/api/users', BASES.users[0]())).status, 201);
    baseline = await storeSnapshot();
  });
  after(() => server.stop());

  for (const collection of Object.keys(BASES)) {
    it(`mutated ${collection} never get a 5xx and never change the store when rejected`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BASES[collection]),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          fc.constantFrom('POST', 'PUT'),
          async (base, mutations, method) => {
            const original = base();
            const body = mutate(original, mutations);
            const what = `${method} /api/${collection} ${JSON.stringify(body)?.slice(0, 300)}`;
            const res = await server.call(method, `/api/${collection}`, body === undefined ? 'null' : body);
            checkAnswer(res, what);
            // PUT of a seeded artifact is undone by putting the seeded version back
            await settle(res, collection, method, method === 'PUT' ? original : undefined, what);
          },
        ),
        draws(25),
      );
    });
  }

  it('random JSON values and random text as bodies never get a 5xx and change nothing', async () => {
    const collections = Object.keys(BASES);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...collections),
        fc.constantFrom('POST', 'PUT'),
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.constantFrom(
            '{',
            '}',
            '[1,2',
            '{"type":',
            '{"a":1,,}',
            '{"__proto__":{"polluted":true},"id":"p1"}',
            '{"constructor":{"prototype":{"polluted":true}}}',
            '\uFEFF{}',
            '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
          ),
          fc.constant('['.repeat(20_000) + ']'.repeat(20_000)),
        ),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ),
        async (collection, method, text, contentType) => {
          const what = `${method} /api/${collection} (${contentType}) ${JSON.stringify(text.slice(0, 200))}`;
          const res = await server.call(method, `/api/${collection}`, text, ADMIN, { 'content-type': contentType });
          checkAnswer(res, what);
          if (!contentType.startsWith('application/json')) assert.equal(res.status, 415, what);
          await settle(res, collection, method, undefined, what);
          assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
        },
      ),
      draws(120),
    );
  });

  it('random ids and paths never get a 5xx', async () => {
    const collections = Object.keys(BASES);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...collections),
        fc.constantFrom('GET', 'DELETE'),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 40 }),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
          fc.constantFrom('..', '%00', '%', 'a%2Fb', 'x'.repeat(5000)),
        ),
        async (collection, method, id) => {
          const path = `/api/${collection}/${/^%|%00|%2F/.test(id) ? id : encodeURIComponent(id)}`;
          const res = await server.call(method, path);
          assert.ok(res.status < 500, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
          if (res.status >= 400) assert.equal(res.body?.status, 'error', `${method} ${path}: ${JSON.stringify(res.body)}`);
          if (res.status === 200 && method === 'DELETE') baseline = await storeSnapshot();
          else if (method === 'DELETE') assert.equal(await storeSnapshot(), baseline, `${method} ${path}`);
        },
      ),
      draws(80),
    );
  });
});

// ---------------------------------------------------------------------------- every route, every spelling

/** A route as the OpenAPI document lists it (hidden ones added by hand): method, path template, public or not. */
interface Route {
  method: string;
  path: string;
  public: boolean;
}

/** Every route of a running server, from its OpenAPI document, plus the hidden public ones. */
async function routesOf(server: TestServer): Promise<Route[]> {
  const doc = (await server.call('GET', '/api/openapi.json', undefined, null)).body;
  const routes: Route[] = [
    { method: 'GET', path: '/api/health', public: true },
    { method: 'GET', path: '/api/openapi.json', public: true },
  ];
  for (const [path, operations] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of Object.keys(operations)) routes.push({ method: method.toUpperCase(), path, public: false });
  }
  return routes;
}

const letterHex = (c: string) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0');

/** Ways to spell a path that the router may or may not accept: the answer's rule must not depend on them. */
const SPELLINGS: [string, (path: string, port: number) => string][] = [
  ['as is', (p) => p],
  ['trailing slash', (p) => `${p}/`],
  ['doubled slashes', (p) => p.replace(/\//g, '//')],
  ['first letter percent-encoded', (p) => p.replace(/[a-z]/i, (c) => letterHex(c))],
  ['every letter percent-encoded', (p) => p.replace(/[a-z]/gi, (c) => letterHex(c).toUpperCase())],
  ['/api/v4.1', (p) => p.replace(/^\/api(?=\/)/, '/api/v4.1')],
  ['absolute form', (p, port) => `http://127.0.0.1:${port}${p}`],
  ['absolute form, other host', (p) => `http://elsewhere.example${p}`],
  ['dot segment', (p) => p.replace(/\/(?=[^/]*$)/, '/./')],
  ['dot-dot segment', (p) => `/x/..${p}`],
  ['upper case', (p) => p.toUpperCase()],
  [';parameter', (p) => p.replace(/^(\/[^/]+)/, '$1;jsessionid=1')],
  ['query', (p) => `${p}?force=true&criteria=%`],
  ['encoded slash', (p) => p.replace(/\/(?=[^/]*$)/, '%2F')],
];

/** Values for path parameters: real ids now and then, and anything else. */
const paramValue: fc.Arbitrary<{ value: string; raw: boolean }> = fc.oneof(
  fc
    .constantFrom(
      'php',
      'single-group-app',
      'application-policy-1',
      'kubernetes-cluster-1',
      'acme.com',
      'carol',
      'network-partition-1',
      'singleTenant',
      'multiTenant',
      'provider',
      'load-balancer',
    )
    .map((value) => ({ value, raw: false })),
  fc.string({ minLength: 1, maxLength: 30 }).map((value) => ({ value, raw: false })),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map((value) => ({ value, raw: false })),
  fc.constantFrom('%', '%00', '%2F', '%zz', '%C0%AF', '%E0%A4%A', '..', '.', 'x'.repeat(3000), '%25', ';', '%3B').map((value) => ({ value, raw: true })),
);

const bodyArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom('', '{', '[1,', '{"memberId":"prop-member","startInstance":1}', '{"__proto__":{"polluted":1}}', '{"userName":"x","credential":"y"}'),
);

describe('every route, every method, every spelling, any body', { skip: samplesMissing }, () => {
  let server: TestServer;
  let port: number;
  let routes: Route[];
  /** Who calls: the super tenant's admin, a tenant's admin, or someone without valid credentials. */
  const AUTH: Record<string, Record<string, string>> = {
    admin: { authorization: ADMIN },
    tenant: { authorization: basic('bob@acme.com', 'pw-bob-1') },
    none: {},
    'wrong password': { authorization: basic('admin', 'wrong') },
    'unknown user': { authorization: basic('mallory@nowhere.org', 'x') },
    'not basic': { authorization: 'Bearer abc' },
    'broken basic': { authorization: 'Basic %%%' },
    'forged session': { cookie: 'JSESSIONID=0123456789abcdef' },
  };
  const AUTHENTICATED = new Set(['admin', 'tenant']);

  before(async () => {
    // guesses are not slowed here: the property is about answers, not about the throttle (tested in api-auth)
    server = await startTestServer(
      { mbPort: 0 },
      { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS, STRATO_LOGIN_FAILURE_LIMIT: '1000000', STRATO_LOGIN_IP_FAILURE_LIMIT: '1000000' },
    );
    port = Number(new URL(server.url).port);
    for (const [collection, file] of SEED) {
      const res = await server.call('POST', `/api/${collection}`, sampleText(file));
      assert.equal(res.status, 201, `${file}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await server.call('POST', '/api/tenants', BASES.tenants[0]())).status, 201);
    routes = await routesOf(server);
  });
  after(() => server.stop());

  /** Any answer: below 500; an error is the envelope (or the mock IaaS's own error body); HEAD has no body. */
  function checkAny(res: RawReply, method: string, what: string): void {
    assert.ok(res.status >= 200 && res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
    if (method === 'HEAD') {
      assert.equal(res.text, '', `${what}: HEAD with a body`);
      return;
    }
    if (res.status >= 400) {
      let body: any;
      assert.doesNotThrow(() => (body = JSON.parse(res.text)), `${what}: not JSON: ${res.text.slice(0, 300)}`);
      const envelope = body?.status === 'error' && typeof body.message === 'string' && body.message.length > 0;
      const mockError = body?.errorCode === res.status && typeof body.errorMessage === 'string';
      assert.ok(envelope || mockError, `${what}: ${res.text.slice(0, 300)}`);
    }
  }

  it('enumerates the routes of the server', () => {
    assert.ok(routes.length >= 60, `${routes.length} routes`);
    for (const needed of [
      'GET /api/cartridges',
      'POST /api/applications/{id}/deploy/{policy}',
      'GET /mock-iaas/api/instances',
      'DELETE /api/users/{userName}',
    ]) {
      assert.ok(
        routes.some((r) => `${r.method} ${r.path}` === needed),
        needed,
      );
    }
  });

  it('never answers 5xx, and never 2xx without valid credentials except on public routes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(paramValue, { minLength: 2, maxLength: 2 }),
        fc.oneof(fc.constant<string | undefined>(undefined), fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')),
        fc.constantFrom(...SPELLINGS),
        fc.constantFrom(...Object.keys(AUTH)),
        bodyArbitrary,
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined),
        async (pick, params, otherMethod, [spellingName, spell], who, body, contentType) => {
          const route = routes[pick % routes.length];
          const method = otherMethod ?? route.method;
          let i = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => {
            const p = params[i++ % params.length];
            return p.raw ? p.value : encodeURIComponent(p.value);
          });
          const target = spell(path, port);
          const headers: Record<string, string> = { ...AUTH[who] };
          if (contentType && body !== undefined) headers['content-type'] = contentType;
          const sent = method === 'GET' || method === 'HEAD' ? undefined : body;
          const what = `${who}: ${method} ${target.slice(0, 200)} (${spellingName}, route ${route.method} ${route.path}) ${JSON.stringify(sent?.slice(0, 100))}`;
          const res = await rawRequest(port, method, target, headers, sent);
          checkAny(res, method, what);
          if (!AUTHENTICATED.has(who) && !route.public) {
            assert.ok(res.status >= 400, `${what}: ${res.status} without valid credentials ${res.text.slice(0, 200)}`);
          }
          assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
        },
      ),
      draws(300),
    );
  });

  it('never answers 5xx to malformed request targets and methods', async () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '/',
        '//',
        '%',
        '%2',
        '%zz',
        '%C0%AF',
        '%E0%A4%A',
        '%00',
        '%2F',
        '%25',
        '%2e%2e',
        '..',
        '.',
        ';',
        '?',
        '#',
        '\\',
        'api',
        'v4.1',
        'mock-iaas',
        'cartridges',
        'http://',
        '@',
        ':',
        '*',
      ),
      fc.string({ maxLength: 6 }),
      fc.string({ unit: 'binary-ascii', maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'FOO'),
        fc.boolean(),
        async (pieces, method, withCredentials) => {
          // what node's client lets out on the wire (it refuses control characters and spaces itself)
          const target = ('/' + pieces.join('')).replace(/[^\u0021-\u00ff]/g, (c) => encodeURIComponent(c));
          const what = `${method} ${JSON.stringify(target.slice(0, 200))}${withCredentials ? ' as admin' : ''}`;
          const res = await rawRequest(port, method, target, withCredentials ? { authorization: ADMIN } : {});
          checkAny(res, method, what);
          const isPublic = /^\/api\/+(health|openapi\.json)\/?(\?.*)?$/.test(target);
          if (!withCredentials && !isPublic) assert.ok(res.status >= 400, `${what}: ${res.status} without credentials`);
        },
      ),
      draws(300),
    );
  });
});

describe('the property tests of the server', () => {
  it('all draw their cases through draws(), so STRATO_FC_RUNS and STRATO_FC_SEED reach every one', () => {
    const dir = new URL('./', import.meta.url);
    let asserts = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const properties = (text.match(/\bfc\.assert\(/g) ?? []).length;
      // draws(n) as the parameters argument, last before fc.assert's closing parenthesis
      const drawn = (text.match(/\bdraws\(\d+\),?\s*\)/g) ?? []).length;
      assert.equal(drawn, properties, `${file}: ${properties} fc.assert calls, ${drawn} draws(n)`);
      asserts += properties;
    }
    assert.ok(asserts >= 5, `${asserts} property tests found`);
  });

  it('draws() takes STRATO_FC_RUNS and STRATO_FC_SEED, and refuses values that are not whole numbers', () => {
    const saved = { runs: process.env.STRATO_FC_RUNS, seed: process.env.STRATO_FC_SEED };
    try {
      process.env.STRATO_FC_RUNS = '7';
      process.env.STRATO_FC_SEED = '-42';
      assert.deepEqual(draws(100), { numRuns: 7, seed: -42 });
      delete process.env.STRATO_FC_RUNS;
      delete process.env.STRATO_FC_SEED;
      assert.deepEqual(draws(100), { numRuns: 100 });
      process.env.STRATO_FC_RUNS = 'lots';
      assert.throws(() => draws(100), /STRATO_FC_RUNS/);
      process.env.STRATO_FC_RUNS = '0';
      assert.throws(() => draws(100), /STRATO_FC_RUNS/);
    } finally {
      for (const [name, value] of [
        ['STRATO_FC_RUNS', saved.runs],
        ['STRATO_FC_SEED', saved.seed],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
