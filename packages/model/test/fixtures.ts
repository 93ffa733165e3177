import assert from 'node:assert/strict';
import type { ArtifactKind, Catalog } from '../src/index.ts';
import { emptyCatalog, idOf, normalize, StratoError, validate } from '../src/index.ts';

/** A catalog holding two network partitions, policies, cartridges php/tomcat/mysql and group web-group. */
export function fixtureCatalog(): Catalog {
  const catalog: Catalog = emptyCatalog(['mock', 'kubernetes']);
  add(catalog, 'networkPartition', { id: 'np1', provider: 'mock', partitions: [{ id: 'p1' }, { id: 'p2' }] });
  add(catalog, 'networkPartition', { id: 'np2', provider: 'mock', partitions: [{ id: 'p1' }] });
  add(catalog, 'autoscalingPolicy', { id: 'as1', loadThresholds: { requestsInFlight: { threshold: 20 } } });
  add(catalog, 'deploymentPolicy', {
    id: 'dp1',
    networkPartitions: [{ id: 'np1', partitionAlgo: 'round-robin', partitions: [{ id: 'p1', partitionMax: 5 }] }],
  });
  add(catalog, 'deploymentPolicy', {
    id: 'dp2',
    networkPartitions: [{ id: 'np2', partitionAlgo: 'one-after-another', partitions: [{ id: 'p1', partitionMax: 5 }] }],
  });
  add(catalog, 'applicationPolicy', { id: 'ap1', algorithm: 'one-after-another', networkPartitions: ['np1'] });
  for (const type of ['php', 'tomcat', 'mysql']) add(catalog, 'cartridge', cartridge(type));
  add(catalog, 'cartridgeGroup', {
    name: 'web-group',
    cartridges: ['php'],
    groups: [{ name: 'db', cartridges: ['mysql'] }],
    dependencies: { startupOrders: [{ aliases: ['group.db', 'cartridge.web'] }], terminationBehaviour: 'terminate-all' },
  });
  return catalog;
}

export function cartridge(type: string, extra: Record<string, unknown> = {}) {
  return {
    type,
    category: 'framework',
    host: `${type}.example.org`,
    portMapping: [{ protocol: 'http', port: 80, proxyPort: 8280 }],
    iaasProvider: [{ type: 'mock', imageId: 'img' }],
    ...extra,
  };
}

export function sub(type: string, alias: string, extra: Record<string, unknown> = {}) {
  return { type, cartridgeMin: 1, cartridgeMax: 2, subscribableInfo: { alias, autoscalingPolicy: 'as1', deploymentPolicy: 'dp1', ...extra } };
}

/** An application using web-group (alias web-g with children web, db/db1) and a top-level tomcat. */
export function application(extra: Record<string, unknown> = {}) {
  return {
    applicationId: 'app',
    alias: 'app',
    components: {
      cartridges: [sub('tomcat', 'tc')],
      groups: [
        {
          name: 'web-group',
          alias: 'web-g',
          groupMinInstances: 1,
          groupMaxInstances: 1,
          deploymentPolicy: 'dp1',
          cartridges: [{ type: 'php', subscribableInfo: { alias: 'web', autoscalingPolicy: 'as1' } }],
          groups: [{ name: 'db', alias: 'db', cartridges: [{ type: 'mysql', subscribableInfo: { alias: 'db1', autoscalingPolicy: 'as1' } }] }],
        },
      ],
      dependencies: { startupOrders: [{ aliases: ['group.web-g', 'cartridge.tc'] }], terminationBehaviour: 'terminate-none' },
    },
    ...extra,
  };
}

/** Normalizes, validates (add) and stores an artifact; returns it. */
export function add(catalog: Catalog, kind: ArtifactKind, input: unknown) {
  const artifact = normalize(kind, input);
  validate(kind, artifact, catalog, 'add');
  const maps: Partial<Record<ArtifactKind, Map<string, unknown>>> = {
    cartridge: catalog.cartridges,
    cartridgeGroup: catalog.cartridgeGroups,
    autoscalingPolicy: catalog.autoscalingPolicies,
    deploymentPolicy: catalog.deploymentPolicies,
    applicationPolicy: catalog.applicationPolicies,
    networkPartition: catalog.networkPartitions,
    kubernetesCluster: catalog.kubernetesClusters,
    application: catalog.applications,
  };
  maps[kind]!.set(idOf(kind, artifact), kind === 'application' ? { ...(artifact as object), status: 'Created' } : artifact);
  return artifact;
}

/** Asserts that validating `input` (after normalize) throws a StratoError with that status and message fragment. */
export function rejects(
  catalog: Catalog,
  kind: ArtifactKind,
  input: unknown,
  statusCode: number,
  fragment: string | RegExp,
  mode: 'add' | 'update' = 'add',
): void {
  const artifact = normalize(kind, input);
  assert.throws(
    () => validate(kind, artifact, catalog, mode),
    (e: unknown) => {
      assert.ok(e instanceof StratoError, `a StratoError, got ${String(e)}`);
      assert.equal(e.statusCode, statusCode, e.message);
      if (typeof fragment === 'string') assert.ok(e.message.includes(fragment), `"${e.message}" should include "${fragment}"`);
      else assert.match(e.message, fragment);
      return true;
    },
  );
}

/** Asserts that validating `input` passes. */
export function accepts(catalog: Catalog, kind: ArtifactKind, input: unknown, mode: 'add' | 'update' = 'add'): void {
  validate(kind, normalize(kind, input), catalog, mode);
}
