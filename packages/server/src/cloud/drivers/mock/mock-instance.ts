/**
 * A mock instance, as the driver ({@link MockIaas}) keeps and persists it and as its simulated
 * member ({@link SimulatedMembers}) moves it through its phases.
 */
import type { Cancel } from '@strato/model';

/** Where a mock instance is in its conversation with the control plane. */
export type MockInstancePhase = 'booting' | 'starting' | 'active' | 'maintenance' | 'readyToShutdown' | 'killed';

/**
 * A mock instance as stored and as the mock IaaS API shows it: Stratos's MockInstanceMetadata
 * (`instanceId, defaultPrivateIp, defaultPublicIp, payload`) plus strato's extras.
 */
export interface MockInstanceRecord {
  /** = member id, as in Stratos. */
  instanceId: string;
  defaultPrivateIp: string;
  defaultPublicIp: string;
  /** The launch payload, `KEY=value` pairs joined by commas. */
  payload: string;
  memberId: string;
  applicationId: string;
  /** The cartridge type. */
  serviceName: string;
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  partitionId: string;
  /** The provider name the instance was started for (`mock`, `ec2-sydney`, ...). */
  provider: string;
  phase: MockInstancePhase;
  /** Epoch ms of the start request. */
  createdAt: number;
  /** Epoch ms of the last phase change. */
  phaseChangedAt: number;
}

/** One instance in memory. */
export interface LiveInstance {
  record: MockInstanceRecord;
  /** This instance's store writes, in order (the driver's). */
  writes: Promise<void>;
  /** Terminated or destroyed: no more writes or events. */
  removed: boolean;
  /** Pending boot (MemberInitialized → InstanceStarted; the simulated member's). */
  /** cancels the pending boot (a scheduled task) */
  bootTimer: Cancel | undefined;
  /** When the next health statistics are due (epoch ms per `now`); only for publishing phases. */
  nextStatAt: number;
}
