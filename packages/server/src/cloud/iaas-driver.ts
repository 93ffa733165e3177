import { error } from '@strato/model';

/**
 * The one interface every IaaS driver implements (mock, process, kubernetes, later EC2, OpenStack,
 * GCE). The cloud controller picks the driver bound to a partition's provider name
 * (STRATO_IAAS_PROVIDERS) and never knows which one it talks to.
 */

/** What the cloud controller asks a driver to start: one member of one cluster instance. */
export interface InstanceRequest {
  applicationId: string;
  serviceName: string;
  clusterId: string;
  clusterInstanceId: string;
  memberId: string;
  networkPartitionId: string;
  partitionId: string;
  /** The provider name of the network partition (e.g. `mock`, `ec2-sydney`). */
  provider: string;
  /** The member's launch payload as Stratos builds it: `KEY=value` pairs joined by commas. */
  payload: string;
  /** The cartridge's IaaS entry for this provider (imageId, properties ...), merged with the partition's properties. */
  properties: Record<string, string>;
}

/** What a driver answers once an instance exists: its IaaS id and addresses. */
export interface InstanceInfo {
  instanceId: string;
  memberId: string;
  defaultPrivateIP?: string;
  defaultPublicIP?: string;
  memberPrivateIPs: string[];
  memberPublicIPs: string[];
}

export interface IaasDriver {
  /** The driver's name: `mock`, `process`, `kubernetes`. */
  readonly name: string;
  /** Checks a partition of a network partition; throws an Error saying what is wrong. */
  validatePartition(partition: { id: string; property?: { name: string; value?: string }[] }): void;
  /**
   * Starts an instance for a member and allocates its addresses. Idempotent by member id: asking
   * again for a member that already has an instance answers that instance (so a control plane that
   * crashed between asking and recording never leaks or doubles an instance).
   */
  startInstance(request: InstanceRequest): Promise<InstanceInfo>;
  /** Terminates the instance of a member; terminating an unknown or terminated one is not an error. */
  terminateInstance(memberId: string): Promise<void>;
  /** The member ids of every instance the driver runs, for leak checks after a restart. */
  listInstances(): Promise<string[]>;
  /** Starts the driver (resumes instances that outlived the server). */
  start(): Promise<void>;
  /** Stops the driver's own activity; the instances themselves live on, like VMs. */
  stop(): Promise<void>;
}

/**
 * Asks the driver bound to a network partition's provider to validate each of its partitions;
 * a refusal is a 400 naming the network partition, the partition and the driver's reason. A
 * provider bound to a driver strato does not run yet is not checked here (deployment refuses it).
 */
export function validatePartitions(
  np: { id: string; provider: string; partitions?: { id: string; property?: { name: string; value?: string }[] }[] },
  drivers: ReadonlyMap<string, IaasDriver>,
): void {
  const driver = drivers.get(np.provider);
  if (!driver) return;
  for (const p of np.partitions ?? []) {
    try {
      driver.validatePartition(p);
    } catch (e) {
      throw error('NETWORK_PARTITION_INVALID', { id: np.id, partition: p.id, reason: (e as Error).message });
    }
  }
}
