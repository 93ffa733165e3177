import type { ComponentNode } from '@strato/model';
import type { Application as WireApplication, ClusterDataHolder, Group as WireGroup } from '@strato/messaging';
import type { ApplicationRuntime } from './runtime-model.ts';

function lifeCycle<S extends string>(alias: string, i: { instanceId: string; status: S; previous?: S }) {
  return { stateStack: i.previous ? [i.previous, i.status] : [i.status], identifier: `${alias}_${i.instanceId}` };
}

function clusterData(node: ComponentNode): Record<string, ClusterDataHolder> {
  return Object.fromEntries(
    node.children
      .filter((c) => c.kind === 'cluster')
      .map((c) => [c.alias, { serviceType: c.cartridgeType!, clusterId: c.id, minInstances: c.min, maxInstances: c.max }]),
  );
}

function dependencyOrder(node: ComponentNode) {
  return {
    startupOrders: node.dependencies.startupOrders.map((l) => ({ startupOrderComponentList: [...l] })),
    scalingDependents: node.dependencies.scalingDependents.map((l) => ({ scalingDependentListComponents: [...l] })),
    terminationBehaviour: node.terminationBehaviour,
  };
}

function groups(appId: string, node: ComponentNode, rt: ApplicationRuntime | undefined): Record<string, WireGroup> {
  return Object.fromEntries(
    node.children
      .filter((c) => c.kind === 'group')
      .map((g) => [
        g.alias,
        {
          name: g.name,
          alias: g.alias,
          applicationId: appId,
          groupMinInstances: g.min,
          groupMaxInstances: g.max,
          isGroupScalingEnabled: g.groupScalingEnabled,
          deploymentPolicy: g.deploymentPolicy,
          aliasToClusterDataMap: clusterData(g),
          aliasToGroupMap: groups(appId, g, rt),
          dependencyOrder: dependencyOrder(g),
          instanceIdToInstanceContextMap: Object.fromEntries(
            Object.values(rt?.groupInstances ?? {})
              .filter((gi) => gi.alias === g.alias)
              .map((gi) => [
                gi.instanceId,
                {
                  alias: gi.alias,
                  instanceId: gi.instanceId,
                  lifeCycleStateManager: lifeCycle(gi.alias, gi),
                  parentId: gi.parentInstanceId,
                  networkPartitionId: gi.networkPartitionId,
                },
              ]),
          ),
        } satisfies WireGroup,
      ]),
  );
}

/**
 * An application of the applications model in Stratos's wire form (ApplicationCreatedEvent,
 * CompleteApplicationsEvent): its groups and clusters from the component tree, and, once deployed,
 * its application and group instances with their statuses.
 */
export function wireApplication(tree: ComponentNode, tenant: { id: number; domain: string }, rt?: ApplicationRuntime): WireApplication {
  const appId = tree.id;
  return {
    id: appId,
    tenantId: tenant.id,
    tenantDomain: tenant.domain,
    ...(rt ? { applicationPolicyId: rt.applicationPolicyId, instanceIdSequence: rt.instanceSequence } : {}),
    aliasToClusterDataMap: clusterData(tree),
    aliasToGroupMap: groups(appId, tree, rt),
    dependencyOrder: dependencyOrder(tree),
    instanceIdToInstanceContextMap: Object.fromEntries(
      Object.values(rt?.instances ?? {}).map((i) => [
        i.instanceId,
        { alias: appId, instanceId: i.instanceId, lifeCycleStateManager: lifeCycle(appId, i), networkPartitionId: i.networkPartitionId },
      ]),
    ),
  };
}
