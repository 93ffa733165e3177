import { error } from '../errors.ts';
import type {
  ApplicationDefinition,
  CartridgeGroupDefinition,
  CartridgeSubscriptionDefinition,
  DependenciesDefinition,
  GroupReferenceDefinition,
  TerminationBehaviour,
} from './definitions.ts';
import {
  buildDependencyTree,
  parseTerminationBehaviour,
  resolveScalingDependents,
  splitAliasList,
  type ComponentRef,
  type DependencyTree,
} from './dependency-tree.ts';
import { clusterId } from './identifiers.ts';

/** The kind of a runtime component. */
export type ComponentNodeKind = 'application' | 'group' | 'cluster';

/**
 * One node of the runtime component tree of an application (what the application, group and
 * cluster monitors are built from; orchestration.md §1.3, §3.2).
 */
export interface ComponentNode {
  readonly kind: ComponentNodeKind;
  /** Application: the application id; group: its alias; cluster: the subscription alias. */
  readonly alias: string;
  /** Monitor id: the application id, the group alias, or the cluster id. */
  readonly id: string;
  /** Group: the cartridge-group name; cluster: the cartridge type; application: the application id. */
  readonly name: string;
  /** Cluster only: the cartridge type. */
  readonly cartridgeType?: string;
  /** Cluster: `cartridgeMin` (@default 1); group: `groupMinInstances` (@default 1); application: 1. */
  readonly min: number;
  /** Cluster: `cartridgeMax` (@default min); group: `groupMaxInstances` (@default min); application: 1. */
  readonly max: number;
  /** Groups: `groupMaxInstances > 1` (a `groupScalingEnabled` flag in JSON is ignored); otherwise false. */
  readonly groupScalingEnabled: boolean;
  /**
   * Effective deployment policy: a group with a deployment policy maps itself and all its
   * descendants to it, overriding theirs; otherwise a component keeps its own.
   */
  readonly deploymentPolicy?: string;
  /** Cluster only: the subscription's autoscaling policy. */
  readonly autoscalingPolicy?: string;
  /** Direct children: clusters first (definition order), then groups. */
  readonly children: readonly ComponentNode[];
  /**
   * The level's dependencies, references as written (`cartridge.<alias>` / `group.<alias>`, comma
   * lists split): application level from the application, group level from the cartridge-group
   * definition. Empty for clusters.
   */
  readonly dependencies: {
    readonly startupOrders: readonly (readonly string[])[];
    readonly scalingDependents: readonly (readonly string[])[];
  };
  /** The level's termination behaviour (@default terminate-none). */
  readonly terminationBehaviour: TerminationBehaviour;
  /** The startup dependency tree of the direct children (§3.3); empty for clusters. */
  readonly dependencyTree: DependencyTree;
  /** Scaling-dependent lists resolved to child aliases (§3.7); empty for clusters. */
  readonly scalingDependents: readonly (readonly string[])[];
}

/** Registered cartridge-group definitions: a list or a map by name. */
export type GroupDefinitions = readonly CartridgeGroupDefinition[] | ReadonlyMap<string, CartridgeGroupDefinition>;

const EMPTY_TREE: DependencyTree = { terminationBehaviour: 'terminate-none', roots: [], nodes: new Map() };

function lookupTopLevel(groups: GroupDefinitions, name: string): CartridgeGroupDefinition | undefined {
  if (groups instanceof Map) return (groups as ReadonlyMap<string, CartridgeGroupDefinition>).get(name);
  return (groups as readonly CartridgeGroupDefinition[]).find((g) => g.name === name);
}

function splitLists(lists: DependenciesDefinition['startupOrders']): string[][] {
  return (lists ?? []).map((l) => splitAliasList(l.aliases)).filter((l) => l.length > 0);
}

interface Context {
  readonly appId: string;
  readonly groups: GroupDefinitions;
  readonly aliases: Set<string>;
}

function claimAlias(ctx: Context, alias: string): void {
  if (ctx.aliases.has(alias)) throw error('ALIAS_ALREADY_DEFINED', { application: ctx.appId, alias });
  ctx.aliases.add(alias);
}

function clusterNode(ctx: Context, c: CartridgeSubscriptionDefinition, inherited: string | undefined): ComponentNode {
  const alias = c.subscribableInfo.alias;
  claimAlias(ctx, alias);
  const min = c.cartridgeMin ?? 1;
  const deploymentPolicy = inherited ?? c.subscribableInfo.deploymentPolicy;
  const autoscalingPolicy = c.subscribableInfo.autoscalingPolicy;
  return {
    kind: 'cluster',
    alias,
    id: clusterId(ctx.appId, alias, c.type),
    name: c.type,
    cartridgeType: c.type,
    min,
    max: c.cartridgeMax ?? min,
    groupScalingEnabled: false,
    ...(deploymentPolicy !== undefined ? { deploymentPolicy } : {}),
    ...(autoscalingPolicy !== undefined ? { autoscalingPolicy } : {}),
    children: [],
    dependencies: { startupOrders: [], scalingDependents: [] },
    terminationBehaviour: 'terminate-none',
    dependencyTree: EMPTY_TREE,
    scalingDependents: [],
  };
}

function levelParts(
  description: string,
  children: readonly ComponentNode[],
  deps: DependenciesDefinition | undefined,
): Pick<ComponentNode, 'dependencies' | 'terminationBehaviour' | 'dependencyTree' | 'scalingDependents'> {
  const refs: ComponentRef[] = children.map((c) => ({ kind: c.kind === 'cluster' ? 'cartridge' : 'group', alias: c.alias }));
  const startupOrders = splitLists(deps?.startupOrders);
  const scaling = splitLists(deps?.scalingDependents);
  const level = { children: refs, description };
  return {
    dependencies: { startupOrders, scalingDependents: scaling },
    terminationBehaviour: parseTerminationBehaviour(deps?.terminationBehaviour),
    dependencyTree: buildDependencyTree({ ...level, startupOrders, terminationBehaviour: deps?.terminationBehaviour }),
    scalingDependents: resolveScalingDependents(level, scaling),
  };
}

function groupNode(ctx: Context, g: GroupReferenceDefinition, definition: CartridgeGroupDefinition | undefined, inherited: string | undefined): ComponentNode {
  claimAlias(ctx, g.alias);
  const deploymentPolicy = inherited ?? g.deploymentPolicy;
  const children: ComponentNode[] = [
    ...(g.cartridges ?? []).map((c) => clusterNode(ctx, c, deploymentPolicy)),
    ...(g.groups ?? []).map((sub) =>
      groupNode(
        ctx,
        sub,
        definition?.groups?.find((d) => d.name === sub.name),
        deploymentPolicy,
      ),
    ),
  ];
  const min = g.groupMinInstances ?? 1;
  const max = g.groupMaxInstances ?? min;
  return {
    kind: 'group',
    alias: g.alias,
    id: g.alias,
    name: g.name,
    min,
    max,
    groupScalingEnabled: max > 1,
    ...(deploymentPolicy !== undefined ? { deploymentPolicy } : {}),
    children,
    ...levelParts(`[group] ${g.name}`, children, definition?.dependencies),
  };
}

/**
 * Builds the runtime component tree of an application from its definition and the registered
 * cartridge-group definitions.
 *
 * A top-level group reference is matched by `name` to a registered definition; a nested reference to
 * the nested group of the same name inside its parent's definition (no match: the group has no
 * dependencies, as in Stratos). Group-level startup orders, scaling dependents and termination
 * behaviour come from the definition; application-level ones from the application.
 *
 * @throws StratoError (invalid-input) for an unknown top-level group name, a duplicate alias, or an
 *   invalid startup order / scaling dependent (see {@link buildDependencyTree}).
 */
export function buildApplicationTree(app: ApplicationDefinition, groups: GroupDefinitions): ComponentNode {
  const ctx: Context = { appId: app.applicationId, groups, aliases: new Set() };
  const components = app.components;
  const children: ComponentNode[] = [
    ...(components.cartridges ?? []).map((c) => clusterNode(ctx, c, undefined)),
    ...(components.groups ?? []).map((g) => {
      const def = lookupTopLevel(groups, g.name);
      if (def === undefined) throw error('GROUP_NOT_FOUND', { name: g.name });
      return groupNode(ctx, g, def, undefined);
    }),
  ];
  return {
    kind: 'application',
    alias: app.applicationId,
    id: app.applicationId,
    name: app.applicationId,
    min: 1,
    max: 1,
    groupScalingEnabled: false,
    children,
    ...levelParts(`[application] ${app.applicationId}`, children, components.dependencies),
  };
}

/** Every node of the tree, depth-first pre-order (the root first). */
export function componentNodes(root: ComponentNode): ComponentNode[] {
  return [root, ...root.children.flatMap(componentNodes)];
}

/** Every cluster node of the tree, depth-first. */
export function clusterNodes(root: ComponentNode): ComponentNode[] {
  return componentNodes(root).filter((n) => n.kind === 'cluster');
}

/** The node with that alias (or cluster id), or `undefined`. */
export function findComponent(root: ComponentNode, aliasOrId: string): ComponentNode | undefined {
  return componentNodes(root).find((n) => n.alias === aliasOrId || n.id === aliasOrId);
}

/** The deepest nesting of groups below `root` (0 when it has no group children). */
export function groupDepth(root: ComponentNode): number {
  const groups = root.children.filter((c) => c.kind === 'group');
  return groups.length === 0 ? 0 : 1 + Math.max(...groups.map(groupDepth));
}

/** The alias → effective deployment policy map (clusters and groups that have one). */
export function deploymentPolicyByAlias(root: ComponentNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of componentNodes(root)) {
    if (n.kind !== 'application' && n.deploymentPolicy !== undefined) out.set(n.alias, n.deploymentPolicy);
  }
  return out;
}
