/**
 * The CLI's artifact handling against Stratos's own samples: every sample's kind is recognised from
 * its content alone, and `apply` of each sample application's artifacts is idempotent on a real
 * server (a second apply finds every artifact unchanged, so nothing is written), `delete` removes
 * them all again. Skipped, saying so, without the samples.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJson } from '@strato/model';
import { isDeploy, kindOfSample, MANIFEST, MULTI_CLOUD_PROVIDERS, SAMPLES, sampleFiles, samplesMissing } from '@strato/testing';
import { startTestServer, type TestServer } from '@strato/testing/server';
import { applyArtifacts, deleteArtifacts, sameDefinition } from '../src/apply.ts';
import { readArtifacts } from '../src/files.ts';
import { recogniseKind } from '../src/kinds.ts';

describe('kinds recognised from content', () => {
  it('every artifact of examples/ is recognised as the kind of its folder', () => {
    const root = new URL('../../../examples/', import.meta.url).pathname;
    const byFolder: Record<string, string> = {
      'network-partitions': 'networkPartition',
      'autoscaling-policies': 'autoscalingPolicy',
      'deployment-policies': 'deploymentPolicy',
      'application-policies': 'applicationPolicy',
      cartridges: 'cartridge',
      'cartridge-groups': 'cartridgeGroup',
      applications: 'application',
    };
    const found = readArtifacts([root], root);
    assert.equal(found.length, 17);
    for (const a of found) assert.equal(a.kind, byFolder[a.source.split('/')[0]], a.source);
  });

  it("every artifact of Stratos's samples is recognised as the kind its folder says", { skip: samplesMissing }, () => {
    let checked = 0;
    for (const rel of sampleFiles()) {
      const kind = kindOfSample(rel);
      if (!kind) continue;
      assert.equal(recogniseKind(parseJson(readFileSync(join(SAMPLES, rel), 'utf8'))), kind, rel);
      checked++;
    }
    assert.ok(checked > 50, `${checked} samples checked`);
  });

  it('what is not an artifact is not recognised', () => {
    for (const v of [null, 42, 'x', [], {}, { id: 'x' }, { name: 'only-a-name' }, { type: 'no-category' }])
      assert.equal(recogniseKind(v), undefined, JSON.stringify(v));
  });

  it('a definition equals its normal form: spellings of Stratos input do not count as changes', () => {
    const stored = { id: 'p', algorithm: 'one-after-another', networkPartitions: ['np1'] };
    assert.ok(sameDefinition('applicationPolicy', { ...stored, networkPartitions: 'np1', unknownField: true }, stored));
    assert.ok(!sameDefinition('applicationPolicy', { ...stored, algorithm: 'all-at-once' }, stored));
    const cartridge = JSON.parse(readFileSync(new URL('../../../examples/cartridges/web.json', import.meta.url), 'utf8'));
    const asStrings = { ...cartridge, multiTenant: 'false', portMapping: [{ ...cartridge.portMapping[0], port: '8080' }] };
    assert.ok(sameDefinition('cartridge', asStrings, cartridge));
    assert.ok(!sameDefinition('cartridge', { ...cartridge, portMapping: [{ ...cartridge.portMapping[0], port: 8081 }] }, cartridge));
  });
});

describe("apply of Stratos's sample applications", { skip: samplesMissing }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS });
  });
  after(async () => {
    await server?.stop();
  });

  for (const entry of MANIFEST) {
    it(`${entry.application}: applied twice, the second apply writes nothing; delete removes all`, async () => {
      const files = entry.deploy.filter((c) => !isDeploy(c) && c.method === 'POST' && c.body && kindOfSample(c.body)).map((c) => join(SAMPLES, c.body!));
      const artifacts = readArtifacts(files, SAMPLES);
      assert.ok(artifacts.length > 0);
      const first = await applyArtifacts(server.client, artifacts, () => {});
      assert.deepEqual(
        first.filter((r) => r.outcome !== 'created'),
        [],
        'every artifact created',
      );
      const second = await applyArtifacts(server.client, artifacts, () => {});
      assert.deepEqual(
        second.filter((r) => r.outcome !== 'unchanged'),
        [],
        'nothing changed',
      );
      const removed = await deleteArtifacts(server.client, artifacts, () => {});
      assert.deepEqual(
        removed.filter((r) => r.outcome !== 'deleted'),
        [],
        'every artifact deleted',
      );
    });
  }
});
