import type { CartridgeGroup } from './artifacts.ts';
import type { Catalog } from './catalog-type.ts';
import { error } from './errors.ts';
import { firstDuplicate, show, TERMINATION_BEHAVIOURS } from './rule-helpers.ts';
import { dependencyEntries, findStartupCycle, parseChildRef } from './startup-order.ts';

/**
 * Cartridge group definition (rest-api.md §6.6), at every nesting level:
 * 1. no cartridge type twice in one group;
 * 2. no two sibling groups with the same name, no group named like one of its ancestors (cycle);
 * 3. every cartridge type exists;
 * 4. terminationBehaviour is one of the allowed values;
 * 5. startupOrders / scalingDependents entries start with `cartridge.` or `group.`, and the
 *    startup orders form no cycle.
 * Stratos checks 4 and 5 at the top level only; strato checks every level, since a nested
 * definition breaking them could never be used by an application anyway.
 * On update, a group used by an application cannot change (409; Stratos answered a misleading 404).
 */
export function validateCartridgeGroup(group: CartridgeGroup, catalog: Catalog, mode: 'add' | 'update'): void {
  const visit = (g: CartridgeGroup, path: string, ancestors: string[]) => {
    const what = `Invalid cartridge group definition ${group.name}: ${path}`;
    if (g.name.trim() === '') throw error('GROUP_NAME_BLANK', { what, value: show(g.name) });
    const dupCartridge = firstDuplicate(g.cartridges ?? []);
    if (dupCartridge !== undefined) {
      throw error('GROUP_CARTRIDGE_DUPLICATE', { what, type: dupCartridge });
    }
    const children = g.groups ?? [];
    const dupGroup = firstDuplicate(children.map((c) => c.name));
    if (dupGroup !== undefined) throw error('GROUP_DUPLICATE', { what, name: dupGroup });
    (g.cartridges ?? []).forEach((type, i) => {
      if (!catalog.cartridges.has(type)) {
        throw error('GROUP_CARTRIDGE_UNRESOLVED', { what, index: i, value: show(type), type });
      }
    });
    const tb = g.dependencies?.terminationBehaviour;
    if (tb !== undefined && !(TERMINATION_BEHAVIOURS as readonly string[]).includes(tb)) {
      throw error('GROUP_TERMINATION_BEHAVIOUR', { what, value: show(tb), allowed: TERMINATION_BEHAVIOURS.join(', '), behaviour: tb });
    }
    for (const { list, entry } of dependencyEntries(g.dependencies)) {
      if (!parseChildRef(entry)) {
        throw error('GROUP_DEPENDENCY_PREFIX', { what, list, entry: show(entry), group: g.name });
      }
    }
    const cycle = findStartupCycle(g.dependencies);
    if (cycle) throw error('STARTUP_ORDER_CYCLE', { owner: `[cartridge-group] ${g.name}`, cycle: cycle.join(' -> ') });
    children.forEach((child, i) => {
      if (child.name === g.name || ancestors.includes(child.name)) {
        throw error('GROUP_CYCLE', { what, index: i, value: show(child.name), name: child.name });
      }
      visit(child, `${path}.groups[${i}]`, [...ancestors, g.name]);
    });
  };
  visit(group, 'cartridgeGroup', []);

  if (mode === 'update') {
    for (const app of catalog.applications.values()) {
      if ((app.components.groups ?? []).some((g) => g.name === group.name)) {
        throw error('GROUP_IN_USE', { group: group.name, application: app.applicationId });
      }
    }
  }
}
