/**
 * The three member expiries of orchestration.md §3.12, as pure decisions: time is passed in (ms).
 *
 * - A **pending** member (Created, Initialized, Starting) older than its partition's pending expiry
 *   timeout, counted from its initTime, is made obsolete. Each partition of a cluster instance
 *   counts its consecutive pending expiries; once that count exceeds
 *   {@link PENDING_EXPIRY_DOUBLING_THRESHOLD} (5), every further expiry doubles the partition's
 *   timeout, so an image that boots slower than the timeout is eventually given the time it needs
 *   instead of being replaced for ever. A member of the partition that activates resets both.
 * - A **termination-pending** member (asked to clean up) older than the pending termination expiry,
 *   counted from when it was asked, is made obsolete (then terminated without grace).
 * - An **obsolete** member whose instance termination was never confirmed is forgotten once older
 *   than the obsolete expiry, counted from when it became obsolete (else its initTime).
 * "Older than" is strict: a member exactly as old as the timeout has not expired yet.
 */

/** Consecutive pending expiries in one partition after which each further one doubles its timeout. */
export const PENDING_EXPIRY_DOUBLING_THRESHOLD = 5;

/** What a partition of a cluster instance remembers of its pending expiries. */
export interface PendingExpiryRecord {
  /** pending members of the partition that expired since a member of it last activated */
  consecutive: number;
  /** the partition's pending expiry timeout now in force, ms */
  timeoutMs: number;
}

/** The pending expiry timeout in force for a partition: the base until it has doubled. */
export function pendingExpiryTimeout(baseMs: number, record?: PendingExpiryRecord): number {
  return record?.timeoutMs ?? baseMs;
}

/** Whether a pending member created at `initTime` has expired at `now`. */
export function pendingMemberExpired(initTime: number, now: number, baseMs: number, record?: PendingExpiryRecord): boolean {
  return now - initTime > pendingExpiryTimeout(baseMs, record);
}

/** The partition's record after one more pending member expired. */
export function afterPendingExpiry(baseMs: number, record?: PendingExpiryRecord): PendingExpiryRecord {
  const consecutive = (record?.consecutive ?? 0) + 1;
  const timeoutMs = pendingExpiryTimeout(baseMs, record);
  return { consecutive, timeoutMs: consecutive > PENDING_EXPIRY_DOUBLING_THRESHOLD ? timeoutMs * 2 : timeoutMs };
}

/** Whether a member asked to clean up at `askedAt` has expired at `now`. */
export function terminationPendingExpired(askedAt: number, now: number, timeoutMs: number): boolean {
  return now - askedAt > timeoutMs;
}

/** Whether an obsolete member (obsolete since `obsoleteAt`, else created at `initTime`) is to be forgotten at `now`. */
export function obsoleteMemberExpired(obsoleteAt: number | undefined, initTime: number, now: number, timeoutMs: number): boolean {
  return now - (obsoleteAt ?? initTime) > timeoutMs;
}
