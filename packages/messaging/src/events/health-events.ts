/**
 * Health statistic events (`health/stat/<Event>`, the class path of Stratos's
 * `org.apache.stratos.messaging.event.health.stat` package).
 *
 * Stratos had CEP publish the summarized events on `summarized-health-stats` inside an envelope
 * with every value as a string (see `decodeHealthStatEnvelope` for reading that format). strato
 * computes the statistics in the control plane itself (spec README, "Where strato deliberately
 * differs"), so on strato's bus these events use the ordinary convention: topic = class path,
 * payload = plain JSON with numbers.
 *
 * The two raw inputs that went to CEP over Thrift in Stratos (agent health stream
 * `cartridge_agent_health_stats:1.0.0`, load-balancer stream `in_flight_requests:1.0.0`) travel
 * as the strato events `MemberHealthStatEvent` and `InFlightRequestCountEvent` (camelCase names
 * of the stream attributes). They are strato extensions, not Stratos classes. Their format, who
 * sends them and what the server does with them: packages/messaging/health-statistics.md.
 */

/** Cluster-level statistic fields. */
export interface ClusterStatFields {
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  value: number;
}

/** Cluster-level statistic fields with a timestamp (epoch ms). */
export interface TimedClusterStatFields extends ClusterStatFields {
  timestamp: number;
}

/** Member-level statistic fields (CEP also sends `clusterId`, `networkPartitionId`). */
export interface MemberStatFields {
  memberId: string;
  clusterInstanceId: string;
  clusterId?: string;
  networkPartitionId?: string;
  value: number;
  timestamp?: number;
}

/** 1-minute average of the requests in flight of a cluster instance. */
export interface AverageRequestsInFlightEvent extends TimedClusterStatFields {
  /** Unused by Stratos. */
  servedCount?: number;
  /** Unused by Stratos. */
  activeInstances?: number;
}

/** A member is faulty: its ports are not open, or it sent no statistics for 60 s. */
export interface MemberFaultEvent {
  clusterId: string;
  clusterInstanceId: string;
  memberId: string;
  partitionId: string;
  networkPartitionId: string;
  /** Always 0. */
  value: number;
}

/** What a `MemberHealthStatEvent` measures. */
export type HealthDescription = 'memory_consumption' | 'load_average' | 'ports_not_open';

/**
 * strato extension: one raw health sample of a member, from its cartridge agent or mock
 * instance (Stratos: Thrift stream `cartridge_agent_health_stats:1.0.0`).
 */
export interface MemberHealthStatEvent {
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  memberId: string;
  partitionId: string;
  healthDescription: HealthDescription;
  value: number;
  /** Epoch ms of the sample; the receiver's clock when absent. */
  timestamp?: number;
}

/**
 * strato extension: one raw in-flight request count of a cluster instance, from a load balancer
 * or mock instance (Stratos: Thrift stream `in_flight_requests:1.0.0`). `clusterInstanceId` is
 * `not-defined` when a load balancer sends it.
 */
export interface InFlightRequestCountEvent {
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  inFlightRequestCount: number;
  /** Epoch ms of the sample; the receiver's clock when absent. */
  timestamp?: number;
}

/** Payload types of the health statistic events, by event name. */
export interface HealthStatEvents {
  AverageLoadAverageEvent: TimedClusterStatFields;
  AverageMemoryConsumptionEvent: TimedClusterStatFields;
  GradientOfLoadAverageEvent: ClusterStatFields;
  GradientOfMemoryConsumptionEvent: ClusterStatFields;
  SecondDerivativeOfLoadAverageEvent: ClusterStatFields;
  SecondDerivativeOfMemoryConsumptionEvent: ClusterStatFields;
  AverageRequestsInFlightEvent: AverageRequestsInFlightEvent;
  GradientOfRequestsInFlightEvent: ClusterStatFields;
  SecondDerivativeOfRequestsInFlightEvent: ClusterStatFields;
  AverageRequestsServingCapabilityEvent: ClusterStatFields;
  MemberAverageLoadAverageEvent: MemberStatFields;
  MemberAverageMemoryConsumptionEvent: MemberStatFields;
  MemberGradientOfLoadAverageEvent: MemberStatFields;
  MemberGradientOfMemoryConsumptionEvent: MemberStatFields;
  MemberSecondDerivativeOfLoadAverageEvent: MemberStatFields;
  MemberSecondDerivativeOfMemoryConsumptionEvent: MemberStatFields;
  MemberFaultEvent: MemberFaultEvent;
  MemberHealthStatEvent: MemberHealthStatEvent;
  InFlightRequestCountEvent: InFlightRequestCountEvent;
}
