import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES, samplesMissing } from '@strato/testing';
import {
  buildApplicationTree,
  clusterNodes,
  componentNodes,
  deploymentPolicyByAlias,
  findComponent,
  groupDepth,
  treeLevels,
  type ApplicationDefinition,
  type CartridgeGroupDefinition,
  type ComponentNode,
} from '../src/orchestration/index.ts';

/** Test-only tolerant parse: one sample has a trailing comma, which Stratos accepted. */
function load<T>(relative: string): T {
  return JSON.parse(readFileSync(join(SAMPLES, relative), 'utf8').replace(/,\s*([}\]])/g, '$1')) as T;
}

interface ManifestEntry {
  readonly application: string;
  readonly deploy: readonly { readonly method: string; readonly path: string; readonly body?: string }[];
}

/** Every sample application with the cartridge groups its deploy script registers. */
function samples(): Map<string, ComponentNode> {
  const out = new Map<string, ComponentNode>();
  for (const entry of load<ManifestEntry[]>('manifest.json')) {
    const groups = entry.deploy
      .filter((c) => c.path === '/api/cartridgeGroups' && c.body !== undefined)
      .map((c) => load<CartridgeGroupDefinition>(c.body as string));
    const appCall = entry.deploy.find((c) => c.path === '/api/applications' && c.body !== undefined);
    assert.ok(appCall, entry.application);
    const app = load<ApplicationDefinition>(appCall.body as string);
    out.set(app.applicationId, buildApplicationTree(app, groups));
  }
  return out;
}

const TREES = samplesMissing ? new Map<string, ComponentNode>() : samples();

/** A test of Stratos's samples: skipped, saying why, when they are absent. */
const sampleTest = (name: string, fn: () => void) => test(name, { skip: samplesMissing }, fn);

function tree(id: string): ComponentNode {
  const t = TREES.get(id);
  assert.ok(t, `sample ${id}`);
  return t;
}

function node(root: ComponentNode, alias: string): ComponentNode {
  const n = findComponent(root, alias);
  assert.ok(n, alias);
  return n;
}

sampleTest('every sample application builds; cluster and group counts', () => {
  const expected: Record<string, [clusters: number, groups: number, depth: number]> = {
    'my-compositeapp': [5, 2, 1],
    'tomcat-single-signon': [2, 0, 0],
    wordpress: [2, 1, 1],
    'complex-app-with-lb': [6, 4, 2],
    'esb-php-nested-with-esb-php-nested-with-mysql-php-app': [7, 3, 3],
    'n-level-nesting': [10, 6, 6],
    'nested-group-app': [3, 2, 2],
    'complex-app': [5, 4, 2],
    'app-bursting-pattern-app': [1, 0, 0],
    'dependency-scaling-cartridges-app': [2, 0, 0],
    'dependency-scaling-groups-app': [3, 1, 1],
    'group-scaling': [4, 2, 2],
    'group-scaling-v1': [2, 1, 1],
    'single-group-group-scaling': [1, 1, 1],
    'single-cartridge-app': [1, 0, 0],
    'single-cartridge-multi-cloud-app': [1, 0, 0],
    'cartridge-group-app': [3, 1, 1],
  };
  assert.deepEqual([...TREES.keys()].sort(), Object.keys(expected).sort());
  for (const [id, [clusters, groups, depth]] of Object.entries(expected)) {
    const t = tree(id);
    assert.equal(t.kind, 'application');
    assert.equal(t.id, id);
    assert.equal(clusterNodes(t).length, clusters, `${id} clusters`);
    assert.equal(componentNodes(t).filter((n) => n.kind === 'group').length, groups, `${id} groups`);
    assert.equal(groupDepth(t), depth, `${id} depth`);
    for (const c of clusterNodes(t)) {
      assert.equal(c.id, `${id}.${c.alias}.${c.cartridgeType}.domain`);
      assert.ok(c.deploymentPolicy, `${id}: ${c.alias} has an effective deployment policy`);
      assert.ok(c.min <= c.max);
    }
  }
});

sampleTest('five-levels-nested-groups-app: five levels below the top group', () => {
  const t = tree('n-level-nesting');
  const top = node(t, 'n-level-nesting-group');
  assert.equal(groupDepth(top), 5);
  let g: ComponentNode | undefined = top;
  const chain: string[] = [];
  while (g) {
    chain.push(g.alias);
    g = g.children.find((c) => c.kind === 'group');
  }
  assert.deepEqual(chain, ['n-level-nesting-group', 'level-one-group', 'level-two-group', 'level-three-group', 'level-four-group', 'level-five-group']);
  assert.equal(node(t, 'level-five-group-tomcat').max, 10000000);
});

sampleTest('my-compositeapp: app-level startup orders and scaling dependents, group definitions', () => {
  const t = tree('my-compositeapp');
  assert.deepEqual(treeLevels(t.dependencyTree), [['my-dbgroup'], ['my-appgroup', 'my-esb']]);
  assert.deepEqual(t.dependencies.scalingDependents, [['group.my-appgroup', 'cartridge.my-esb']]);
  assert.deepEqual(t.scalingDependents, [['my-appgroup', 'my-esb']]);
  assert.equal(t.terminationBehaviour, 'terminate-none');
  const app = node(t, 'my-appgroup');
  assert.equal(app.name, 'app-group');
  assert.equal(app.groupScalingEnabled, true);
  assert.equal(app.terminationBehaviour, 'terminate-all');
  assert.deepEqual(treeLevels(app.dependencyTree), [['my-php'], ['my-tomcat']]);
  const db = node(t, 'my-dbgroup');
  assert.equal(db.terminationBehaviour, 'terminate-all');
  assert.deepEqual(treeLevels(db.dependencyTree), [['my-postgres', 'my-mysql']]);
});

sampleTest('complex-app-with-lb: chain startup order, inherited deployment policy', () => {
  const t = tree('complex-app-with-lb');
  assert.deepEqual(treeLevels(t.dependencyTree), [['my-tomcat'], ['my-stratos-lb'], ['my-group6'], ['my-group8']]);
  assert.equal(t.terminationBehaviour, 'terminate-all');
  assert.equal(node(t, 'my-tomcat1-group7').deploymentPolicy, 'deployment-policy-1');
  assert.equal(node(t, 'my-group7').deploymentPolicy, 'deployment-policy-1');
  assert.equal(node(t, 'my-group7').terminationBehaviour, 'terminate-all', 'nested definition of group6c3');
  assert.equal(node(t, 'my-group9').terminationBehaviour, 'terminate-none');
  const policies = deploymentPolicyByAlias(t);
  assert.equal(policies.size, 10);
  assert.ok([...policies.values()].every((p) => p === 'deployment-policy-1'));
});

sampleTest('group-scaling: nested definitions give group-level startup orders', () => {
  const t = tree('group-scaling');
  assert.deepEqual(treeLevels(t.dependencyTree), [['my-group1'], ['my-c4']]);
  assert.equal(t.terminationBehaviour, 'terminate-dependents');
  const g1 = node(t, 'my-group1');
  assert.equal(g1.groupScalingEnabled, false);
  assert.equal(g1.terminationBehaviour, 'terminate-dependents');
  assert.deepEqual(treeLevels(g1.dependencyTree), [['my-c1-group1'], ['my-group2']]);
  const g2 = node(t, 'my-group2');
  assert.equal(g2.groupScalingEnabled, true);
  assert.equal(g2.min, 1);
  assert.equal(g2.max, 2);
  assert.deepEqual(treeLevels(g2.dependencyTree), [['my-c3-group2'], ['my-c2-group2']]);
  assert.equal(node(t, 'my-c2-group2').min, 2);
  assert.equal(node(t, 'my-c2-group2').deploymentPolicy, 'deployment-policy-1');
});

sampleTest('wordpress: group-level scaling dependents; single-group-group-scaling: group scaling on', () => {
  const g = node(tree('wordpress'), 'mysql-php-group');
  assert.deepEqual(g.scalingDependents, [['my-mysql', 'my-php']]);
  assert.deepEqual(treeLevels(g.dependencyTree), [['my-mysql'], ['my-php']]);
  assert.equal(node(tree('single-group-group-scaling'), 'my-group6').groupScalingEnabled, true);
  assert.equal(node(tree('cartridge-group-app'), 'my-esb').deploymentPolicy, 'deployment-policy-1');
});

test("a group deployment policy overrides the descendants' own", () => {
  const t = buildApplicationTree(
    {
      applicationId: 'app',
      components: {
        cartridges: [{ type: 'php', subscribableInfo: { alias: 'top', deploymentPolicy: 'dp-top' } }],
        groups: [
          {
            name: 'g',
            alias: 'ga',
            deploymentPolicy: 'dp-g',
            groupMaxInstances: 1,
            cartridges: [{ type: 'php', cartridgeMin: 2, subscribableInfo: { alias: 'inner', deploymentPolicy: 'dp-own' } }],
            groups: [{ name: 'h', alias: 'ha', cartridges: [{ type: 'php', subscribableInfo: { alias: 'deep' } }] }],
          },
          { name: 'g', alias: 'gb', cartridges: [{ type: 'php', subscribableInfo: { alias: 'own', deploymentPolicy: 'dp-own' } }] },
        ],
      },
    },
    new Map([['g', { name: 'g', cartridges: ['php'], groups: [{ name: 'h', cartridges: ['php'] }] }]]),
  );
  assert.equal(node(t, 'top').deploymentPolicy, 'dp-top');
  assert.equal(node(t, 'inner').deploymentPolicy, 'dp-g');
  assert.equal(node(t, 'inner').min, 2);
  assert.equal(node(t, 'inner').max, 2, 'cartridgeMax defaults to cartridgeMin');
  assert.equal(node(t, 'ha').deploymentPolicy, 'dp-g');
  assert.equal(node(t, 'deep').deploymentPolicy, 'dp-g');
  assert.equal(node(t, 'own').deploymentPolicy, 'dp-own');
  assert.equal(node(t, 'gb').deploymentPolicy, undefined);
  assert.equal(node(t, 'gb').min, 1);
  assert.equal(node(t, 'app.top.php.domain').alias, 'top');
});

test('invalid applications are rejected', () => {
  const php = (alias: string) => ({ type: 'php', subscribableInfo: { alias, deploymentPolicy: 'dp' } });
  assert.throws(
    () => buildApplicationTree({ applicationId: 'a', components: { groups: [{ name: 'nope', alias: 'x' }] } }, []),
    /Cartridge group not found group-name: nope/,
  );
  assert.throws(
    () => buildApplicationTree({ applicationId: 'a', components: { cartridges: [php('x'), php('x')] } }, []),
    /Alias is already defined: \[application-id\] a \[alias\] x/,
  );
  assert.throws(
    () =>
      buildApplicationTree(
        {
          applicationId: 'a',
          components: { cartridges: [php('x'), php('y')], dependencies: { startupOrders: [{ aliases: ['cartridge.x', 'cartridge.y', 'cartridge.x'] }] } },
        },
        [],
      ),
    /Cyclic startup order in \[application\] a: x -> y -> x/,
  );
  assert.throws(
    () =>
      buildApplicationTree({ applicationId: 'a', components: { groups: [{ name: 'g', alias: 'ga', cartridges: [php('x')] }] } }, [
        { name: 'g', cartridges: ['php'], dependencies: { startupOrders: [{ aliases: ['cartridge.my-x'] }] } },
      ]),
    /The startup-order defined in \[group\] g is not correct/,
  );
});
