import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJson, schemas, type ArtifactKind } from '@strato/model';
import { FAST_ENV, startTestServer, waitFor, type TestServer } from './kit.ts';
import { sampleText } from './samples.ts';

/** The OpenAPI document, health, and the HTTP details Stratos's clients depend on. */

const COLLECTIONS: [string, ArtifactKind, string][] = [
  ['cartridges', 'cartridge', 'cartridges/mock/php.json'],
  ['cartridgeGroups', 'cartridgeGroup', 'cartridge-groups/esb-php-group.json'],
  ['applications', 'application', 'applications/simple/single-cartridge-app/artifacts/application.json'],
  ['autoscalingPolicies', 'autoscalingPolicy', 'autoscaling-policies/autoscaling-policy-1.json'],
  ['deploymentPolicies', 'deploymentPolicy', 'deployment-policies/deployment-policy-1.json'],
  ['applicationPolicies', 'applicationPolicy', 'application-policies/application-policy-1.json'],
  ['networkPartitions', 'networkPartition', 'network-partitions/mock/network-partition-1.json'],
  ['kubernetesClusters', 'kubernetesCluster', 'kubernetes-clusters/kubernetes-cluster-1.json'],
  ['tenants', 'tenant', ''],
  ['users', 'user', ''],
];

/** A schema as JSON carries it (TypeBox's symbol keys dropped). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

/**
 * A model schema as the document must show it: plain JSON, except that a recursive schema (one with
 * an `$id`) nested inside is a `$ref` to `#/components/schemas/<$id>`, as is its self-reference.
 */
function asDoc(v: any, top = true): any {
  if (Array.isArray(v)) return v.map((x) => asDoc(x, false));
  if (!v || typeof v !== 'object') return v;
  if (!top && typeof v.$id === 'string') return { $ref: `#/components/schemas/${v.$id}` };
  const out: any = {};
  for (const [k, x] of Object.entries(asJson(v) as object)) {
    if (k === '$id') continue;
    out[k] = k === '$ref' ? `#/components/schemas/${x}` : asDoc(x, false);
  }
  return out;
}

describe('OpenAPI document and health', () => {
  let server: TestServer;
  let doc: any;
  before(async () => {
    server = await startTestServer({ mbPort: 0 });
    const res = await server.call('GET', '/api/openapi.json', undefined, null);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = res.body;
  });
  after(() => server.stop());

  it('GET /api/health answers 200 without credentials', async () => {
    const res = await server.call('GET', '/api/health', undefined, null);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'success');
    assert.equal((await server.call('GET', '//api//health/', undefined, null)).status, 200);
  });

  it('is an OpenAPI 3 document with Basic security', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.equal(typeof doc.info.version, 'string');
    assert.deepEqual(doc.components.securitySchemes.basic, { type: 'http', scheme: 'basic' });
    assert.deepEqual(doc.security, [{ basic: [] }]);
  });

  it('has the paths of every collection under /api, once (not again under /api/v4.1)', () => {
    for (const [plural] of COLLECTIONS) {
      const path = doc.paths[`/api/${plural}`];
      assert.ok(path, `/api/${plural}`);
      assert.ok(path.get && path.post && path.put, `${plural}: GET, POST and PUT`);
    }
    for (const p of ['/api/cartridges/{id}', '/api/applications/{id}', '/api/tenants/{domain}', '/api/users/{userName}', '/api/iaasProviders', '/api/session', '/api/applications/{id}/deploy/{policy}', '/api/applications/{id}/undeploy', '/api/applications/{id}/runtime']) {
      assert.ok(doc.paths[p], p);
    }
    assert.ok(doc.paths['/api/cartridges/{id}'].delete);
    assert.deepEqual(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v4.1')), []);
  });

  it('documents POST /api/cartridges with the CartridgeBean schema', () => {
    const body = doc.paths['/api/cartridges'].post.requestBody.content['application/json'].schema;
    assert.equal(body.type, 'object');
    for (const field of ['type', 'category', 'portMapping', 'iaasProvider']) assert.ok(body.properties[field], field);
    assert.equal(body.properties.portMapping.type, 'array');
    assert.equal(body.properties.iaasProvider.type, 'array');
    assert.deepEqual([...body.required].sort(), ['category', 'iaasProvider', 'portMapping', 'type']);
  });

  it('documents each request body with the very schema of @strato/model that validates it', async () => {
    for (const [plural, kind] of COLLECTIONS) {
      for (const method of ['post', 'put']) {
        const body = doc.paths[`/api/${plural}`][method].requestBody?.content?.['application/json']?.schema;
        assert.deepEqual(body, asDoc(schemas[kind]), `${method.toUpperCase()} /api/${plural}`);
      }
    }
    assert.deepEqual(doc.paths['/api/cartridges'].post.requestBody.content['application/json'].schema, asJson(schemas.cartridge));
    assert.deepEqual(doc.paths['/api/kubernetesClusters/{id}/minion'].post.requestBody.content['application/json'].schema, asJson(schemas.kubernetesHost));
  });

  it('resolves every $ref inside the document, to the model schema of that $id', () => {
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o.$ref === 'string') refs.add(o.$ref);
      assert.equal(o.$id, undefined, 'no $id left in the document');
      Object.values(o).forEach(walk);
    };
    walk(doc);
    assert.ok(refs.size > 0);
    for (const ref of refs) {
      const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
      assert.ok(m, `local reference: ${ref}`);
      assert.ok(doc.components.schemas[m[1]], `${ref} resolves`);
    }
    assert.deepEqual(doc.components.schemas.CartridgeGroupBean, asDoc(schemas.cartridgeGroup));
  });

  it('rejects an artifact without a field the document requires, naming the field', async () => {
    for (const [plural, kind, file] of COLLECTIONS) {
      if (!file) continue;
      const sample = parseJson(sampleText(file)) as Record<string, unknown>;
      for (const field of (schemas[kind] as { required?: string[] }).required ?? []) {
        const { [field]: _dropped, ...rest } = sample;
        const res = await server.call('POST', `/api/${plural}`, rest);
        assert.equal(res.status, 400, `${plural} without ${field}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.status, 'error');
        assert.ok(res.body.message.includes(field), `${plural} without ${field}: ${res.body.message}`);
      }
    }
  });
});

describe('HTTP details of Stratos clients', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, FAST_ENV);
  });
  after(() => server.stop());

  it('answers 201 with a Location on every create, collapsing duplicate slashes', async () => {
    const created: [string, string, string][] = [
      ['//api//autoscalingPolicies', 'autoscaling-policies/autoscaling-policy-1.json', '/api/autoscalingPolicies/autoscaling-policy-1'],
      ['/api/v4.1/networkPartitions', 'network-partitions/mock/network-partition-1.json', '/api/v4.1/networkPartitions/network-partition-1'],
      ['/api/deploymentPolicies/', 'deployment-policies/deployment-policy-1.json', '/api/deploymentPolicies/deployment-policy-1'],
      ['/api//cartridges', 'cartridges/mock/php.json', '/api/cartridges/php'],
      ['/api/applicationPolicies', 'application-policies/application-policy-1.json', '/api/applicationPolicies/application-policy-1'],
      ['/api/applications', 'applications/simple/single-cartridge-app/artifacts/application.json', '/api/applications/single-cartridge-app'],
      ['/api/kubernetesClusters', 'kubernetes-clusters/kubernetes-cluster-1.json', '/api/kubernetesClusters/kubernetes-cluster-1'],
    ];
    for (const [path, file, location] of created) {
      const res = await server.call('POST', path, sampleText(file));
      assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.headers.get('location'), server.url + location);
      const back = await server.call('GET', location);
      assert.equal(back.status, 200, location);
    }
    const tenant = await server.call('POST', '/api/tenants', { tenantDomain: 'acme.com', admin: 'bob', adminPassword: 'pw-bob-1', email: 'bob@acme.com' });
    assert.equal(tenant.status, 201);
    assert.equal(tenant.headers.get('location'), `${server.url}/api/tenants/acme.com`);
    const user = await server.call('POST', '/api/users', { userName: 'carol', credential: 'pw-carol-1' });
    assert.equal(user.status, 201);
    assert.equal(user.headers.get('location'), `${server.url}/api/users/carol`);
    const minion = await server.call('POST', '/api/kubernetesClusters/kubernetes-cluster-1/minion', { hostId: 'minion-3', hostname: 'm3', privateIPAddress: '10.1.1.3' });
    assert.equal(minion.status, 201, JSON.stringify(minion.body));
    assert.equal(minion.headers.get('location'), `${server.url}/api/kubernetesClusters/kubernetes-cluster-1/minion/minion-3`);
  });

  it('serves the same resources under /api, /api/v4.1 and with doubled slashes', async () => {
    const plain = await server.call('GET', '/api/cartridges');
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.body.map((c: any) => c.type), ['php']);
    for (const path of ['/api/v4.1/cartridges', '//api//cartridges', '//api/v4.1//cartridges/', '/api/cartridges/']) {
      const res = await server.call('GET', path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body, plain.body, path);
    }
    assert.equal((await server.call('GET', '//api//iaasProviders')).status, 200);
    const one = await server.call('GET', '//api/cartridges/php');
    assert.equal(one.status, 200);
    assert.equal(one.body.type, 'php');
    // every DELETE of Stratos's Java client has a doubled slash
    assert.equal((await server.call('DELETE', '//api/kubernetesClusters/kubernetes-cluster-1')).status, 200);
    assert.equal((await server.call('GET', '/api/kubernetesClusters/kubernetes-cluster-1')).status, 404);
  });

  it('accepts deploy and undeploy POSTed with Content-Type: application/json and an empty body', async () => {
    const json = { 'content-type': 'application/json' };
    const deploy = await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1', '', undefined, json);
    assert.equal(deploy.status, 202, JSON.stringify(deploy.body));
    assert.equal(deploy.body.status, 'success');
    await waitFor('the application is no longer Created', async () => {
      const res = await server.call('GET', '/api/applications/single-cartridge-app');
      return res.body.status !== 'Created' ? res.body.status : undefined;
    });
    const undeploy = await server.call('POST', '/api/v4.1/applications/single-cartridge-app/undeploy?force=true', '', undefined, json);
    assert.equal(undeploy.status, 202, JSON.stringify(undeploy.body));
    assert.equal(undeploy.body.status, 'success');
    await waitFor(
      'the application is back to Created',
      async () => (await server.call('GET', '/api/applications/single-cartridge-app')).body.status === 'Created',
      20_000,
      100,
    );
    // with no content type at all, too (and a JSON answer)
    const again = await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1');
    assert.equal(again.status, 202, JSON.stringify(again.body));
    const stop = await server.call('POST', '/api/applications/single-cartridge-app/undeploy?force=true');
    assert.equal(stop.status, 202, JSON.stringify(stop.body));
    await waitFor(
      'the application is back to Created',
      async () => (await server.call('GET', '/api/applications/single-cartridge-app')).body.status === 'Created',
      20_000,
      100,
    );
  });

  it('reaches an artifact with a long id, and answers a malformed URL with the envelope', async () => {
    const id = `as-${'long'.repeat(63)}`; // 255 characters: the longest id there is
    assert.equal((await server.call('POST', '/api/autoscalingPolicies', { id })).status, 201);
    assert.equal((await server.call('POST', '/api/autoscalingPolicies', { id: `${id}g` })).status, 400);
    assert.equal((await server.call('GET', `/api/autoscalingPolicies/${id}`)).body.id, id);
    assert.equal((await server.call('DELETE', `/api/autoscalingPolicies/${id}`)).status, 200);
    const bad = await server.call('GET', '/api/cartridges/%E0%A4%A');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.status, 'error');
    assert.match(bad.body.message, /not a valid url/);
  });

  it('tolerates a trailing comma (one sample relies on it) and a +json content type', async () => {
    const res = await server.call('POST', '/api/autoscalingPolicies', '{"id": "as-comma", "loadThresholds": {"loadAverage": {"threshold": 50},},}', undefined, {
      'content-type': 'application/vnd.strato+json; charset=utf-8',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    for (const ct of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON']) {
      const other = await server.call('POST', '/api/autoscalingPolicies', { id: `as-${ct.length}` }, undefined, { 'content-type': ct });
      assert.equal(other.status, 201, `${ct}: ${JSON.stringify(other.body)}`);
    }
    assert.deepEqual((await server.call('GET', '/api/autoscalingPolicies/as-comma')).body, { id: 'as-comma', loadThresholds: { loadAverage: { threshold: 50 } } });
  });
});
