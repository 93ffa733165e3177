import type { Application, CartridgeReference, GroupReference } from './artifacts.ts';

/** A cartridge subscription found in an application, with where it is. */
export interface SubscriptionAt {
  ref: CartridgeReference;
  /** Field path, e.g. `components.groups[0].cartridges[1]`. */
  path: string;
  /** The enclosing group references, outermost first (empty at top level). */
  ancestors: GroupReference[];
}

/** A group reference found in an application, with where it is. */
export interface GroupAt {
  ref: GroupReference;
  path: string;
  ancestors: GroupReference[];
}

/** Every cartridge subscription of an application: top level first, then groups depth-first. */
export function subscriptionsOf(app: Application): SubscriptionAt[] {
  const out: SubscriptionAt[] = [];
  (app.components.cartridges ?? []).forEach((ref, i) => out.push({ ref, path: `components.cartridges[${i}]`, ancestors: [] }));
  for (const g of groupReferencesOf(app)) {
    (g.ref.cartridges ?? []).forEach((ref, i) => out.push({ ref, path: `${g.path}.cartridges[${i}]`, ancestors: [...g.ancestors, g.ref] }));
  }
  return out;
}

/** Every group reference of an application, depth-first in document order. */
export function groupReferencesOf(app: Application): GroupAt[] {
  const out: GroupAt[] = [];
  const walk = (refs: GroupReference[] | undefined, path: string, ancestors: GroupReference[]) => {
    (refs ?? []).forEach((ref, i) => {
      const here = `${path}[${i}]`;
      out.push({ ref, path: here, ancestors });
      walk(ref.groups, `${here}.groups`, [...ancestors, ref]);
    });
  };
  walk(app.components.groups, 'components.groups', []);
  return out;
}

/**
 * Every deployment policy an application uses: its subscriptions' own policies and its groups'
 * policies (a group's policy is inherited by all its descendants).
 */
export function deploymentPoliciesOf(app: Application): Set<string> {
  const out = new Set<string>();
  for (const s of subscriptionsOf(app)) {
    if (s.ref.subscribableInfo.deploymentPolicy) out.add(s.ref.subscribableInfo.deploymentPolicy);
  }
  for (const g of groupReferencesOf(app)) {
    if (g.ref.deploymentPolicy) out.add(g.ref.deploymentPolicy);
  }
  return out;
}
