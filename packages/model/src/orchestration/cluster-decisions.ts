import { afterPendingExpiry, obsoleteMemberExpired, pendingMemberExpired, terminationPendingExpired, type PendingExpiryRecord } from './member-expiry.ts';
import { nextPartitionForScaleDown, nextPartitionForScaleUp, type PartitionAlgorithm, type PartitionSlot } from './partition-algorithms.ts';
import type { ClusterStatus, MemberStatus } from './state-machines.ts';

/**
 * The cluster monitor's decision for one cluster instance (orchestration.md §3.11, §3.12, §4.4),
 * as a pure function: given what the instance has (its members, their dispositions and times) and
 * what it should have (min, max, whether it is being terminated), at time `now`, which steps to
 * take. The server's cluster monitor applies them (dispositions, cleanup requests, IaaS calls,
 * new members, status events).
 */

/** Where a member stands for the autoscaler: counted, draining after a cleanup request, or to be terminated. */
export type MemberDisposition = 'normal' | 'terminationPending' | 'obsolete';

/** Member statuses in which a member is on its way up (Stratos's pending list). */
export const PENDING_MEMBER_STATUSES: ReadonlySet<MemberStatus> = new Set(['Created', 'Initialized', 'Starting']);

/** Member statuses in which a draining member is asked to clean up rather than terminated at once. */
const DRAINABLE: ReadonlySet<MemberStatus> = new Set(['Active', 'In_Maintenance', 'ReadyToShutDown']);

/** What the decision needs to know of one member. */
export interface MemberFacts {
  memberId: string;
  partitionId: string;
  status: MemberStatus;
  disposition: MemberDisposition;
  initTime: number;
  /** when the disposition last changed */
  dispositionAt?: number;
  /** when a cleanup request was last sent */
  cleanupSentAt?: number;
  /** when the IaaS last failed to terminate its instance */
  terminateFailedAt?: number;
  /** the IaaS gave it an instance */
  hasInstance: boolean;
  /** a termination of its instance is under way */
  terminating: boolean;
  /** a start of its instance is under way */
  launching: boolean;
}

/** What the decision needs to know of the cluster instance. */
export interface ClusterInstanceFacts {
  status: ClusterStatus;
  /** cartridgeMin and cartridgeMax of the subscription */
  min: number;
  max: number;
  /** members are terminated without a cleanup request (forced undeployment) */
  force: boolean;
  /** Stratos's spinAfterTerminate: members on their way out count toward the minimum */
  spinAfterTerminate: boolean;
  /** no new member before this instant (after an IaaS start failure) */
  spawnBackoffUntil?: number;
  /** round-robin position of the last partition a member was placed in */
  lastPartitionIndex?: number;
  /** per partition: consecutive pending expiries and the timeout in force */
  pendingExpiries?: Readonly<Record<string, PendingExpiryRecord>>;
  /** the deployment policy's algorithm and partitions for the instance's network partition */
  algorithm: PartitionAlgorithm;
  slots: readonly PartitionSlot[];
  members: readonly MemberFacts[];
}

/** The timeouts a cluster decision depends on (orchestration.md §3.12), ms. */
export interface ClusterTimings {
  pendingMemberExpiryTimeout: number;
  pendingTerminationMemberExpiryTimeout: number;
  obsoletedMemberExpiryTimeout: number;
  /** a draining Active member is asked to clean up again after this long */
  clusterMonitorInterval: number;
  /** a failed instance termination is retried after this long */
  iaasRetryInterval: number;
}

/** Why a member is taken out of service. */
export type ObsoleteReason = 'forced' | 'pending-expired' | 'cleanup-expired' | 'drained' | 'scaled-down';

/** One step for one member, in the order they are to be applied. */
export type MemberStep =
  /** made obsolete (dispositionAt = now); its instance is to be terminated when `terminate` */
  | { memberId: string; step: 'obsolete'; reason: ObsoleteReason; terminate: boolean }
  /** draining (dispositionAt = now); asked to clean up when `requestCleanup` */
  | { memberId: string; step: 'drain'; reason: 'drained' | 'scaled-down'; requestCleanup: boolean }
  /** ask the IaaS again to terminate the instance of an obsolete member */
  | { memberId: string; step: 'terminate' }
  /** the obsolete member's instance was never confirmed terminated: forget it */
  | { memberId: string; step: 'forget' }
  /** send the draining member its cleanup request again */
  | { memberId: string; step: 'requestCleanup' }
  /** start the member's instance (after the commit) */
  | { memberId: string; step: 'launch' };

export interface ClusterDecision {
  steps: MemberStep[];
  /** partitions of the members to create, in order */
  spawn: string[];
  /** true when the minimum cannot be met because every partition is full */
  partitionsFull: boolean;
  /** the round-robin position after the spawns (unchanged when nothing is spawned) */
  lastPartitionIndex?: number;
  /** the new per-partition expiry records, when a pending member expired */
  pendingExpiries?: Record<string, PendingExpiryRecord>;
  /** the status the cluster instance moves to, if any */
  status?: 'Active' | 'Inactive' | 'Terminated';
}

/**
 * Decides the next steps for one cluster instance:
 * 1. housekeeping of every member: a forced undeployment makes it obsolete; an obsolete member's
 *    instance is terminated (retried after a failure, `iaasRetryInterval` apart) or, past the
 *    obsolete expiry, forgotten; a draining member past the pending termination expiry becomes
 *    obsolete, an Active one is asked again to clean up every `clusterMonitorInterval`; a pending
 *    member past its partition's pending expiry becomes obsolete (counted for the doubling), one
 *    still without an instance is launched;
 * 2. a Terminating instance drains every normal member (gracefully unless forced) and is
 *    Terminated once it has no member left;
 * 3. otherwise the minimum (new members placed by the partition algorithm, unless in back-off) and
 *    the maximum (the extra members drained, pending ones of the chosen partition first), then the
 *    status: Active once `min` members are Active, Inactive when an Active instance falls below.
 */
export function decideClusterInstance(ci: ClusterInstanceFacts, now: number, t: ClusterTimings): ClusterDecision {
  const steps: MemberStep[] = [];
  const members = ci.members.map((m) => ({ ...m }));
  let pendingExpiries: Record<string, PendingExpiryRecord> | undefined;
  const forget = new Set<string>();
  const toObsolete = (m: MemberFacts, reason: ObsoleteReason, terminate: boolean) => {
    m.disposition = 'obsolete';
    m.dispositionAt = now;
    steps.push({ memberId: m.memberId, step: 'obsolete', reason, terminate });
  };
  const drain = (m: MemberFacts, reason: 'drained' | 'scaled-down', force: boolean) => {
    if (!force && DRAINABLE.has(m.status)) {
      m.disposition = 'terminationPending';
      m.dispositionAt = now;
      steps.push({ memberId: m.memberId, step: 'drain', reason, requestCleanup: m.status === 'Active' });
    } else {
      toObsolete(m, reason, true);
    }
  };

  // 1. housekeeping
  const terminating = ci.status === 'Terminating';
  for (const m of members) {
    if (ci.force && terminating && m.disposition !== 'obsolete') {
      m.disposition = 'obsolete';
      m.dispositionAt = now;
      steps.push({ memberId: m.memberId, step: 'obsolete', reason: 'forced', terminate: false });
    }
    if (m.disposition === 'obsolete') {
      if (m.terminating) continue;
      if (obsoleteMemberExpired(m.dispositionAt, m.initTime, now, t.obsoletedMemberExpiryTimeout)) {
        forget.add(m.memberId);
        steps.push({ memberId: m.memberId, step: 'forget' });
      } else if (m.terminateFailedAt === undefined || now - m.terminateFailedAt >= t.iaasRetryInterval) {
        steps.push({ memberId: m.memberId, step: 'terminate' });
      }
      continue;
    }
    if (m.disposition === 'terminationPending') {
      if (terminationPendingExpired(m.dispositionAt ?? now, now, t.pendingTerminationMemberExpiryTimeout)) {
        toObsolete(m, 'cleanup-expired', true);
      } else if (m.status === 'Active' && now - (m.cleanupSentAt ?? 0) >= t.clusterMonitorInterval) {
        steps.push({ memberId: m.memberId, step: 'requestCleanup' });
      }
      continue;
    }
    if (PENDING_MEMBER_STATUSES.has(m.status)) {
      const record = (pendingExpiries ?? ci.pendingExpiries)?.[m.partitionId];
      if (pendingMemberExpired(m.initTime, now, t.pendingMemberExpiryTimeout, record)) {
        pendingExpiries = { ...(pendingExpiries ?? ci.pendingExpiries), [m.partitionId]: afterPendingExpiry(t.pendingMemberExpiryTimeout, record) };
        toObsolete(m, 'pending-expired', true);
      } else if (m.status === 'Created' && !m.hasInstance && !m.launching) {
        steps.push({ memberId: m.memberId, step: 'launch' });
      }
    }
  }
  const decision: ClusterDecision = { steps, spawn: [], partitionsFull: false, ...(pendingExpiries ? { pendingExpiries } : {}) };

  // 2. a Terminating instance drains everything
  if (terminating) {
    for (const m of members) if (m.disposition === 'normal') drain(m, 'drained', ci.force);
    if (members.every((m) => forget.has(m.memberId))) decision.status = 'Terminated';
    return decision;
  }

  // 3. minimum, maximum, status
  const normal = members.filter((m) => m.disposition === 'normal');
  const active = normal.filter((m) => m.status === 'Active');
  const pending = normal.filter((m) => PENDING_MEMBER_STATUSES.has(m.status));
  const leaving = ci.spinAfterTerminate ? members.filter((m) => !forget.has(m.memberId)).length - normal.length : 0;
  const counted = active.length + pending.length + leaving;
  const max = Math.max(ci.max, ci.min);
  const current = [...active, ...pending];
  if (counted < ci.min && !(ci.spawnBackoffUntil !== undefined && ci.spawnBackoffUntil > now)) {
    const counts = countByPartition(current);
    let last = ci.lastPartitionIndex;
    for (let i = 0; i < ci.min - counted; i++) {
      const partitionId = nextPartitionForScaleUp(ci.algorithm, ci.slots, counts, last);
      if (partitionId === undefined) {
        decision.partitionsFull = true;
        break;
      }
      counts.set(partitionId, (counts.get(partitionId) ?? 0) + 1);
      last = ci.slots.findIndex((s) => s.id === partitionId);
      decision.spawn.push(partitionId);
    }
    if (decision.spawn.length > 0) decision.lastPartitionIndex = last;
  } else if (counted > max) {
    const remaining = [...current];
    for (let i = 0; i < counted - max; i++) {
      const partitionId = nextPartitionForScaleDown(ci.algorithm, ci.slots, countByPartition(remaining)) ?? remaining[remaining.length - 1]?.partitionId;
      const inPartition = remaining.filter((m) => m.partitionId === partitionId);
      const victim = inPartition.find((m) => PENDING_MEMBER_STATUSES.has(m.status)) ?? inPartition[inPartition.length - 1];
      if (!victim) break;
      remaining.splice(remaining.indexOf(victim), 1);
      drain(victim, 'scaled-down', false);
    }
  }

  if ((ci.status === 'Created' || ci.status === 'Inactive') && active.length >= ci.min) decision.status = 'Active';
  else if (ci.status === 'Active' && active.length < ci.min) decision.status = 'Inactive';
  return decision;
}

function countByPartition(members: readonly MemberFacts[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.partitionId, (counts.get(m.partitionId) ?? 0) + 1);
  return counts;
}
