import { error } from '../errors.ts';
import type { TerminationBehaviour } from './definitions.ts';

/** The two kinds of child a dependency level (application or group) can have. */
export type ComponentKind = 'cartridge' | 'group';

/** A child of a dependency level, named by its alias (`cartridge.<alias>` / `group.<alias>`). */
export interface ComponentRef {
  readonly kind: ComponentKind;
  readonly alias: string;
}

/** One node of a {@link DependencyTree}. */
export interface DependencyNode {
  readonly kind: ComponentKind;
  readonly alias: string;
  /** The node that must be Active before this one starts; `undefined` for a root. */
  readonly parent: string | undefined;
  /** Nodes that start once this one is Active, in order of first mention. */
  readonly children: readonly string[];
  /** Whether the node is mentioned in a startup order (rather than added as an independent root). */
  readonly inStartupOrder: boolean;
}

/**
 * The startup dependency tree of one level (the application's direct children, or a group's),
 * built from that level's startup orders (orchestration.md §3.3).
 */
export interface DependencyTree {
  /** The level's termination behaviour (missing or unknown → `terminate-none`). */
  readonly terminationBehaviour: TerminationBehaviour;
  /** Roots, started in parallel: first those of the startup orders, then unmentioned children. */
  readonly roots: readonly string[];
  /** Every node by alias. */
  readonly nodes: ReadonlyMap<string, DependencyNode>;
}

/** Input of {@link buildDependencyTree}. */
export interface DependencyLevel {
  /** The direct children of the level, in definition order. */
  readonly children: readonly ComponentRef[];
  /** The startup orders, each an ordered list of `cartridge.<alias>` / `group.<alias>` references. */
  readonly startupOrders?: readonly (readonly string[])[];
  /** `terminate-none` | `terminate-dependents` | `terminate-all`; anything else → `terminate-none`. */
  readonly terminationBehaviour?: string;
  /** Names the level in error messages, e.g. `[application] my-app` or `[group] group6`. */
  readonly description?: string;
}

const BEHAVIOURS: readonly TerminationBehaviour[] = ['terminate-none', 'terminate-dependents', 'terminate-all'];

/** Maps a termination behaviour string to its value; missing or unknown → `terminate-none`. */
export function parseTerminationBehaviour(value: string | undefined): TerminationBehaviour {
  const v = value?.trim();
  return BEHAVIOURS.find((b) => b === v) ?? 'terminate-none';
}

/**
 * Flattens one `aliases` list: every entry is split on commas and trimmed; empty pieces are dropped
 * (`["group.a, cartridge.b"]` → `["group.a", "cartridge.b"]`).
 */
export function splitAliasList(aliases: readonly string[] | undefined): string[] {
  return (aliases ?? [])
    .flatMap((a) => a.split(','))
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

/**
 * Parses `cartridge.<alias>` or `group.<alias>`.
 * @throws StratoError (invalid-input) for any other form.
 */
export function parseComponentReference(reference: string): ComponentRef {
  const ref = reference.trim();
  for (const kind of ['cartridge', 'group'] as const) {
    const prefix = `${kind}.`;
    if (ref.startsWith(prefix) && ref.length > prefix.length) return { kind, alias: ref.slice(prefix.length) };
  }
  throw error('DEPENDENCY_ENTRY_INVALID', { entry: reference });
}

function resolveList(level: DependencyLevel, list: readonly string[], what: string): string[] {
  const byAlias = new Map(level.children.map((c) => [c.alias, c] as const));
  const where = level.description ?? 'this level';
  return splitAliasList(list).map((entry) => {
    const ref = parseComponentReference(entry);
    const child = byAlias.get(ref.alias);
    if (child === undefined || child.kind !== ref.kind) {
      throw error('STARTUP_ORDER_ALIAS_UNKNOWN', { noun: what, where, entry });
    }
    return ref.alias;
  });
}

/** Finds a cycle in a directed graph, returned as a closed path (`[a, b, a]`), or `undefined`. */
function findCycle(order: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'visiting');
    path.push(n);
    for (const m of edges.get(n) ?? []) {
      const s = state.get(m);
      if (s === 'visiting') return [...path.slice(path.indexOf(m)), m];
      if (s === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of order) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}

/**
 * Builds the dependency tree of one level from its startup orders (orchestration.md §3.3).
 *
 * Every list is a chain: each element starts after its predecessor. Lists merge on shared elements
 * (`[lb, tomcat, g8]` + `[lb, tomcat, g6]` → lb → tomcat → {g8, g6}); children mentioned in no list
 * are extra roots. Unlike Stratos, the result does not depend on the order of the lists, and strato
 * rejects what Stratos did not check:
 * - an entry that is not `cartridge.<alias>` / `group.<alias>` of a direct child of this level;
 * - a cycle, with a message naming it (`a -> b -> a`);
 * - an element given two different predecessors ("defined more than once in another startup order").
 *
 * @throws StratoError (invalid-input) as described above.
 */
export function buildDependencyTree(level: DependencyLevel): DependencyTree {
  const where = level.description ?? 'this level';
  const lists = (level.startupOrders ?? []).map((l) => resolveList(level, l, 'startup-order'));
  const mentioned: string[] = [];
  const edges = new Map<string, string[]>();
  for (const list of lists) {
    list.forEach((alias, i) => {
      if (!mentioned.includes(alias)) mentioned.push(alias);
      if (i === 0) return;
      const prev = list[i - 1];
      const out = edges.get(prev) ?? [];
      if (!out.includes(alias)) out.push(alias);
      edges.set(prev, out);
    });
  }
  const cycle = findCycle(mentioned, edges);
  if (cycle) throw error('DEPENDENCY_CYCLE', { where, cycle: cycle.join(' -> ') });

  const parents = new Map<string, string>();
  for (const [from, tos] of edges) {
    for (const to of tos) {
      const existing = parents.get(to);
      if (existing !== undefined && existing !== from) {
        throw error('DEPENDENCY_INCONSISTENT', { where, entry: to, first: existing, second: from });
      }
      parents.set(to, from);
    }
  }

  const kinds = new Map(level.children.map((c) => [c.alias, c.kind] as const));
  const nodes = new Map<string, DependencyNode>();
  const roots: string[] = [];
  for (const alias of mentioned) {
    const parent = parents.get(alias);
    if (parent === undefined) roots.push(alias);
    nodes.set(alias, {
      kind: kinds.get(alias) as ComponentKind,
      alias,
      parent,
      children: edges.get(alias) ?? [],
      inStartupOrder: true,
    });
  }
  for (const child of level.children) {
    if (nodes.has(child.alias)) continue;
    roots.push(child.alias);
    nodes.set(child.alias, { kind: child.kind, alias: child.alias, parent: undefined, children: [], inStartupOrder: false });
  }
  return { terminationBehaviour: parseTerminationBehaviour(level.terminationBehaviour), roots, nodes };
}

function nodeOf(tree: DependencyTree, alias: string): DependencyNode {
  const n = tree.nodes.get(alias);
  if (n === undefined) throw new Error(`Unknown component '${alias}' in dependency tree`);
  return n;
}

/** The roots of the tree: components started in parallel as soon as their parent instance exists. */
export function startupRoots(tree: DependencyTree): readonly string[] {
  return tree.roots;
}

/** Every alias of the tree, breadth-first (roots first). */
export function treeOrder(tree: DependencyTree): string[] {
  return treeLevels(tree).flat();
}

/** The aliases of the tree grouped by depth: `[roots, their children, ...]`. */
export function treeLevels(tree: DependencyTree): string[][] {
  const levels: string[][] = [];
  let current = [...tree.roots];
  while (current.length > 0) {
    levels.push(current);
    current = current.flatMap((a) => nodeOf(tree, a).children);
  }
  return levels;
}

/** The tree parent of `alias` (what it directly waits for), or `undefined` for a root. */
export function parentOf(tree: DependencyTree, alias: string): string | undefined {
  return nodeOf(tree, alias).parent;
}

/** Everything `alias` must wait for: its tree ancestors, nearest first. */
export function parentsOf(tree: DependencyTree, alias: string): string[] {
  const out: string[] = [];
  for (let p = nodeOf(tree, alias).parent; p !== undefined; p = nodeOf(tree, p).parent) out.push(p);
  return out;
}

/** Everything that must start after `alias`: its tree descendants, direct and transitive, breadth-first. */
export function dependentsOf(tree: DependencyTree, alias: string): string[] {
  const out: string[] = [];
  let current = [...nodeOf(tree, alias).children];
  while (current.length > 0) {
    out.push(...current);
    current = current.flatMap((a) => nodeOf(tree, a).children);
  }
  return out;
}

/**
 * The components that may be started now: not yet started, and either a root or a child of an
 * Active component. Breadth-first order.
 * @param active aliases whose instance (for the parent instance in question) is Active
 * @param started aliases already started (having a monitor / an instance)
 */
export function startable(tree: DependencyTree, active: Iterable<string>, started: Iterable<string>): string[] {
  const activeSet = new Set(active);
  const startedSet = new Set(started);
  return treeOrder(tree).filter((a) => {
    if (startedSet.has(a)) return false;
    const p = nodeOf(tree, a).parent;
    return p === undefined || activeSet.has(p);
  });
}

/**
 * The components to terminate when `alias` becomes Inactive (orchestration.md §3.5):
 * - `terminate-none`: none (the Inactive child heals itself by replacing members);
 * - `terminate-dependents`: every dependent of `alias` (transitively), preceded by `alias` itself
 *   only when it has at least one dependent — a component nothing depends on yields none;
 * - `terminate-all`: every component of the level, in tree order.
 * @param behaviour defaults to the tree's termination behaviour
 */
export function terminationSet(tree: DependencyTree, alias: string, behaviour: TerminationBehaviour = tree.terminationBehaviour): string[] {
  nodeOf(tree, alias);
  switch (behaviour) {
    case 'terminate-all':
      return treeOrder(tree);
    case 'terminate-dependents': {
      const deps = dependentsOf(tree, alias);
      return deps.length > 0 ? [alias, ...deps] : [];
    }
    default:
      return [];
  }
}

/**
 * Where a restart after termination begins (orchestration.md §3.6): the first tree level, breadth
 * first, in which some component has no instance for the parent instance; every component of that
 * level is returned (the caller starts a missing monitor, or creates an instance where one is
 * missing). The rest restarts through the normal activation cascade. Empty when nothing is missing.
 */
export function restartLevel(tree: DependencyTree, hasInstance: (alias: string) => boolean): string[] {
  return treeLevels(tree).find((level) => level.some((a) => !hasInstance(a))) ?? [];
}

/**
 * Whether a component's startup is "kill-dependent" (orchestration.md §3.2): a component from a
 * startup order under terminate-dependents or terminate-all, or an independent root under
 * terminate-dependents.
 */
export function isKillDependent(tree: DependencyTree, alias: string): boolean {
  const n = nodeOf(tree, alias);
  if (tree.terminationBehaviour === 'terminate-dependents') return true;
  return n.inStartupOrder && tree.terminationBehaviour === 'terminate-all';
}

/**
 * `hasStartupDependents` of a child monitor (orchestration.md §3.2): the parent's flag, or the
 * component is kill-dependent and has dependents in the tree.
 */
export function hasStartupDependents(tree: DependencyTree, alias: string, parentHasStartupDependents: boolean): boolean {
  return parentHasStartupDependents || (isKillDependent(tree, alias) && nodeOf(tree, alias).children.length > 0);
}

/**
 * Resolves a level's scaling-dependent lists to aliases of its direct children (comma-separated
 * entries are split).
 * @throws StratoError (invalid-input) for a malformed entry or one that is not a direct child.
 */
export function resolveScalingDependents(
  level: Pick<DependencyLevel, 'children' | 'description'>,
  lists: readonly (readonly string[])[] | undefined,
): string[][] {
  return (lists ?? []).map((l) => resolveList(level, l, 'scaling-dependent')).filter((l) => l.length > 0);
}

/** What a parent instance knows about its children when one of them reaches Terminated (§3.6). */
export interface RestartFacts {
  /** Whether the component still has an instance for the parent instance. */
  readonly hasInstance: (alias: string) => boolean;
  /** Whether that instance is Active. */
  readonly isActive: (alias: string) => boolean;
  /** Whether the component is still marked inactive or terminating for the parent instance. */
  readonly isMarkedInactiveOrTerminating: (alias: string) => boolean;
}

/**
 * Whether the parent may restart components from its tree after `alias` reached Terminated
 * (orchestration.md §3.6; the caller has already checked that the parent instance is not itself
 * Terminating/Terminated). Both must hold:
 * (a) the termination set of `alias` is empty, or none of its entries is still marked
 *     inactive/terminating and at least one of them has no instance any more;
 * (b) `alias` has no tree ancestors, or they all have no instance, or they are all Active.
 * When it holds, restart from {@link restartLevel}; otherwise just re-run the status roll-up.
 */
export function mayRestartAfterTermination(tree: DependencyTree, alias: string, facts: RestartFacts): boolean {
  const list = terminationSet(tree, alias);
  const a = list.length === 0 || (!list.some((x) => facts.isMarkedInactiveOrTerminating(x)) && list.some((x) => !facts.hasInstance(x)));
  const ancestors = parentsOf(tree, alias);
  const b = ancestors.length === 0 || ancestors.every((x) => !facts.hasInstance(x)) || ancestors.every((x) => facts.hasInstance(x) && facts.isActive(x));
  return a && b;
}
