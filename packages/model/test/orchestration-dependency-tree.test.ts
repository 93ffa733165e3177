import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import {
  buildDependencyTree,
  dependentsOf,
  hasStartupDependents,
  isKillDependent,
  mayRestartAfterTermination,
  parentOf,
  parentsOf,
  parseComponentReference,
  parseTerminationBehaviour,
  resolveScalingDependents,
  restartLevel,
  splitAliasList,
  startable,
  startupRoots,
  terminationSet,
  treeLevels,
  treeOrder,
  type ComponentRef,
  type DependencyTree,
} from '../src/orchestration/index.ts';

const c = (alias: string): ComponentRef => ({ kind: 'cartridge', alias });
const g = (alias: string): ComponentRef => ({ kind: 'group', alias });

function lbTree(behaviour?: string): DependencyTree {
  return buildDependencyTree({
    children: [c('lb'), c('tomcat'), g('g8'), g('g6'), c('free')],
    startupOrders: [
      ['cartridge.lb', 'cartridge.tomcat', 'group.g8'],
      ['cartridge.lb', 'cartridge.tomcat', 'group.g6'],
    ],
    ...(behaviour !== undefined ? { terminationBehaviour: behaviour } : {}),
  });
}

test('splitAliasList splits comma lists and trims', () => {
  assert.deepEqual(splitAliasList(['group.a, cartridge.b', ' cartridge.c ', '']), ['group.a', 'cartridge.b', 'cartridge.c']);
  assert.deepEqual(splitAliasList(undefined), []);
});

test('parseComponentReference', () => {
  assert.deepEqual(parseComponentReference('cartridge.my-php'), { kind: 'cartridge', alias: 'my-php' });
  assert.deepEqual(parseComponentReference(' group.g1 '), { kind: 'group', alias: 'g1' });
  assert.throws(() => parseComponentReference('php'), /should start with 'cartridge.' or 'group.'/);
  assert.throws(() => parseComponentReference('group.'), /should start/);
});

test('parseTerminationBehaviour: unknown or missing is terminate-none', () => {
  assert.equal(parseTerminationBehaviour('terminate-all'), 'terminate-all');
  assert.equal(parseTerminationBehaviour('terminate-dependents'), 'terminate-dependents');
  assert.equal(parseTerminationBehaviour(undefined), 'terminate-none');
  assert.equal(parseTerminationBehaviour('bogus'), 'terminate-none');
});

test('startup orders merge on a shared prefix; unmentioned children are extra roots', () => {
  const t = lbTree();
  assert.deepEqual(startupRoots(t), ['lb', 'free']);
  assert.deepEqual(treeLevels(t), [['lb', 'free'], ['tomcat'], ['g8', 'g6']]);
  assert.equal(parentOf(t, 'tomcat'), 'lb');
  assert.deepEqual(parentsOf(t, 'g6'), ['tomcat', 'lb']);
  assert.deepEqual(parentsOf(t, 'lb'), []);
  assert.deepEqual(dependentsOf(t, 'lb'), ['tomcat', 'g8', 'g6']);
  assert.deepEqual(dependentsOf(t, 'g8'), []);
  assert.equal(t.nodes.get('free')?.inStartupOrder, false);
  assert.equal(t.nodes.get('g8')?.kind, 'group');
});

test('the spec example: [a, b] + [a, g] → a, then b and g', () => {
  const t = buildDependencyTree({
    children: [c('a'), c('b'), g('g')],
    startupOrders: [
      ['cartridge.a', 'cartridge.b'],
      ['cartridge.a', 'group.g'],
    ],
  });
  assert.deepEqual(treeLevels(t), [['a'], ['b', 'g']]);
});

test('an order that continues from a non-root merges; list order does not matter', () => {
  const t1 = buildDependencyTree({
    children: [c('a'), c('b'), c('c')],
    startupOrders: [
      ['cartridge.a', 'cartridge.b'],
      ['cartridge.b', 'cartridge.c'],
    ],
  });
  const t2 = buildDependencyTree({
    children: [c('a'), c('b'), c('c')],
    startupOrders: [
      ['cartridge.b', 'cartridge.c'],
      ['cartridge.a', 'cartridge.b'],
    ],
  });
  assert.deepEqual(treeLevels(t1), [['a'], ['b'], ['c']]);
  assert.deepEqual(treeLevels(t2), [['a'], ['b'], ['c']]);
});

test('comma-separated entries inside one list are split', () => {
  const t = buildDependencyTree({ children: [c('a'), c('b')], startupOrders: [['cartridge.a, cartridge.b']] });
  assert.deepEqual(treeLevels(t), [['a'], ['b']]);
});

test('cycles are rejected with a message naming the cycle', () => {
  assert.throws(
    () =>
      buildDependencyTree({
        children: [c('a'), c('b')],
        startupOrders: [
          ['cartridge.a', 'cartridge.b'],
          ['cartridge.b', 'cartridge.a'],
        ],
        description: '[application] app',
      }),
    (e: unknown) =>
      e instanceof Error && e.message === 'Cyclic startup order in [application] app: a -> b -> a' && (e as { statusCode?: number }).statusCode === 400,
  );
  assert.throws(() => buildDependencyTree({ children: [c('a')], startupOrders: [['cartridge.a', 'cartridge.a']] }), /: a -> a$/);
  assert.throws(
    () => buildDependencyTree({ children: [c('a'), c('b'), c('x')], startupOrders: [['cartridge.x', 'cartridge.a', 'cartridge.b', 'cartridge.a']] }),
    /: a -> b -> a$/,
  );
});

test('inconsistent re-use (two different predecessors) is rejected', () => {
  assert.throws(
    () =>
      buildDependencyTree({
        children: [c('a'), c('b'), c('c')],
        startupOrders: [
          ['cartridge.a', 'cartridge.c'],
          ['cartridge.b', 'cartridge.c'],
        ],
      }),
    /c is defined more than once in another startup order \(after a and after b\)/,
  );
});

test('dangling or wrongly-kinded references are rejected', () => {
  assert.throws(
    () => buildDependencyTree({ children: [c('a')], startupOrders: [['cartridge.a', 'cartridge.zz']], description: '[application] app' }),
    /The startup-order defined in \[application\] app is not correct. \[startup-order-alias\] cartridge.zz is not there in the application./,
  );
  assert.throws(() => buildDependencyTree({ children: [c('a'), g('g')], startupOrders: [['group.a', 'group.g']] }), /group.a is not there/);
  assert.throws(() => buildDependencyTree({ children: [c('a')], startupOrders: [['a']] }), /should start with/);
});

test('startable: roots first, then children of Active components', () => {
  const t = lbTree();
  assert.deepEqual(startable(t, [], []), ['lb', 'free']);
  assert.deepEqual(startable(t, [], ['lb', 'free']), []);
  assert.deepEqual(startable(t, ['lb'], ['lb', 'free']), ['tomcat']);
  assert.deepEqual(startable(t, new Set(['lb', 'tomcat']), new Set(['lb', 'free', 'tomcat'])), ['g8', 'g6']);
});

test('terminationSet per behaviour (§3.5)', () => {
  assert.deepEqual(terminationSet(lbTree('terminate-none'), 'tomcat'), []);
  assert.deepEqual(terminationSet(lbTree(), 'lb'), []);
  const dep = lbTree('terminate-dependents');
  assert.deepEqual(terminationSet(dep, 'tomcat'), ['tomcat', 'g8', 'g6']);
  assert.deepEqual(terminationSet(dep, 'lb'), ['lb', 'tomcat', 'g8', 'g6']);
  assert.deepEqual(terminationSet(dep, 'g8'), [], 'a component nothing depends on yields none');
  assert.deepEqual(terminationSet(lbTree('terminate-all'), 'g8'), ['lb', 'free', 'tomcat', 'g8', 'g6']);
  assert.deepEqual(terminationSet(lbTree(), 'tomcat', 'terminate-dependents'), ['tomcat', 'g8', 'g6']);
  assert.throws(() => terminationSet(lbTree(), 'nope'), /Unknown component/);
});

test('restartLevel: the first level with a missing instance (§3.6)', () => {
  const t = lbTree();
  const have = (missing: string[]) => (a: string) => !missing.includes(a);
  assert.deepEqual(restartLevel(t, have([])), []);
  assert.deepEqual(restartLevel(t, have(['g6'])), ['g8', 'g6']);
  assert.deepEqual(restartLevel(t, have(['tomcat', 'g8', 'g6'])), ['tomcat']);
  assert.deepEqual(restartLevel(t, have(['lb', 'tomcat', 'g8', 'g6', 'free'])), ['lb', 'free']);
});

test('mayRestartAfterTermination (§3.6)', () => {
  const facts = (missing: string[], marked: string[] = [], inactive: string[] = []) => ({
    hasInstance: (a: string) => !missing.includes(a),
    isActive: (a: string) => !missing.includes(a) && !inactive.includes(a),
    isMarkedInactiveOrTerminating: (a: string) => marked.includes(a),
  });
  const none = lbTree('terminate-none');
  assert.equal(mayRestartAfterTermination(none, 'tomcat', facts(['tomcat'])), true, 'ancestors Active');
  assert.equal(mayRestartAfterTermination(none, 'tomcat', facts(['tomcat'], [], ['lb'])), false, 'ancestor not Active');
  assert.equal(mayRestartAfterTermination(none, 'g8', facts(['g8', 'tomcat', 'lb'])), true, 'ancestors all gone');
  const dep = lbTree('terminate-dependents');
  assert.equal(mayRestartAfterTermination(dep, 'tomcat', facts(['tomcat', 'g8'], ['g6'])), false, 'g6 still terminating');
  assert.equal(mayRestartAfterTermination(dep, 'tomcat', facts(['tomcat', 'g8', 'g6'])), true);
  assert.equal(mayRestartAfterTermination(dep, 'lb', facts([])), false, 'nothing of the list is gone');
});

test('kill-dependent and hasStartupDependents (§3.2)', () => {
  const all = lbTree('terminate-all');
  assert.equal(isKillDependent(all, 'lb'), true);
  assert.equal(isKillDependent(all, 'free'), false);
  assert.equal(isKillDependent(lbTree('terminate-dependents'), 'free'), true);
  assert.equal(isKillDependent(lbTree('terminate-none'), 'lb'), false);
  assert.equal(hasStartupDependents(all, 'lb', false), true);
  assert.equal(hasStartupDependents(all, 'g8', false), false);
  assert.equal(hasStartupDependents(all, 'g8', true), true);
  assert.equal(hasStartupDependents(lbTree(), 'lb', false), false);
});

test('resolveScalingDependents', () => {
  const level = { children: [c('my-esb'), g('my-appgroup')] };
  assert.deepEqual(resolveScalingDependents(level, [['group.my-appgroup, cartridge.my-esb']]), [['my-appgroup', 'my-esb']]);
  assert.deepEqual(resolveScalingDependents(level, undefined), []);
  assert.throws(() => resolveScalingDependents(level, [['cartridge.other']]), /scaling-dependent/);
});

/** Random acyclic startup orders: chains over a random forest of `n` components. */
const acyclicLevel = fc
  .integer({ min: 1, max: 9 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      // parent[i] < i or -1: a forest, hence acyclic and consistent
      parents: fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))),
      picks: fc.array(fc.nat(n - 1), { maxLength: 6 }),
    }),
  )
  .map(({ n, parents, picks }) => {
    const aliases = Array.from({ length: n }, (_, i) => `c${i}`);
    // every chosen node contributes the chain root → ... → node
    const orders = picks.map((leaf) => {
      const chain: string[] = [];
      for (let i: number = leaf; i >= 0; i = parents[i]) chain.unshift(`cartridge.c${i}`);
      return chain;
    });
    return { children: aliases.map(c), startupOrders: orders };
  });

test('property: every start order produced by startable respects the dependencies', () => {
  fc.assert(
    fc.property(acyclicLevel, fc.array(fc.nat(), { maxLength: 30 }), (level, choices) => {
      const tree = buildDependencyTree(level);
      const started: string[] = [];
      const active = new Set<string>();
      let k = 0;
      // start everything startable, activate one started component at random, repeat
      while (active.size < level.children.length) {
        for (const a of startable(tree, active, started)) {
          for (const p of parentsOf(tree, a)) assert.ok(active.has(p), `${a} started before ${p} is active`);
          started.push(a);
        }
        const pending = started.filter((a) => !active.has(a));
        assert.ok(pending.length > 0, 'progress');
        active.add(pending[(choices[k++] ?? 0) % pending.length]);
      }
      assert.equal(new Set(started).size, level.children.length);
      for (const order of level.startupOrders) {
        const idx = order.map((r) => started.indexOf(r.slice('cartridge.'.length)));
        for (let i = 1; i < idx.length; i++) assert.ok(idx[i - 1] < idx[i]);
      }
      assert.deepEqual([...treeOrder(tree)].sort(), level.children.map((x) => x.alias).sort());
    }),
    draws(100),
  );
});

test('property: adding a back edge to a chain is reported as a cycle', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 8 }), fc.nat(), (n, pick) => {
      const aliases = Array.from({ length: n }, (_, i) => `c${i}`);
      const back = pick % n;
      const order = [...aliases, aliases[back]].map((a) => `cartridge.${a}`);
      assert.throws(
        () => buildDependencyTree({ children: aliases.map(c), startupOrders: [order] }),
        (e: unknown) => e instanceof Error && e.message.endsWith(`${[...aliases.slice(back), aliases[back]].join(' -> ')}`),
      );
    }),
    draws(100),
  );
});
