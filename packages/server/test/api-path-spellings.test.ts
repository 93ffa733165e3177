import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJson } from '@strato/model';
import { samplesMissing, sampleText } from '@strato/testing';
import { ADMIN, startTestServer, type TestServer } from '@strato/testing/server';
import { rawRequest as raw, type RawReply } from './raw-http.ts';

/**
 * Whatever spelling of a path the router accepts — percent-encoded letters, doubled slashes, dot
 * segments, a trailing slash, another case, `;` parameters, /api/v4.1, an absolute-form request
 * target, HEAD — the same authentication rule applies: without credentials never a 2xx and never
 * an artifact in the body; with credentials never a 5xx. The requests go out with node's
 * http.request and the literal path (fetch would normalise dot segments and absolute forms).
 */

/** Strings that appear only in the artifacts this server holds (and in no request of the table). */
const MARKERS = ['spelling-marker', 'defaultPrivateIp', 'applicationInstances', 'tenantDomain', '"userName"', 'scrypt', 'kubernetesMaster', 'portMapping'];

const hex = (c: string, lower = false) => {
  const h = '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  return lower ? h.toLowerCase() : h;
};
/** Percent-encodes the letters of `s` that `pick` chooses. */
const encodeLetters = (s: string, pick: (c: string, i: number) => boolean, lower = false) =>
  [...s].map((c, i) => (/[A-Za-z]/.test(c) && pick(c, i) ? hex(c, lower) : c)).join('');

/**
 * At least 40 spellings of one canonical path (`/api/...` or `/mock-iaas/api/...`): the ones the
 * router takes for the same route, and near misses it must refuse without a 5xx.
 */
function spellings(path: string, port: number): string[] {
  const segments = path.split('/').slice(1);
  const [first, ...rest] = segments;
  const last = segments[segments.length - 1];
  const tail = rest.join('/');
  const isApi = first === 'api';
  const v41 = isApi ? `/api/v4.1/${tail}` : `/${first}/${rest[0]}/v4.1/${rest.slice(1).join('/')}`;
  const upper = (s: string) => s.replace(/^./, (c) => c.toUpperCase());
  const list = [
    path,
    `${path}/`,
    `/${path}`,
    `//${first}//${tail}`,
    `///${first}///${rest.join('///')}///`,
    `/${'/'.repeat(200)}${first}/${tail}`,
    v41,
    `//api//v4.1//${tail}`,
    `/${encodeLetters(first, (_c, i) => i === 0)}/${tail}`,
    `/${encodeLetters(first, (_c, i) => i === 0, true)}/${tail}`,
    `/${first}/${encodeLetters(tail, (_c, i) => i === 0)}`,
    `/${first}/${encodeLetters(tail, (c) => /[j-oz]/i.test(c), true)}`,
    `/${first}/${tail.slice(0, -1)}${encodeLetters(last.slice(-1), () => true)}`,
    encodeLetters(path, () => true),
    encodeLetters(path, () => true, true),
    `/${encodeLetters(first, () => true)}/v4.1/${tail}`,
    `/api/v4.1/${encodeLetters(tail, (_c, i) => i === 0)}`,
    `/api/v4%2E1/${tail}`,
    `/%25${hex(first[0]).slice(1)}${first.slice(1)}/${tail}`,
    `/${first}%2F${tail}`,
    `/%2F${first}/${tail}`,
    `/${first}/./${tail}`,
    `/./${first}/${tail}`,
    `/x/../${first}/${tail}`,
    `${path}/.`,
    `${path}/..`,
    `/${first}/%2e/${tail}`,
    `/${first}/x/%2e%2e/${tail}`,
    `/${first.toUpperCase()}/${tail}`,
    `/${upper(first)}/${rest.map(upper).join('/')}`,
    `${path.slice(0, -1)}${last.slice(-1).toUpperCase()}`,
    `/${first};jsessionid=1/${tail}`,
    `${path};x=1`,
    `${path}?x=1`,
    `${path}?`,
    `${path}?x=%`,
    `${path}?${'a'.repeat(5000)}=1`,
    `${path}#fragment`,
    `http://127.0.0.1:${port}${path}`,
    `http://evil.example${path}`,
    `https://127.0.0.1:${port}${path}`,
    `http://127.0.0.1:${port}${v41}`,
    `http://127.0.0.1:${port}/${encodeLetters(first, (_c, i) => i === 0)}/${tail}`,
    `http://user:pw@127.0.0.1:${port}${path}`,
    `${path.slice(1)}`,
    `/${first}\\${tail}`,
    `/${first}/%09${tail}`,
    `${path}%00`,
    `${path}%20`,
    `/%C1%A1${first.slice(1)}/${tail}`,
    `/%EF%BD%81${first.slice(1)}/${tail}`,
    `${path}/%`,
    `${path}%`,
    `/%zz/${tail}`,
    `${path}/%E0%A4%A`,
  ];
  return [...new Set(list)];
}

interface Kind {
  name: string;
  method: string;
  path: string;
  /** what a request with credentials sends (the artifact as it is: a write that changes nothing) */
  body?: () => string;
  /** what a request without credentials sends (a change that must never land) */
  anonymousBody?: () => string;
}

describe('path spellings: the same authentication rule for every spelling the router accepts', { skip: samplesMissing }, () => {
  let server: TestServer;
  let port: number;
  const cartridge = () => {
    const c = parseJson(sampleText('cartridges/mock/php.json')) as any;
    c.description = 'spelling-marker cartridge';
    return c;
  };
  const kubernetesCluster = () => {
    const k = parseJson(sampleText('kubernetes-clusters/kubernetes-cluster-1.json')) as any;
    k.property = [...(k.property ?? []), { name: 'password', value: 'spelling-marker-secret' }];
    return k;
  };
  let kubernetesId: string;

  const KINDS: Kind[] = [
    { name: 'list', method: 'GET', path: '/api/cartridges' },
    { name: 'item', method: 'GET', path: '' /* set in before() */ },
    {
      name: 'write',
      method: 'PUT',
      path: '/api/cartridges',
      body: () => JSON.stringify(cartridge()),
      anonymousBody: () => JSON.stringify({ ...cartridge(), description: 'tampered' }),
    },
    { name: 'deploy', method: 'POST', path: '/api/applications/single-cartridge-app/deploy/application-policy-1' },
    { name: 'runtime', method: 'GET', path: '/api/applications/single-cartridge-app/runtime' },
    { name: 'users', method: 'GET', path: '/api/users' },
    { name: 'tenants', method: 'GET', path: '/api/tenants' },
    { name: 'mock IaaS', method: 'GET', path: '/mock-iaas/api/instances' },
  ];

  before(async () => {
    server = await startTestServer({ mbPort: 0 });
    port = Number(new URL(server.url).port);
    const seed: [string, unknown][] = [
      ['autoscalingPolicies', sampleText('autoscaling-policies/autoscaling-policy-1.json')],
      ['networkPartitions', sampleText('network-partitions/mock/network-partition-1.json')],
      ['deploymentPolicies', sampleText('deployment-policies/deployment-policy-1.json')],
      ['cartridges', cartridge()],
      ['applicationPolicies', sampleText('application-policies/application-policy-1.json')],
      ['applications', sampleText('applications/simple/single-cartridge-app/artifacts/application.json')],
      ['kubernetesClusters', kubernetesCluster()],
      [
        'tenants',
        { tenantDomain: 'acme.com', admin: 'bob', adminPassword: 'spelling-marker-pw', firstName: 'Bob', lastName: 'A', email: 'spelling-marker@acme.com' },
      ],
      ['users', { userName: 'spelling-marker-user', credential: 'spelling-marker-pw', role: 'user' }],
    ];
    for (const [collection, body] of seed) {
      const res = await server.call('POST', `/api/${collection}`, body);
      assert.equal(res.status, 201, `${collection}: ${JSON.stringify(res.body)}`);
    }
    kubernetesId = kubernetesCluster().clusterId;
    KINDS[1].path = `/api/kubernetesClusters/${kubernetesId}`;
  });
  after(() => server.stop());

  /** Without credentials: never a 2xx (nor 3xx, nor 5xx), and the body is at most an error envelope naming no artifact. */
  function refusedWithoutCredentials(res: RawReply, what: string): void {
    assert.ok(res.status >= 400 && res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
    for (const marker of MARKERS) assert.ok(!res.text.includes(marker), `${what}: the body names ${marker}: ${res.text.slice(0, 300)}`);
    if (res.text !== '') {
      const body = JSON.parse(res.text);
      assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'status'], `${what}: ${res.text.slice(0, 300)}`);
      assert.equal(body.status, 'error', what);
    }
  }

  for (const kind of KINDS) {
    it(`${kind.name}: ${kind.method} on at least 40 spellings, and HEAD where it is a read`, async (t) => {
      const table = spellings(kind.path, port);
      assert.ok(table.length >= 40, `${table.length} spellings`);
      const methods = kind.method === 'GET' ? ['GET', 'HEAD'] : [kind.method];
      const admitted: string[] = [];
      for (const target of table) {
        for (const method of methods) {
          const what = `${method} ${target.slice(0, 200)}`;
          const withBody = (b?: () => string): Record<string, string> => (b ? { 'content-type': 'application/json' } : {});
          const anonymous = await raw(port, method, target, withBody(kind.anonymousBody ?? kind.body), (kind.anonymousBody ?? kind.body)?.());
          refusedWithoutCredentials(anonymous, `${what} without credentials`);
          const wrong = await raw(
            port,
            method,
            target,
            { ...withBody(kind.anonymousBody ?? kind.body), cookie: 'JSESSIONID=forged' },
            (kind.anonymousBody ?? kind.body)?.(),
          );
          refusedWithoutCredentials(wrong, `${what} with a forged session`);
          const admin = await raw(port, method, target, { ...withBody(kind.body), authorization: ADMIN }, kind.body?.());
          assert.ok(admin.status < 500, `${what} as admin: ${admin.status} ${admin.text.slice(0, 300)}`);
          if (admin.status < 300) admitted.push(target);
        }
      }
      t.diagnostic(`${table.length} spellings × ${methods.join('+')}: ${admitted.length} admitted with credentials`);
      // the table is not all near misses: the router took the usual spellings (as admin: 2xx, or 409 for a second deploy)
      if (kind.name !== 'deploy') {
        const v41 = kind.path.startsWith('/api/')
          ? [kind.path.replace('/api/', '/api/v4.1/'), `http://127.0.0.1:${port}${kind.path.replace('/api/', '/api/v4.1/')}`]
          : [];
        for (const expected of [
          kind.path,
          `${kind.path}/`,
          `//${kind.path.slice(1).replace('/', '//')}`,
          encodeLetters(kind.path, (_c, i) => i === 1),
          `http://127.0.0.1:${port}${kind.path}`,
          ...v41,
        ]) {
          assert.ok(admitted.includes(expected), `${expected} was admitted with credentials (admitted: ${admitted.length})`);
        }
      } else {
        assert.equal(admitted.length, 1, `exactly one deploy went through: ${admitted.join(' ')}`);
      }
    });
  }

  it('answers a write spelled oddly with the canonical Location', async () => {
    const policy = (id: string) => JSON.stringify({ ...(parseJson(sampleText('autoscaling-policies/autoscaling-policy-1.json')) as object), id });
    const cases: [string, string, string][] = [
      ['/%61pi/autoscalingPolicies', 'spell-1', `/api/autoscalingPolicies/spell-1`],
      [`http://127.0.0.1:${port}/api/v4.1/autoscalingPolicies`, 'spell-2', `/api/v4.1/autoscalingPolicies/spell-2`],
      ['//api//v4.1//autoscalingPolicies/', 'spell-3', `/api/v4.1/autoscalingPolicies/spell-3`],
      [
        `/api/kubernetesClusters/${encodeURIComponent(kubernetesId).replace(/c/, '%63')}/minion`,
        'spell-host',
        `/api/kubernetesClusters/${kubernetesId}/minion/spell-host`,
      ],
    ];
    for (const [target, id, location] of cases) {
      const body = id === 'spell-host' ? JSON.stringify({ hostId: id, hostname: 'h1', privateIPAddress: '10.0.0.9', publicIPAddress: '20.0.0.9' }) : policy(id);
      const res = await raw(port, 'POST', target, { authorization: ADMIN, 'content-type': 'application/json' }, body);
      assert.equal(res.status, 201, `${target}: ${res.text}`);
      assert.equal(res.headers.location, `http://127.0.0.1:${port}${location}`, target);
    }
  });

  it('changed nothing without credentials: the cartridge was never tampered with', async () => {
    const res = await server.call('GET', '/api/cartridges/php');
    assert.equal(res.status, 200);
    assert.equal(res.body.description, 'spelling-marker cartridge');
  });
});
