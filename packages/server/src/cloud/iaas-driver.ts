import { error, type PortMapping } from '@strato/model';

/**
 * The one interface every IaaS driver implements (mock, process, kubernetes, later EC2, OpenStack,
 * GCE). The cloud controller picks the driver bound to a partition's provider name
 * (STRATO_IAAS_PROVIDERS, drivers made by the {@link DriverRegistry}) and never knows which one
 * it talks to. Every driver passes the contract suite of `@strato/testing`
 * (`iaasDriverContract`).
 */

/**
 * A member's launch payload exactly as Stratos's cloud controller writes it and its agent reads
 * it (`payload/launch-params`): `KEY=value` pairs joined by commas, in Stratos's order
 * (orchestration.md §6.2 step 4; cartridge-agent.md §2.3). A driver hands it to the instance as
 * it is (user data, a launch-params file); {@link payloadEntries} gives the pairs (environment
 * variables of a pod).
 */
export type LaunchPayload = string;

/**
 * The pairs of a launch payload, in order: split on commas, the key before the first `=`, the value
 * after it (Stratos's agent would keep only the text up to a second `=`); items without `=` are left out.
 */
export function payloadEntries(payload: LaunchPayload): [key: string, value: string][] {
  const out: [string, string][] = [];
  for (const item of payload.split(',')) {
    const at = item.indexOf('=');
    if (at <= 0) continue;
    out.push([item.slice(0, at).trim(), item.slice(at + 1)]);
  }
  return out;
}

/** What the cloud controller asks a driver to start: one member of one cluster instance. */
export interface InstanceRequest {
  memberId: string;
  clusterId: string;
  /** The cartridge type (Stratos's service name). */
  cartridgeType: string;
  /**
   * Ids a driver passes on (labels of a pod, events of a simulated agent). They are in the
   * payload too, but a driver should not have to parse it to name what it starts.
   */
  applicationId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  /** The provider name of the network partition (e.g. `mock`, `ec2-sydney`), bound to this driver. */
  provider: string;
  /** The cartridge's port mappings. */
  ports: PortMapping[];
  /** Every key an agent reads, `MEMBER_ID` and `CARTRIDGE_KEY` included, and the member's broker credentials. */
  payload: LaunchPayload;
  /** The cartridge's IaaS entry for this provider (`iaasProvider[]` whose type is the provider). */
  iaas: { imageId?: string; properties: Record<string, string> };
  /** The partition the member is placed in: its properties merged over its network partition's. */
  partition: { id: string; properties: Record<string, string> };
}

/** What a driver answers once an instance exists: its IaaS id and addresses. */
export interface InstanceInfo {
  instanceId: string;
  memberId: string;
  defaultPrivateIP?: string;
  defaultPublicIP?: string;
  memberPrivateIPs: string[];
  memberPublicIPs: string[];
  /**
   * The ports the instance really listens on, when the driver hands out ports itself (the
   * process IaaS: members side by side on one host): the cartridge's port mappings, in order, each
   * with the port it got. The cloud controller makes them the member's ports (its topology
   * `portMap`); the driver has put them in the payload it gave the instance (`PORTS`,
   * `PORT_MAPPINGS`). Absent: the cartridge's ports.
   */
  ports?: { name?: string; protocol: string; port: number; proxyPort: number; kubernetesPortType?: string }[];
}

/** A partition as a driver validates it. */
export interface PartitionToValidate {
  id: string;
  property?: { name: string; value?: string }[];
}

export interface IaasDriver {
  /** The driver's name: `mock`, `process`, `kubernetes`. */
  readonly name: string;
  /** Checks a partition of a network partition; rejects with an Error saying what is wrong. */
  validatePartition(partition: PartitionToValidate): Promise<void>;
  /**
   * Starts an instance for a member and allocates its addresses. Idempotent by member id: asking
   * again for a member that already has an instance answers that instance (so a control plane that
   * crashed between asking and recording never leaks or doubles an instance).
   */
  startInstance(request: InstanceRequest): Promise<InstanceInfo>;
  /** Terminates the instance of a member; terminating an unknown or terminated one is not an error. */
  terminateInstance(memberId: string): Promise<void>;
  /**
   * Every instance the driver runs (also before {@link start}: what it persisted), so that the
   * control plane, after a restart, adopts the instances of its members and terminates the others.
   */
  listInstances(): Promise<InstanceInfo[]>;
  /**
   * Reports instances that ended without being asked to (a VM that vanished, a process that
   * exited, a pod deleted), once each, with a reason. Returns the unsubscribe. A driver that cannot
   * tell has none: the control plane then learns it from missing health statistics.
   */
  watch?(onGone: (memberId: string, reason: string) => void): () => void;
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
export async function validatePartitions(
  np: { id: string; provider: string; partitions?: PartitionToValidate[] },
  drivers: ReadonlyMap<string, IaasDriver>,
): Promise<void> {
  const driver = drivers.get(np.provider);
  if (!driver) return;
  for (const p of np.partitions ?? []) {
    try {
      await driver.validatePartition(p);
    } catch (e) {
      throw error('NETWORK_PARTITION_INVALID', { id: np.id, partition: p.id, reason: (e as Error).message });
    }
  }
}
