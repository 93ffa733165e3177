import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseJson } from '@strato/model';
import { ADMIN, startTestServer, type Reply, type TestServer } from './kit.ts';
import { MULTI_CLOUD_PROVIDERS, sampleText } from './samples.ts';

/** fast-check parameters: `n` cases unless STRATO_FC_RUNS says otherwise, and the seed of STRATO_FC_SEED when given. */
const draws = (n: number) => ({ numRuns: Number(process.env.STRATO_FC_RUNS ?? n), seed: process.env.STRATO_FC_SEED ? Number(process.env.STRATO_FC_SEED) : undefined });

/**
 * Properties of the REST API under generated and mutated input: never a 5xx, every 4xx in the error
 * envelope, and a rejected request never changes the store.
 */

type Json = any;

/** Every kind of record the store keeps. */
const RECORD_KINDS = ['cartridge', 'cartridgeGroup', 'application', 'autoscalingPolicy', 'deploymentPolicy', 'applicationPolicy', 'networkPartition', 'kubernetesCluster', 'tenant', 'user'];

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
  fc.constantFrom('', ' ', 'true', 'false', '22', '1e309', 'NaN', '-1', '__proto__', 'constructor', 'x'.repeat(200_000), '\u0000', '🚀🚀', 'ＡＢＣ', '../../etc/passwd', "' OR 1=1 --"),
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

describe('generated and mutated requests', () => {
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
          fc.constantFrom('{', '}', '[1,2', '{"type":', '{"a":1,,}', '{"__proto__":{"polluted":true},"id":"p1"}', '{"constructor":{"prototype":{"polluted":true}}}', '\uFEFF{}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'),
          fc.constant('['.repeat(20_000) + ']'.repeat(20_000)),
        ),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
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
        fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.constantFrom('..', '%00', '%', 'a%2Fb', 'x'.repeat(5000))),
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
