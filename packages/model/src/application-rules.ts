import type { Application, CartridgeGroup, Dependencies, GroupReference } from './artifacts.ts';
import { MAX_ID_LENGTH } from './artifacts.ts';
import { groupReferencesOf, subscriptionsOf } from './application-references.ts';
import { buildApplicationTree } from './orchestration/application-tree.ts';
import type { Catalog } from './catalog-type.ts';
import { error } from './errors.ts';
import { broken, isBlank, show, TERMINATION_BEHAVIOURS } from './rule-helpers.ts';
import { dependencyEntries, findStartupCycle, parseChildRef } from './startup-order.ts';

/**
 * The subscription alias pattern of Stratos, `([a-z0-9]+([-][a-z0-9])*)+` (full match). Written
 * here in the equivalent linear form — letters/digits, single hyphens between them — because the
 * original nests quantifiers and backtracks exponentially on a long invalid alias.
 */
export const ALIAS_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Application rules (rest-api.md §6.7, POST pipeline steps 1–8, in that order), plus strato's own:
 * - deployment policies referenced by the application must EXIST when it is added: Stratos only
 *   found out at deploy time (500 "Application deployment failed"); strato rejects the dangling
 *   reference up front (400), like every other reference;
 * - the deployment-policy inheritance rule is applied as intended at every level (Stratos only
 *   passed a top-level group's policy down when that group also had cartridges);
 * - cartridgeMin ≤ cartridgeMax and groupMinInstances ≤ groupMaxInstances;
 * - startup orders form no cycle, at the application level and in every group definition used.
 * On update, the application must keep every group alias it had (409 otherwise).
 */
export function validateApplication(app: Application, catalog: Catalog, mode: 'add' | 'update'): void {
  validateApplicationRules(app, catalog, mode);
  // The component tree the monitors are built from at deployment: whatever it refuses (a child
  // that two startup orders give different predecessors, ...) is refused now, not at deployment.
  buildApplicationTree(app, catalog.cartridgeGroups);
}

function validateApplicationRules(app: Application, catalog: Catalog, mode: 'add' | 'update'): void {
  const id = app.applicationId;
  const what = `application ${id}`;
  if (isBlank(app.alias)) throw broken('VALUE_BLANK', what, 'alias', app.alias, 'must not be blank');
  const groups = groupReferencesOf(app);
  const subs = subscriptionsOf(app);

  // 4. group tree: aliases, deployment-policy inheritance
  const aliases = new Map<string, string>(); // alias → field path of its first use
  for (const g of groups) {
    const alias = g.ref.alias;
    if (isBlank(alias)) throw broken('VALUE_BLANK', what, `${g.path}.alias`, alias, 'must not be blank');
    if (aliases.has(alias)) {
      throw broken('VALUE_DUPLICATE', what, `${g.path}.alias`, alias, `is already used at ${aliases.get(alias)}: Cartridge group alias exists more than once`);
    }
    aliases.set(alias, `${g.path}.alias`);
    if (g.ref.deploymentPolicy !== undefined && g.ancestors.some((a) => a.deploymentPolicy !== undefined)) {
      throw broken(
        'VALUE_RULE',
        what,
        `${g.path}.deploymentPolicy`,
        g.ref.deploymentPolicy,
        `must be removed: parent group has a deployment policy (group alias ${alias})`,
      );
    }
  }
  for (const s of subs) {
    const info = s.ref.subscribableInfo;
    const inherited = s.ancestors.some((a) => a.deploymentPolicy !== undefined);
    if (inherited && info.deploymentPolicy !== undefined) {
      throw broken(
        'VALUE_RULE',
        what,
        `${s.path}.subscribableInfo.deploymentPolicy`,
        info.deploymentPolicy,
        `must be removed: a group deployment policy already applies to cartridge subscription ${info.alias}`,
      );
    }
    if (!inherited && isBlank(info.deploymentPolicy)) {
      throw broken(
        'VALUE_RULE',
        what,
        `${s.path}.subscribableInfo.deploymentPolicy`,
        info.deploymentPolicy ?? null,
        `is required: cartridge ${info.alias} has not inherited any deployment policy`,
      );
    }
  }

  // 5. subscriptions: alias, autoscaling policy; deployment policies exist; min/max
  for (const s of subs) {
    const info = s.ref.subscribableInfo;
    const at = `${s.path}.subscribableInfo`;
    if (isBlank(info.alias)) throw broken('VALUE_BLANK', what, `${at}.alias`, info.alias, `must not be blank (cartridge type ${s.ref.type})`);
    if (!ALIAS_PATTERN.test(info.alias)) {
      throw broken('VALUE_CHOICE', what, `${at}.alias`, info.alias, 'must match ([a-z0-9]+([-][a-z0-9])*)+');
    }
    if (info.alias.length > MAX_ID_LENGTH) {
      throw broken('VALUE_RANGE', what, `${at}.alias`, info.alias, `must have at most ${MAX_ID_LENGTH} characters (cluster ids are made of it)`);
    }
    if (aliases.has(info.alias)) {
      throw broken('VALUE_DUPLICATE', what, `${at}.alias`, info.alias, `is already used at ${aliases.get(info.alias)}: Alias is already defined`);
    }
    aliases.set(info.alias, `${at}.alias`);
    if (isBlank(info.autoscalingPolicy)) throw broken('VALUE_BLANK', what, `${at}.autoscalingPolicy`, info.autoscalingPolicy, 'must not be blank');
    if (!catalog.autoscalingPolicies.has(info.autoscalingPolicy)) {
      throw broken('REFERENCE_UNRESOLVED', what, `${at}.autoscalingPolicy`, info.autoscalingPolicy, 'is not an existing autoscaling policy');
    }
    if (info.deploymentPolicy !== undefined && !catalog.deploymentPolicies.has(info.deploymentPolicy)) {
      throw broken('REFERENCE_UNRESOLVED', what, `${at}.deploymentPolicy`, info.deploymentPolicy, 'is not an existing deployment policy');
    }
    const { cartridgeMin, cartridgeMax } = s.ref;
    for (const [field, v] of [
      ['cartridgeMin', cartridgeMin],
      ['cartridgeMax', cartridgeMax],
    ] as const) {
      if (v !== undefined && v < 0) throw broken('VALUE_RANGE', what, `${s.path}.${field}`, v, 'must be >= 0');
    }
    if (cartridgeMin !== undefined && cartridgeMax !== undefined && cartridgeMin > cartridgeMax) {
      throw broken('VALUE_RANGE', what, `${s.path}.cartridgeMin`, cartridgeMin, `must be <= cartridgeMax (${cartridgeMax})`);
    }
  }
  for (const g of groups) {
    if (g.ref.deploymentPolicy !== undefined && !catalog.deploymentPolicies.has(g.ref.deploymentPolicy)) {
      throw broken('REFERENCE_UNRESOLVED', what, `${g.path}.deploymentPolicy`, g.ref.deploymentPolicy, 'is not an existing deployment policy');
    }
    const { groupMinInstances: min, groupMaxInstances: max } = g.ref;
    for (const [field, v] of [
      ['groupMinInstances', min],
      ['groupMaxInstances', max],
    ] as const) {
      if (v !== undefined && v < 0) throw broken('VALUE_RANGE', what, `${g.path}.${field}`, v, 'must be >= 0');
    }
    if (min !== undefined && max !== undefined && min > max) {
      throw broken('VALUE_RANGE', what, `${g.path}.groupMinInstances`, min, `must be <= groupMaxInstances (${max})`);
    }
  }

  // 6. application-level dependencies name top-level aliases
  const topCartridges = new Set((app.components.cartridges ?? []).map((c) => c.subscribableInfo.alias));
  const topGroups = new Set((app.components.groups ?? []).map((g) => g.alias));
  checkDependencies(app.components.dependencies, topCartridges, topGroups, `[application] ${id}`, `application ${id}: components.dependencies`);

  // 7. cartridge types exist
  for (const s of subs) {
    if (!catalog.cartridges.has(s.ref.type)) {
      throw broken('REFERENCE_UNRESOLVED', what, `${s.path}.type`, s.ref.type, `is not an existing cartridge: Cartridge not found: ${s.ref.type}`);
    }
  }

  // 8. groups: registered definitions, their startup orders, their cartridge types
  (app.components.groups ?? []).forEach((ref, i) => {
    const def = catalog.cartridgeGroups.get(ref.name);
    if (!def) {
      throw broken(
        'REFERENCE_UNRESOLVED',
        what,
        `components.groups[${i}].name`,
        ref.name,
        `is not an existing cartridge group: Cartridge group not found group-name: ${ref.name}`,
      );
    }
    checkGroup(app, ref, def, `components.groups[${i}]`);
  });

  if (mode === 'update') {
    const existing = catalog.applications.get(id);
    if (existing) {
      const now = new Set(groups.map((g) => g.ref.alias));
      for (const g of groupReferencesOf(existing)) {
        if (!now.has(g.ref.alias)) {
          throw error('APPLICATION_STRUCTURE_CHANGED', { id, alias: g.ref.alias });
        }
      }
    }
  }
}

/**
 * A group reference against its definition: startup orders / scaling dependents of the definition
 * name direct children of the reference, the definition's cartridge types (any depth) are all
 * subscribed under the reference. Nested references whose name matches no nested definition are
 * ignored, as in Stratos.
 */
function checkGroup(app: Application, ref: GroupReference, def: CartridgeGroup, path: string): void {
  const childCartridges = new Set((ref.cartridges ?? []).map((c) => c.subscribableInfo.alias));
  const childGroups = new Set((ref.groups ?? []).map((g) => g.alias));
  checkDependencies(
    def.dependencies,
    childCartridges,
    childGroups,
    `[group] ${def.name}`,
    `application ${app.applicationId}: cartridge group ${def.name} (alias ${ref.alias}) dependencies`,
  );
  const subscribed = new Set(typesUnder(ref));
  for (const type of typesOfDefinition(def)) {
    if (!subscribed.has(type)) {
      throw error('GROUP_CARTRIDGE_NOT_IN_GROUP', { application: app.applicationId, path, type, group: def.name, alias: ref.alias });
    }
  }
  (ref.groups ?? []).forEach((child, i) => {
    const childDef = (def.groups ?? []).find((d) => d.name === child.name);
    if (childDef) checkGroup(app, child, childDef, `${path}.groups[${i}]`);
  });
}

function typesUnder(ref: GroupReference): string[] {
  return [...(ref.cartridges ?? []).map((c) => c.type), ...(ref.groups ?? []).flatMap(typesUnder)];
}

function typesOfDefinition(def: CartridgeGroup): string[] {
  return [...(def.cartridges ?? []), ...(def.groups ?? []).flatMap(typesOfDefinition)];
}

/**
 * Startup orders / scaling dependents name existing children (`cartridge.<alias>` of a child
 * subscription, `group.<alias>` of a child group), the termination behaviour is allowed, and
 * the startup orders form no cycle.
 */
function checkDependencies(deps: Dependencies | undefined, cartridges: Set<string>, groups: Set<string>, owner: string, where: string): void {
  if (!deps) return;
  for (const { list, entry } of dependencyEntries(deps)) {
    const child = parseChildRef(entry);
    if (!child) {
      throw error('STARTUP_ORDER_PREFIX', { where, list, entry: show(entry) });
    }
    const known = child.kind === 'cartridge' ? cartridges : groups;
    if (!known.has(child.alias)) {
      const noun = list === 'startupOrders' ? 'startup-order' : 'scaling-dependent';
      throw error('STARTUP_ORDER_ALIAS_UNKNOWN', { noun, where: `the ${owner}`, entry });
    }
  }
  const tb = deps.terminationBehaviour;
  if (tb !== undefined && !(TERMINATION_BEHAVIOURS as readonly string[]).includes(tb)) {
    throw error('TERMINATION_BEHAVIOUR', { where, value: show(tb), behaviour: tb });
  }
  const cycle = findStartupCycle(deps);
  if (cycle) throw error('STARTUP_ORDER_CYCLE', { owner, cycle: cycle.join(' -> ') });
}
