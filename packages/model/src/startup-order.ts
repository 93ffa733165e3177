import type { Dependencies } from './artifacts.ts';

/** A parsed startup-order or scaling-dependents entry: `cartridge.my-php` → `{kind:'cartridge', alias:'my-php'}`. */
export interface ChildRef {
  kind: 'cartridge' | 'group';
  alias: string;
}

/** Parses `cartridge.<alias>` / `group.<alias>`; undefined when the prefix is missing or the alias empty. */
export function parseChildRef(entry: string): ChildRef | undefined {
  const m = /^(cartridge|group)\.(.+)$/.exec(entry.trim());
  if (!m) return undefined;
  return { kind: m[1] as ChildRef['kind'], alias: m[2].trim() };
}

/** Every entry of the startup orders and scaling dependents, with the list it comes from. */
export function dependencyEntries(deps: Dependencies | undefined): { list: 'startupOrders' | 'scalingDependents'; entry: string }[] {
  const out: { list: 'startupOrders' | 'scalingDependents'; entry: string }[] = [];
  for (const list of ['startupOrders', 'scalingDependents'] as const) {
    for (const o of deps?.[list] ?? []) for (const entry of o.aliases) out.push({ list, entry });
  }
  return out;
}

/**
 * Finds a cycle in startup orders. Each order `[a, b, c]` means a starts before b, b before c
 * (edges a→b, b→c); together the orders must form a DAG. Entries are compared after trimming.
 *
 * @returns the cycle as a path whose first and last element are equal
 *   (e.g. `['cartridge.a', 'cartridge.b', 'cartridge.a']`), or undefined when there is none
 */
export function findStartupCycle(deps: Dependencies | undefined): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const order of deps?.startupOrders ?? []) {
    const list = order.aliases.map((a) => a.trim());
    for (let i = 0; i + 1 < list.length; i++) {
      const from = list[i];
      const to = list[i + 1];
      if (!edges.has(from)) edges.set(from, []);
      edges.get(from)!.push(to);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const s = state.get(node);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
