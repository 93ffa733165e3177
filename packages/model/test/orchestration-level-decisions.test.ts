import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildApplicationTree,
  childrenToCreate,
  findComponent,
  levelStatus,
  onChildInactive,
  type ApplicationDefinition,
  type CartridgeGroupDefinition,
  type ChildSnapshot,
  type ClusterStatus,
  type GroupStatus,
  type ComponentNode,
} from '../src/orchestration/index.ts';

/**
 * A hand-written three-level application (orchestration.md §3.3-3.6):
 *
 *   shop (application; startup: front after edge; terminate-dependents)
 *   ├── edge      cluster
 *   └── front     group "storefront" (startup: backend before web; terminate-dependents)
 *       ├── web   cluster
 *       ├── cache cluster (no startup order: a root beside backend)
 *       └── backend group "backend" (startup: db before api; terminate-all)
 *           ├── db  cluster
 *           └── api cluster
 */
const groups: CartridgeGroupDefinition[] = [
  {
    name: 'storefront',
    cartridges: ['web', 'cache'],
    groups: [
      {
        name: 'backend',
        cartridges: ['db', 'api'],
        dependencies: { startupOrders: [{ aliases: ['cartridge.db', 'cartridge.api'] }], terminationBehaviour: 'terminate-all' },
      },
    ],
    dependencies: { startupOrders: [{ aliases: ['group.backend', 'cartridge.web'] }], terminationBehaviour: 'terminate-dependents' },
  },
];
const cartridge = (type: string, alias: string) => ({
  type,
  cartridgeMin: 1,
  cartridgeMax: 2,
  subscribableInfo: { alias, autoscalingPolicy: 'as', deploymentPolicy: 'dp' },
});
const app: ApplicationDefinition = {
  applicationId: 'shop',
  components: {
    cartridges: [cartridge('edge', 'edge')],
    groups: [
      {
        name: 'storefront',
        alias: 'front',
        groupMinInstances: 1,
        groupMaxInstances: 1,
        cartridges: [cartridge('web', 'web'), cartridge('cache', 'cache')],
        groups: [
          { name: 'backend', alias: 'backend', groupMinInstances: 1, groupMaxInstances: 1, cartridges: [cartridge('db', 'db'), cartridge('api', 'api')] },
        ],
      },
    ],
    dependencies: { startupOrders: [{ aliases: ['cartridge.edge', 'group.front'] }], terminationBehaviour: 'terminate-dependents' },
  },
} as unknown as ApplicationDefinition;

const root = buildApplicationTree(app, groups);
const level = (alias: string): ComponentNode => {
  const n = alias === 'shop' ? root : findComponent(root, alias);
  assert.ok(n, alias);
  return n;
};
const cluster = (alias: string, status?: ClusterStatus): ChildSnapshot => ({ kind: 'cluster', alias, status });
const group = (alias: string, ...statuses: GroupStatus[]): ChildSnapshot => ({ kind: 'group', alias, statuses });

test('the tree has three levels below the application', () => {
  assert.deepEqual(
    level('shop').children.map((c) => c.alias),
    ['edge', 'front'],
  );
  assert.deepEqual(
    level('front').children.map((c) => c.alias),
    ['web', 'cache', 'backend'],
  );
  assert.deepEqual(
    level('backend').children.map((c) => c.alias),
    ['db', 'api'],
  );
});

test('startup order: each level creates its roots first, then what follows an Active child', () => {
  // application level: edge first; front only once edge is Active
  assert.deepEqual(childrenToCreate(level('shop'), [cluster('edge'), group('front')]), ['edge']);
  assert.deepEqual(childrenToCreate(level('shop'), [cluster('edge', 'Created'), group('front')]), []);
  assert.deepEqual(childrenToCreate(level('shop'), [cluster('edge', 'Active'), group('front')]), ['front']);
  // group level: backend and cache together (both roots), web after backend
  assert.deepEqual(childrenToCreate(level('front'), [cluster('web'), cluster('cache'), group('backend')]), ['backend', 'cache']);
  assert.deepEqual(childrenToCreate(level('front'), [cluster('web'), cluster('cache', 'Active'), group('backend', 'Created')]), []);
  assert.deepEqual(childrenToCreate(level('front'), [cluster('web'), cluster('cache', 'Active'), group('backend', 'Active')]), ['web']);
  // third level: db, then api
  assert.deepEqual(childrenToCreate(level('backend'), [cluster('db'), cluster('api')]), ['db']);
  assert.deepEqual(childrenToCreate(level('backend'), [cluster('db', 'Active'), cluster('api')]), ['api']);
});

test('nothing is created while a child is being terminated', () => {
  assert.deepEqual(childrenToCreate(level('front'), [cluster('web'), cluster('cache', 'Terminating'), group('backend', 'Active')]), []);
  assert.deepEqual(childrenToCreate(level('shop'), [cluster('edge', 'Active'), group('front', 'Terminating')]), []);
});

test('roll-up: a level is Active when all its children are, and degraded (Inactive) afterwards while one is not', () => {
  const all = [cluster('web', 'Active'), cluster('cache', 'Active'), group('backend', 'Active')];
  assert.equal(levelStatus(all, 'Created'), 'Active');
  // before the level was ever Active, a child not created yet keeps it as it is
  assert.equal(levelStatus([cluster('web'), cluster('cache', 'Active'), group('backend', 'Active')], 'Created'), undefined);
  // after: a missing, terminating or terminated child makes it Inactive
  assert.equal(levelStatus([cluster('web'), cluster('cache', 'Active'), group('backend', 'Active')], 'Active'), 'Inactive');
  assert.equal(levelStatus([cluster('web', 'Active'), cluster('cache', 'Terminating'), group('backend', 'Active')], 'Active'), 'Inactive');
  assert.equal(levelStatus([cluster('web', 'Active'), cluster('cache', 'Active'), group('backend')], 'Active'), 'Inactive');
  assert.equal(levelStatus([cluster('web', 'Active'), cluster('cache', 'Active'), group('backend', 'Terminated')], 'Inactive'), 'Inactive');
  assert.equal(levelStatus(all, 'Inactive'), 'Active', 'whole again');
  // a level whose children are all terminated is Terminated
  assert.equal(levelStatus([cluster('db', 'Terminated'), cluster('api', 'Terminated')], 'Terminating'), 'Terminated');
});

test('termination behaviour: terminate-all terminates the group itself; terminate-dependents the child and what follows it', () => {
  // backend (terminate-all): any Inactive child takes the whole group instance down
  assert.deepEqual(onChildInactive(level('backend'), 'api'), { self: true, children: [] });
  assert.deepEqual(onChildInactive(level('backend'), 'db'), { self: true, children: [] });
  // storefront (terminate-dependents): backend Inactive → backend and web (web follows it)
  assert.deepEqual(onChildInactive(level('front'), 'backend'), { self: false, children: ['backend', 'web'] });
  // ... web has no dependents, cache none either: nothing is terminated, they heal themselves
  assert.deepEqual(onChildInactive(level('front'), 'web'), { self: false, children: [] });
  assert.deepEqual(onChildInactive(level('front'), 'cache'), { self: false, children: [] });
  // application level: edge Inactive → edge and front
  assert.deepEqual(onChildInactive(level('shop'), 'edge'), { self: false, children: ['edge', 'front'] });
});

test('terminate-none terminates nothing', () => {
  const none = buildApplicationTree(
    {
      ...app,
      components: {
        ...app.components,
        dependencies: { startupOrders: [{ aliases: ['cartridge.edge', 'group.front'] }], terminationBehaviour: 'terminate-none' },
      },
    } as ApplicationDefinition,
    groups,
  );
  assert.deepEqual(onChildInactive(none, 'edge'), { self: false, children: [] });
});
