/**
 * Derived identifiers, reproduced exactly as Stratos 4.1 forms them (orchestration.md §1.2).
 * Pure string functions: counters and UUIDs are passed in by the caller.
 */

/**
 * Cluster id of a cartridge subscription: `<appId>.<alias>.<cartridgeType>.domain`
 * (the same for single- and multi-tenant cartridges).
 */
export function clusterId(appId: string, alias: string, cartridgeType: string): string {
  return `${appId}.${alias}.${cartridgeType}.domain`;
}

/**
 * The subscription alias inside a cluster id: the text between the first and the second `.`.
 * Returns `undefined` when the id has fewer than two dots.
 */
export function aliasOfClusterId(id: string): string | undefined {
  const first = id.indexOf('.');
  if (first < 0) return undefined;
  const second = id.indexOf('.', first + 1);
  if (second < 0) return undefined;
  return id.slice(first + 1, second);
}

/**
 * Host name of a cluster: single-tenant `<appId>.<alias>.<host>`, multi-tenant `<appId>.<host>`,
 * where `host` is the cartridge's `host` field.
 */
export function clusterHostName(appId: string, alias: string, host: string, multiTenant: boolean): string {
  return multiTenant ? `${appId}.${host}` : `${appId}.${alias}.${host}`;
}

/** Application instance id: `<appId>-<n>`, `n` a per-application counter starting at 1. */
export function applicationInstanceId(appId: string, n: number): string {
  return `${appId}-${n}`;
}

/**
 * Group instance id: the parent (application or group) instance id, unless group scaling is enabled
 * for the group (`groupMaxInstances > 1`); then `<groupAlias>-<n>`, `n` a per-group counter.
 */
export function groupInstanceId(parentInstanceId: string, groupAlias: string, n: number, groupScalingEnabled: boolean): string {
  return groupScalingEnabled ? `${groupAlias}-${n}` : parentInstanceId;
}

/** Cluster instance id: always the parent (application or group) instance id. */
export function clusterInstanceId(parentInstanceId: string): string {
  return parentInstanceId;
}

/** Member id: the cluster id immediately followed by a random UUID, without a separator. */
export function memberId(clusterIdValue: string, uuid: string): string {
  return `${clusterIdValue}${uuid}`;
}

/** Scaling decision id: `<clusterId>-<UUID>`. */
export function scalingDecisionId(clusterIdValue: string, uuid: string): string {
  return `${clusterIdValue}-${uuid}`;
}

/** Life-cycle identifier of a cluster instance: `<clusterId>_<instanceId>`. */
export function clusterInstanceLifeCycleId(clusterIdValue: string, instanceId: string): string {
  return `${clusterIdValue}_${instanceId}`;
}

/** Life-cycle identifier of a group or application instance: `<alias>_<instanceId>`. */
export function parentInstanceLifeCycleId(alias: string, instanceId: string): string {
  return `${alias}_${instanceId}`;
}
