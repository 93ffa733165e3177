/**
 * Partition algorithms of a network partition (`partitionAlgo` of a deployment policy;
 * orchestration.md §4.4), deciding where a member (or a group instance) is added or removed.
 *
 * Decision (spec/README.md): strato does not reproduce Stratos's defects here.
 * - Partitions are considered in the **deployment policy's order** (Stratos used Java HashMap order).
 * - A full or obsolete partition passes to the next one; `undefined` only when every partition is
 *   full (Stratos's round-robin tried only one partition and could pick a full or obsolete one).
 * - `round-robin` really rotates: scale-up starts at the partition after the one used last
 *   (`lastIndex`), cyclically. Without a `lastIndex` (e.g. after a restart) it starts at the least
 *   loaded partition (ties: policy order), which is where a rotation over the current counts would
 *   continue.
 * - Scale-down: `one-after-another` removes from the last non-empty partition (reverse fill);
 *   `round-robin` from the partition with the most members (ties: the later in policy order), so
 *   the spread stays even. Obsolete partitions are drained separately and never chosen.
 */

/** The partition algorithms a deployment policy may name. */
export type PartitionAlgorithm = 'one-after-another' | 'round-robin';

/** One partition of a network partition, in deployment-policy order. */
export interface PartitionSlot {
  readonly id: string;
  /** `partitionMax` of the deployment policy: the most non-terminated members (or instances). */
  readonly max: number;
  /** A partition removed from the deployment policy, being drained. @default false */
  readonly obsolete?: boolean;
}

/** Non-terminated member (or group-instance) count per partition id; a missing id counts 0. */
export type PartitionCounts = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

function countOf(counts: PartitionCounts, id: string): number {
  const v = counts instanceof Map ? (counts as ReadonlyMap<string, number>).get(id) : (counts as Record<string, number>)[id];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Parses a `partitionAlgo` name; missing or unknown → `one-after-another` (Stratos's default). */
export function parsePartitionAlgorithm(name: string | undefined): PartitionAlgorithm {
  return name?.trim() === 'round-robin' ? 'round-robin' : 'one-after-another';
}

/**
 * The partition to add one member (or group instance) to, or `undefined` when every non-obsolete
 * partition is full (`count >= max`).
 * @param lastIndex round-robin only: index (in `partitions`) of the partition chosen last time
 */
export function nextPartitionForScaleUp(
  algorithm: PartitionAlgorithm,
  partitions: readonly PartitionSlot[],
  counts: PartitionCounts,
  lastIndex?: number,
): string | undefined {
  const n = partitions.length;
  if (n === 0) return undefined;
  const hasRoom = (p: PartitionSlot) => !p.obsolete && countOf(counts, p.id) < p.max;
  if (algorithm === 'one-after-another') return partitions.find(hasRoom)?.id;

  let start: number;
  if (lastIndex !== undefined && Number.isInteger(lastIndex) && lastIndex >= 0) {
    start = (lastIndex + 1) % n;
  } else {
    start = -1;
    partitions.forEach((p, i) => {
      if (hasRoom(p) && (start < 0 || countOf(counts, p.id) < countOf(counts, partitions[start].id))) start = i;
    });
    if (start < 0) return undefined;
  }
  for (let k = 0; k < n; k++) {
    const p = partitions[(start + k) % n];
    if (hasRoom(p)) return p.id;
  }
  return undefined;
}

/**
 * The partition to remove one member (or group instance) from, or `undefined` when every
 * non-obsolete partition is empty.
 * - one-after-another: the last non-empty partition in policy order;
 * - round-robin: the partition with the most members (ties: the later in policy order).
 */
export function nextPartitionForScaleDown(algorithm: PartitionAlgorithm, partitions: readonly PartitionSlot[], counts: PartitionCounts): string | undefined {
  let chosen: PartitionSlot | undefined;
  for (let i = partitions.length - 1; i >= 0; i--) {
    const p = partitions[i];
    const c = countOf(counts, p.id);
    if (p.obsolete || c <= 0) continue;
    if (algorithm === 'one-after-another') return p.id;
    if (chosen === undefined || c > countOf(counts, chosen.id)) chosen = p;
  }
  return chosen?.id;
}
