import type { CartridgeGroup } from './artifacts.ts';
import type { Catalog } from './catalog.ts';
import { conflict, invalid } from './errors.ts';
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
    if (g.name.trim() === '') throw invalid(`${what}.name ${show(g.name)} must not be blank`);
    const dupCartridge = firstDuplicate(g.cartridges ?? []);
    if (dupCartridge !== undefined) {
      throw invalid(`${what}.cartridges: duplicate cartridges defined: ${dupCartridge}`);
    }
    const children = g.groups ?? [];
    const dupGroup = firstDuplicate(children.map((c) => c.name));
    if (dupGroup !== undefined) throw invalid(`${what}.groups: duplicate groups defined: ${dupGroup}`);
    (g.cartridges ?? []).forEach((type, i) => {
      if (!catalog.cartridges.has(type)) {
        throw invalid(`${what}.cartridges[${i}] ${show(type)} is not an existing cartridge: Could not find cartridge: [cartridge-type] ${type}`);
      }
    });
    const tb = g.dependencies?.terminationBehaviour;
    if (tb !== undefined && !(TERMINATION_BEHAVIOURS as readonly string[]).includes(tb)) {
      throw invalid(
        `${what}.dependencies.terminationBehaviour ${show(tb)} must be one of ${TERMINATION_BEHAVIOURS.join(', ')}: Invalid Termination Behaviour specified: [ ${tb} ]`,
      );
    }
    for (const { list, entry } of dependencyEntries(g.dependencies)) {
      if (!parseChildRef(entry)) {
        throw invalid(
          `${what}.dependencies.${list} entry ${show(entry)} must be prefixed by either 'cartridge.' or 'group.' (group ${g.name})`,
        );
      }
    }
    const cycle = findStartupCycle(g.dependencies);
    if (cycle) throw invalid(`startupOrders of [cartridge-group] ${g.name} form a cycle: ${cycle.join(' -> ')}`);
    children.forEach((child, i) => {
      if (child.name === g.name || ancestors.includes(child.name)) {
        throw invalid(`${what}.groups[${i}].name ${show(child.name)} repeats an ancestor: cyclic group behaviour identified: ${child.name}`);
      }
      visit(child, `${path}.groups[${i}]`, [...ancestors, g.name]);
    });
  };
  visit(group, 'cartridgeGroup', []);

  if (mode === 'update') {
    for (const app of catalog.applications.values()) {
      if ((app.components.groups ?? []).some((g) => g.name === group.name)) {
        throw conflict(`Cannot update cartridge group ${group.name}: it is used by application ${app.applicationId}`);
      }
    }
  }
}
