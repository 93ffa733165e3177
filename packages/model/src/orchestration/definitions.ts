/**
 * The minimal, structural view of Stratos's normalised artifact JSON that the orchestration core
 * reads. These types deliberately name only the fields the core needs; any richer artifact type
 * (with more fields) is assignable to them.
 */

/** The three termination behaviours of a dependency level (orchestration.md §3.5). */
export type TerminationBehaviour = 'terminate-none' | 'terminate-dependents' | 'terminate-all';

/** One ordered list of a `startupOrders` / `scalingDependents` array: `{"aliases": [...]}`. */
export interface AliasListDefinition {
  /**
   * References in the form `cartridge.<alias>` or `group.<alias>`. One entry may itself hold a
   * comma-separated list (`"group.a, cartridge.b"`); entries are split on commas and trimmed.
   */
  readonly aliases?: readonly string[];
}

/** The `dependencies` block of an application, or of a cartridge-group definition. */
export interface DependenciesDefinition {
  readonly startupOrders?: readonly AliasListDefinition[];
  readonly scalingDependents?: readonly AliasListDefinition[];
  /** Missing or unknown values are treated as `terminate-none`. */
  readonly terminationBehaviour?: string;
}

/** `subscribableInfo` of a cartridge subscription in an application. */
export interface SubscribableInfoDefinition {
  readonly alias: string;
  readonly autoscalingPolicy?: string;
  readonly deploymentPolicy?: string;
}

/** A cartridge subscription inside an application (`components.cartridges[]`). */
export interface CartridgeSubscriptionDefinition {
  /** The cartridge type. */
  readonly type: string;
  readonly cartridgeMin?: number;
  readonly cartridgeMax?: number;
  readonly subscribableInfo: SubscribableInfoDefinition;
}

/** A group reference inside an application (`components.groups[]`, recursive). */
export interface GroupReferenceDefinition {
  /** The cartridge-group name (top-level registered name, or a nested group's name). */
  readonly name: string;
  readonly alias: string;
  readonly groupMinInstances?: number;
  readonly groupMaxInstances?: number;
  readonly deploymentPolicy?: string;
  readonly cartridges?: readonly CartridgeSubscriptionDefinition[];
  readonly groups?: readonly GroupReferenceDefinition[];
}

/** The `components` block of an application. */
export interface ComponentsDefinition {
  readonly cartridges?: readonly CartridgeSubscriptionDefinition[];
  readonly groups?: readonly GroupReferenceDefinition[];
  readonly dependencies?: DependenciesDefinition;
}

/** An application definition, as posted to `/api/applications` (after normalisation). */
export interface ApplicationDefinition {
  readonly applicationId: string;
  readonly alias?: string;
  readonly multiTenant?: boolean;
  readonly components: ComponentsDefinition;
}

/** A cartridge-group definition, as posted to `/api/cartridgeGroups` (nested groups inline). */
export interface CartridgeGroupDefinition {
  readonly name: string;
  /** Cartridge types. */
  readonly cartridges?: readonly string[];
  readonly groups?: readonly CartridgeGroupDefinition[];
  readonly dependencies?: DependenciesDefinition;
}
