import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalize, StratoError } from '../src/index.ts';
import type { ArtifactKind } from '../src/index.ts';
import { kindOfSample, loadSample, sampleFiles, samplesMissing } from '@strato/testing';
import { draws } from './fast-check-params.ts';

function rejected(kind: ArtifactKind, input: unknown): StratoError {
  try {
    normalize(kind, input);
  } catch (e) {
    assert.ok(e instanceof StratoError, 'a StratoError');
    assert.equal(e.statusCode, 400);
    return e;
  }
  assert.fail('expected normalize to reject the input');
}

const cartridge = () => ({
  type: 'php',
  category: 'framework',
  portMapping: [{ protocol: 'http', port: 8080, proxyPort: 8280 }],
  iaasProvider: [{ type: 'mock', imageId: 'img' }],
});

const artifacts = sampleFiles()
  .map((rel) => ({ rel, kind: kindOfSample(rel) }))
  .filter((s): s is { rel: string; kind: ArtifactKind } => s.kind !== undefined);

test('every artifact sample has a kind (only the manifest, sign-ups and domain mappings are skipped)', { skip: samplesMissing }, () => {
  const skipped = sampleFiles().filter((rel) => kindOfSample(rel) === undefined);
  for (const rel of skipped) assert.match(rel, /(manifest|application-signup|domain-mappings)\.json$/);
  assert.ok(artifacts.length >= 100);
});

for (const { rel, kind } of artifacts) {
  test(`sample ${rel} normalizes as ${kind}, idempotently`, () => {
    const input = loadSample(rel);
    const before = structuredClone(input);
    const once = normalize(kind, input);
    assert.deepEqual(input, before, 'the input is not modified');
    assert.deepEqual(normalize(kind, structuredClone(once)), once);
    assert.deepEqual(JSON.parse(JSON.stringify(once)), once, 'plain JSON, no undefined members');
  });
}

test('numbers and booleans given as strings are coerced', () => {
  const c = normalize('cartridge', {
    ...cartridge(),
    multiTenant: 'false',
    portMapping: [{ protocol: 'http', port: '22', proxyPort: '8222' }],
  });
  assert.equal(c.multiTenant, false);
  assert.equal(c.portMapping[0].port, 22);
  assert.equal(c.portMapping[0].proxyPort, 8222);
});

test('strings given as numbers are coerced to strings', () => {
  const c = normalize('cartridge', { ...cartridge(), version: 7, property: [{ name: 'port', value: 61616 }] });
  assert.equal(c.version, '7');
  assert.deepEqual(c.property, [{ name: 'port', value: '61616' }]);
});

test('a single value where a list is expected becomes a one-element list', () => {
  const c = normalize('cartridge', {
    ...cartridge(),
    portMapping: { protocol: 'http', port: 80 },
    iaasProvider: { type: 'mock' },
    metadataKeys: 'k1',
  });
  assert.ok(Array.isArray(c.portMapping) && c.portMapping.length === 1);
  assert.deepEqual(c.iaasProvider, [{ type: 'mock' }]);
  assert.deepEqual(c.metadataKeys, ['k1']);
  const ap = normalize('applicationPolicy', { id: 'ap', algorithm: 'all-at-once', networkPartitions: 'np1' });
  assert.deepEqual(ap.networkPartitions, ['np1']);
});

test('unknown fields are dropped, at every depth', () => {
  const c = normalize('cartridge', {
    ...cartridge(),
    bogus: 1,
    iaasProvider: [{ type: 'mock', maxInstanceLimit: 3, networkInterfaces: [{ name: 'x', networkUuid: 'u' }] }],
  });
  assert.equal('bogus' in c, false);
  assert.deepEqual(c.iaasProvider, [{ type: 'mock', networkInterfaces: [{ networkUuid: 'u' }] }]);
});

test('nulls are omitted', () => {
  const c = normalize('cartridge', { ...cartridge(), host: null, description: null, property: [null] });
  assert.equal('host' in c, false);
  assert.equal('description' in c, false);
  assert.deepEqual(c.property, []);
});

test('a blank port-mapping name is generated as {protocol}-{port}', () => {
  const c = normalize('cartridge', {
    ...cartridge(),
    portMapping: [
      { protocol: 'http', port: '80', name: ' ' },
      { protocol: 'tcp', port: 22 },
      { protocol: 'https', port: 443, name: 'secure' },
    ],
  });
  assert.deepEqual(
    c.portMapping.map((p) => p.name),
    ['http-80', 'tcp-22', 'secure'],
  );
});

test('artifactRepository.alias is overwritten with the subscription alias, at every depth', () => {
  const sub = (alias: string) => ({
    type: 'php',
    subscribableInfo: { alias, autoscalingPolicy: 'as', artifactRepository: { alias: 'other', repoUrl: 'u' } },
  });
  const app = normalize('application', {
    applicationId: 'app',
    alias: 'app',
    components: { cartridges: [sub('top')], groups: [{ name: 'g', alias: 'g1', groups: [{ name: 'n', alias: 'n1', cartridges: [sub('deep')] }] }] },
  });
  assert.equal(app.components.cartridges![0].subscribableInfo.artifactRepository!.alias, 'top');
  assert.equal(app.components.groups![0].groups![0].cartridges![0].subscribableInfo.artifactRepository!.alias, 'deep');
});

test('comma-separated startup-order and scaling-dependent entries are split and trimmed', () => {
  const g = normalize('cartridgeGroup', {
    name: 'g',
    dependencies: { startupOrders: [{ aliases: ['group.a, cartridge.b', ' cartridge.c '] }], scalingDependents: { aliases: 'cartridge.b,cartridge.c' } },
    groups: [{ name: 'n', dependencies: { startupOrders: [{ aliases: 'cartridge.x,cartridge.y' }] } }],
  });
  assert.deepEqual(g.dependencies!.startupOrders![0].aliases, ['group.a', 'cartridge.b', 'cartridge.c']);
  assert.deepEqual(g.dependencies!.scalingDependents![0].aliases, ['cartridge.b', 'cartridge.c']);
  assert.deepEqual(g.groups![0].dependencies!.startupOrders![0].aliases, ['cartridge.x', 'cartridge.y']);
  const app = normalize('application', {
    applicationId: 'a',
    alias: 'a',
    components: { dependencies: { startupOrders: [{ aliases: ['cartridge.p, group.q'] }] } },
  });
  assert.deepEqual(app.components.dependencies!.startupOrders![0].aliases, ['cartridge.p', 'group.q']);
});

test('legacy field names of two samples are read (networkPartition, max, partition provider)', () => {
  const dp = normalize('deploymentPolicy', {
    id: 'dp',
    networkPartition: [{ id: 'np', partitionAlgo: 'round-robin', partitions: [{ id: 'p', max: 5 }] }],
  });
  assert.deepEqual(dp, { id: 'dp', networkPartitions: [{ id: 'np', partitionAlgo: 'round-robin', partitions: [{ id: 'p', partitionMax: 5 }] }] });
  const np = normalize('networkPartition', { id: 'np', partitions: [{ id: 'p', provider: 'ec2' }] });
  assert.equal(np.provider, 'ec2');
});

test('a wrong type is rejected naming the path, the value and the rule', () => {
  const e = rejected('cartridge', { ...cartridge(), portMapping: [{ protocol: 'http', port: 'eighty' }] });
  assert.equal(e.message, 'cartridge.portMapping[0].port must be integer, got "eighty"');
  const f = rejected('kubernetesCluster', { clusterId: 'k', kubernetesMaster: { hostId: 'm' }, portRange: { upper: 1.5, lower: 1 } });
  assert.match(f.message, /^kubernetesCluster\.portRange\.upper must be integer, got 1\.5$/);
});

test('a missing required field is rejected naming it', () => {
  const { category: _, ...noCategory } = cartridge();
  assert.equal(rejected('cartridge', noCategory).message, 'cartridge.category is required');
  assert.equal(
    rejected('application', { applicationId: 'a', alias: 'a', components: { cartridges: [{ type: 'php', subscribableInfo: { alias: 'x' } }] } }).message,
    'application.components.cartridges[0].subscribableInfo.autoscalingPolicy is required',
  );
  assert.equal(rejected('networkPartition', { id: 'np', provider: 'mock' }).message, 'networkPartition.partitions is required');
});

test('long offending values are truncated in messages', () => {
  const e = rejected('autoscalingPolicy', { id: 'as', loadThresholds: { loadAverage: { threshold: 'x'.repeat(500) } } });
  assert.ok(e.message.length < 200, e.message);
  assert.match(e.message, /^autoscalingPolicy\.loadThresholds\.loadAverage\.threshold must be number, got "x+\.\.\.$/);
});

test('input that is not an object is rejected naming the kind', () => {
  assert.match(rejected('cartridge', [1]).message, /A cartridge must be a JSON object, got an array/);
  assert.match(rejected('deploymentPolicy', null).message, /A deployment policy must be a JSON object, got null/);
  assert.match(rejected('tenant', 'x').message, /A tenant must be a JSON object, got a string/);
});

test('a blank id is rejected', () => {
  assert.equal(rejected('cartridge', { ...cartridge(), type: '  ' }).message, 'cartridge.type must not be blank');
  assert.equal(rejected('networkPartition', { id: '', provider: 'mock', partitions: [] }).message, 'networkPartition.id must not be blank');
});

test('a "__proto__" key is an ordinary (dropped) field', () => {
  const input = JSON.parse('{"id": "as", "__proto__": {"polluted": true}}');
  const as = normalize('autoscalingPolicy', input);
  assert.deepEqual(as, { id: 'as' });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

const KINDS: ArtifactKind[] = [
  'cartridge',
  'cartridgeGroup',
  'application',
  'autoscalingPolicy',
  'deploymentPolicy',
  'applicationPolicy',
  'networkPartition',
  'kubernetesCluster',
  'kubernetesHost',
  'kubernetesMaster',
  'tenant',
  'user',
];

test('property: any JSON value either normalizes or is rejected with a StratoError', () => {
  fc.assert(
    fc.property(fc.constantFrom(...KINDS), fc.jsonValue(), (kind, value) => {
      try {
        const out = normalize(kind, value);
        assert.deepEqual(normalize(kind, out), out);
      } catch (e) {
        if (!(e instanceof StratoError)) throw e;
      }
    }),
    draws(500),
  );
});

test('property: samples with a random field removed either normalize or are rejected with a StratoError', { skip: samplesMissing }, () => {
  const samples = artifacts.map(({ rel, kind }) => ({ kind, value: loadSample(rel) as Record<string, unknown> }));
  fc.assert(
    fc.property(fc.constantFrom(...samples), fc.nat(), fc.jsonValue(), ({ kind, value }, n, replacement) => {
      const copy = structuredClone(value);
      const keys = Object.keys(copy);
      const key = keys[n % keys.length];
      copy[key] = replacement;
      try {
        normalize(kind, copy);
      } catch (e) {
        if (!(e instanceof StratoError)) throw e;
      }
    }),
    draws(300),
  );
});

test('every schema has a title and a description (OpenAPI source)', async () => {
  const { schemas } = await import('../src/index.ts');
  for (const [kind, schema] of Object.entries(schemas)) {
    assert.equal(typeof schema.title, 'string', kind);
    assert.equal(typeof schema.description, 'string', kind);
  }
});
