import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJson, schemas, type ArtifactKind } from '@strato/model';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../src/server.ts';
import { loadSettings } from '../src/settings.ts';
import { isDeploy, MANIFEST, samplesMissing, sampleText, waitFor } from '@strato/testing';
import { FAST_ENV, request, startTestServer, type TestServer } from '@strato/testing/server';

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

describe('OpenAPI document and health', { skip: samplesMissing }, () => {
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
    for (const p of [
      '/api/cartridges/{id}',
      '/api/applications/{id}',
      '/api/tenants/{domain}',
      '/api/users/{userName}',
      '/api/iaasProviders',
      '/api/session',
      '/api/applications/{id}/deploy/{policy}',
      '/api/applications/{id}/undeploy',
      '/api/applications/{id}/runtime',
    ]) {
      assert.ok(doc.paths[p], p);
    }
    assert.ok(doc.paths['/api/cartridges/{id}'].delete);
    assert.deepEqual(
      Object.keys(doc.paths).filter((p) => p.startsWith('/api/v4.1')),
      [],
    );
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

describe('HTTP details of Stratos clients', { skip: samplesMissing }, () => {
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
    const minion = await server.call('POST', '/api/kubernetesClusters/kubernetes-cluster-1/minion', {
      hostId: 'minion-3',
      hostname: 'm3',
      privateIPAddress: '10.1.1.3',
    });
    assert.equal(minion.status, 201, JSON.stringify(minion.body));
    assert.equal(minion.headers.get('location'), `${server.url}/api/kubernetesClusters/kubernetes-cluster-1/minion/minion-3`);
  });

  it('serves the same resources under /api, /api/v4.1 and with doubled slashes', async () => {
    const plain = await server.call('GET', '/api/cartridges');
    assert.equal(plain.status, 200);
    assert.deepEqual(
      plain.body.map((c: any) => c.type),
      ['php'],
    );
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
      { timeoutMs: 20_000, everyMs: 100 },
    );
    // with no content type at all, too (and a JSON answer)
    const again = await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1');
    assert.equal(again.status, 202, JSON.stringify(again.body));
    const stop = await server.call('POST', '/api/applications/single-cartridge-app/undeploy?force=true');
    assert.equal(stop.status, 202, JSON.stringify(stop.body));
    await waitFor(
      'the application is back to Created',
      async () => (await server.call('GET', '/api/applications/single-cartridge-app')).body.status === 'Created',
      { timeoutMs: 20_000, everyMs: 100 },
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
    assert.equal(bad.body.code, 'REQUEST_REJECTED');
  });

  it('answers what the HTTP parser of node refuses with the envelope and its code', async () => {
    const port = Number(new URL(server.url).port);
    const send = (bytes: string) =>
      new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
        socket.on('error', reject);
      });
    const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    const malformed = await send('GET api/cartridges HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(malformed, /^HTTP\/1\.1 400 /);
    assert.deepEqual(Object.keys(bodyOf(malformed)), ['status', 'message', 'code']);
    assert.equal(bodyOf(malformed).code, 'HTTP_MALFORMED');
    assert.match(bodyOf(malformed).message, /^Malformed HTTP request \(HPE_/);
    const huge = await send(`GET /api/cartridges HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
    assert.deepEqual(bodyOf(huge), { status: 'error', message: 'The request headers are too large', code: 'HEADERS_TOO_LARGE' });
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
    assert.deepEqual((await server.call('GET', '/api/autoscalingPolicies/as-comma')).body, {
      id: 'as-comma',
      loadThresholds: { loadAverage: { threshold: 50 } },
    });
  });
});

/** The documented answers of every route, and answers the response schemas serialise without losing a field. */
describe('OpenAPI responses', { skip: samplesMissing }, () => {
  let server: TestServer;
  let doc: any;
  const APP = 'group-scaling';
  const SUPER_ADMIN = { userName: 'admin', tenantId: -1234, tenantDomain: 'carbon.super', role: 'admin' } as const;
  before(async () => {
    server = await startTestServer({ mbPort: 0 }, FAST_ENV);
    doc = (await server.call('GET', '/api/openapi.json', undefined, null)).body;
    // a nested application: group1 holds group2 which holds group3 (cartridges c1..c4)
    const entry = MANIFEST.find((m) => m.application.endsWith('/group-scaling-app'));
    assert.ok(entry, APP);
    for (const call of entry.deploy.filter((c) => !isDeploy(c))) {
      const res = await server.call(call.method, call.path, call.body ? sampleText(call.body) : undefined);
      assert.ok(res.status < 300, `${call.method} ${call.path}: ${JSON.stringify(res.body)}`);
    }
  });
  after(() => server.stop());

  const envelope = (status: 'success' | 'error') => ({ status: { type: 'string', enum: [status] }, message: { type: 'string' } });
  const responses = (path: string, method: string) => doc.paths[path][method].responses;

  it('documents deploy and undeploy as 202 with the success envelope', () => {
    for (const [path, method] of [
      ['/api/applications/{id}/deploy/{policy}', 'post'],
      ['/api/applications/{id}/undeploy', 'post'],
    ]) {
      const ok = responses(path, method)['202'].content['application/json'].schema;
      assert.equal(ok.type, 'object');
      assert.deepEqual(pick(ok.properties, ['status', 'message']), envelope('success'), path);
      assert.deepEqual(ok.required?.sort(), ['message', 'status']);
    }
  });

  it('documents runtime, cluster and networkPartitions answers with their fields', () => {
    const runtime = responses('/api/applications/{id}/runtime', 'get')['200'].content['application/json'].schema;
    for (const f of ['id', 'status', 'tenantDomain', 'applicationInstances']) assert.ok(runtime.properties[f], `runtime.${f}`);
    const instance = runtime.properties.applicationInstances.items;
    assert.ok(instance.properties.clusterInstances && instance.properties.groupInstances);
    const member = instance.properties.clusterInstances.items.properties.member.items;
    for (const f of ['memberId', 'status', 'defaultPrivateIP', 'ports', 'property']) assert.ok(member.properties[f], `member.${f}`);
    const cluster = responses('/api/cluster/{clusterId}', 'get')['200'].content['application/json'].schema;
    for (const f of ['clusterId', 'serviceName', 'instances', 'member']) assert.ok(cluster.properties[f], `cluster.${f}`);
    const nps = responses('/api/applications/{id}/networkPartitions', 'get')['200'].content['application/json'].schema;
    assert.deepEqual(nps.properties.networkPartitionIds.items, { type: 'string' });
  });

  it('documents the error envelope with its code on every route of the API, for 4xx and 5xx', () => {
    let routes = 0;
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/api/')) continue; // the mock IaaS API answers in its own format
      for (const [method, op] of Object.entries<any>(ops)) {
        if (!['get', 'post', 'put', 'delete'].includes(method)) continue;
        routes++;
        for (const status of ['4XX', '5XX']) {
          const schema = op.responses?.[status]?.content?.['application/json']?.schema;
          assert.ok(schema, `${method.toUpperCase()} ${path}: ${status} documented`);
          assert.deepEqual(pick(schema.properties, ['status', 'message']), envelope('error'));
          assert.ok(schema.properties.code.enum.includes('ARTIFACT_NOT_FOUND'), `${method} ${path}: the codes`);
          assert.ok(schema.properties.code.enum.includes('TOO_MANY_LOGINS'));
        }
      }
    }
    assert.ok(routes > 40, `${routes} routes`);
  });

  it('an error answered through a response schema keeps its code', async () => {
    const missing = await server.call('GET', '/api/applications/ghost/runtime');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { status: 'error', message: 'Application not found: [application-id] ghost', code: 'APPLICATION_NOT_FOUND' });
    const notDeployed = await server.call('GET', `/api/applications/${APP}/runtime`);
    assert.deepEqual(notDeployed.body, {
      status: 'error',
      message: `Application runtime not found: [application-id] ${APP}`,
      code: 'APPLICATION_RUNTIME_NOT_FOUND',
    });
    const cluster = await server.call('GET', '/api/cluster/ghost.cluster');
    assert.deepEqual(cluster.body, { status: 'error', message: 'Cluster not found: [cluster-id] ghost.cluster', code: 'CLUSTER_NOT_FOUND' });
    const undeploy = await server.call('POST', `/api/applications/${APP}/undeploy`);
    assert.equal(undeploy.status, 409);
    assert.equal(undeploy.body.code, 'APPLICATION_NOT_DEPLOYED');
    const policy = await server.call('POST', `/api/applications/${APP}/deploy/ap-ghost`);
    assert.deepEqual(policy.body, {
      status: 'error',
      message: 'Application policy not found: [application-policy] ap-ghost',
      code: 'APPLICATION_POLICY_NOT_FOUND',
    });
  });

  it('serialises deploy, runtime, cluster and networkPartitions answers without losing a field', async () => {
    const deploy = await server.call('POST', `/api/applications/${APP}/deploy/application-policy-1`);
    assert.equal(deploy.status, 202, JSON.stringify(deploy.body));
    assert.deepEqual(deploy.body, { status: 'success', message: `Application deployed successfully: [application] ${APP}` });
    await waitFor('the application is Active with its members', async () => {
      const res = await server.call('GET', `/api/applications/${APP}/runtime`);
      return res.body.status === 'Active' && JSON.stringify(res.body).includes('"defaultPrivateIP"');
    });
    // the answer through the schema is the control plane's view, field for field (retried while members change)
    const direct = async () => JSON.parse(JSON.stringify(await server.controlPlane.runtime(APP, SUPER_ADMIN)));
    const runtime = await waitFor('a runtime answer between two equal views', async () => {
      const before = await direct();
      const res = await server.call('GET', `/api/applications/${APP}/runtime`);
      return JSON.stringify(before) === JSON.stringify(await direct()) ? { before, body: res.body } : undefined;
    });
    assert.deepEqual(runtime.body, runtime.before);
    const text = JSON.stringify(runtime.body);
    for (const f of ['"groupInstances"', '"clusterInstances"', '"member"', '"ports"', '"memberPrivateIPs"', '"networkPartitionId"', '"accessUrls"']) {
      assert.ok(text.includes(f), `the runtime answer has ${f}`);
    }
    // a group nested in a group keeps its own clusters and members
    const nested = runtime.body.applicationInstances[0].groupInstances[0].groupInstances[0];
    assert.ok(nested.clusterInstances[0].member.length > 0, JSON.stringify(nested).slice(0, 300));

    const clusterId = runtime.body.applicationInstances[0].groupInstances[0].clusterInstances[0].clusterId;
    const cluster = await waitFor('a cluster answer between two equal views', async () => {
      const before = JSON.parse(JSON.stringify(server.controlPlane.cluster(clusterId, SUPER_ADMIN)));
      const res = await server.call('GET', `/api/cluster/${clusterId}`);
      return JSON.stringify(before) === JSON.stringify(server.controlPlane.cluster(clusterId, SUPER_ADMIN)) ? { before, body: res.body } : undefined;
    });
    assert.deepEqual(cluster.body, cluster.before);
    assert.ok(cluster.body.member.length > 0 && cluster.body.lbCluster === false && Array.isArray(cluster.body.property));

    const nps = await server.call('GET', `/api/applications/${APP}/networkPartitions`);
    assert.deepEqual(nps.body, await server.controlPlane.networkPartitions(APP, SUPER_ADMIN));

    const undeploy = await server.call('POST', `/api/applications/${APP}/undeploy?force=true`);
    assert.deepEqual(undeploy.body, { status: 'success', message: `Application undeploy process started successfully: [application-id] ${APP}` });
  });
});

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, stripDescription(o[k])]));
}

/** A schema without its descriptions and titles (what the assertions compare). */
function stripDescription(v: any): any {
  if (!v || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(stripDescription);
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== 'description' && k !== 'title')
      .map(([k, x]) => [k, stripDescription(x)]),
  );
}

describe('error log lines', () => {
  it('log each error answered with its code (pino field code), 4xx as info', async () => {
    const lines: any[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const dataDir = mkdtempSync(join(tmpdir(), 'strato-test-'));
    const settings = loadSettings(
      { STRATO_IAAS_PROVIDERS: 'mock=mock', STRATO_MB_PORT: '0', STRATO_DATABRIDGE_PORT: '0' },
      { httpPort: 0, dataDir, logLevel: 'info' },
    );
    const server = await startServer(settings, logger);
    try {
      const missing = await request(server.url, 'GET', '/api/cartridges/ghost');
      assert.equal(missing.body.code, 'ARTIFACT_NOT_FOUND');
      const unknown = await request(server.url, 'GET', '/api/gadgets');
      assert.equal(unknown.body.code, 'ROUTE_NOT_FOUND');
      const wrong = await request(server.url, 'GET', '/api/cartridges', undefined, 'Basic ' + Buffer.from('admin:nope').toString('base64'));
      assert.equal(wrong.body.code, 'LOGIN_FAILED');
      for (const [code, status, url] of [
        ['ARTIFACT_NOT_FOUND', 404, '/api/cartridges/ghost'],
        ['ROUTE_NOT_FOUND', 404, '/api/gadgets'],
        ['LOGIN_FAILED', 401, '/api/cartridges'],
      ] as const) {
        const line = lines.find((l) => l.code === code);
        assert.ok(line, `a log line with code ${code}: ${JSON.stringify(lines.slice(-5))}`);
        assert.equal(line.status, status);
        assert.equal(line.url, url);
        assert.equal(line.level, 30, 'info');
        assert.ok(typeof line.msg === 'string' && line.msg.length > 0);
      }
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
