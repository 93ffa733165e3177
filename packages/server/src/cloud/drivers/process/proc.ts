/**
 * What the process driver asks Linux about its processes, from `/proc`: a process's start time
 * (its identity beside its pid: a pid is reused, a pid with its start time is not) and the boot it
 * belongs to, whether it still runs, and signals to a process group that check first that the
 * group is still the member's.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** A process as the driver records it: its pid (= its process group id) and when it started. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of `/proc/<pid>/stat`: clock ticks since boot when the process started. */
  startTime: string;
  /** `/proc/sys/kernel/random/boot_id` of the boot it started in. */
  bootId: string;
}

/** The boot id of the running kernel (a process recorded under another boot is gone). */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The state letter and start time of a process, or undefined when there is no such process. */
export function procStat(pid: number): { state: string; startTime: string; pgrp: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ..." where comm may hold spaces and parentheses: split after the last ')'
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3]
  return { state: fields[0], pgrp: Number(fields[2]), startTime: fields[19] };
}

/** The identity of a process that runs now (read right after it was started). */
export function identify(pid: number): ProcessIdentity | undefined {
  const stat = procStat(pid);
  return stat ? { pid, startTime: stat.startTime, bootId: bootId() } : undefined;
}

/** Whether the recorded process still runs: same boot, same pid and start time, not a zombie. */
export function isAlive(id: ProcessIdentity): boolean {
  if (id.bootId !== bootId()) return false;
  const stat = procStat(id.pid);
  return stat !== undefined && stat.startTime === id.startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Whether a signal to the recorded process's group reaches only the member's processes. The group
 * id is the leader's pid, and Linux hands out no pid that is still a process group id: while any
 * process of the group lives, the pid cannot belong to anyone else. So the group is the member's
 * unless the pid now belongs to another process (another start time: the member's group died out
 * and the pid was reused) or the machine rebooted.
 */
export function groupIsOurs(id: ProcessIdentity): boolean {
  if (id.bootId !== bootId()) return false;
  const stat = procStat(id.pid);
  return stat === undefined || stat.startTime === id.startTime;
}

/** A running process (no zombie) as a snapshot of /proc shows it. */
interface ProcEntry {
  pid: number;
  pgrp: number;
  /** the value of the snapshot's environment variable, when the process has it (and is readable) */
  marked?: string;
}

/** How long a snapshot of /proc is used again: the terminations that run at once share one scan. */
const SNAPSHOT_MS = 15;
const snapshots = new Map<string, { at: number; entries: ProcEntry[] }>();

/**
 * Every running process (zombies left out: an orphan's zombie stays until its new parent reaps
 * it, and some init processes never do), with the value of `variable` in its environment.
 */
function snapshot(variable: string): ProcEntry[] {
  const now = Date.now();
  const cached = snapshots.get(variable);
  if (cached && now - cached.at < SNAPSHOT_MS) return cached.entries;
  const entries: ProcEntry[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    /* no /proc: nothing runs that we can see */
  }
  const needle = Buffer.from(`\0${variable}=`);
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = procStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    let marked: string | undefined;
    try {
      // a leading NUL so that the first variable matches like the others
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${name}/environ`)]);
      const at = environ.indexOf(needle);
      if (at >= 0) {
        const from = at + needle.length;
        const end = environ.indexOf(0, from);
        marked = environ.subarray(from, end < 0 ? environ.length : end).toString('utf8');
      }
    } catch {
      /* another user's process, or gone */
    }
    entries.push({ pid, pgrp: stat.pgrp, marked });
  }
  snapshots.set(variable, { at: now, entries });
  return entries;
}

/** The pids of the group's running processes (zombies left out). */
export function groupMembers(pgid: number): number[] {
  return snapshot(MARKER_VARIABLE)
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/** Whether the member's process group still has a running process. */
export function groupAlive(id: ProcessIdentity): boolean {
  return groupIsOurs(id) && groupMembers(id.pid).length > 0;
}

/** The environment variable that marks every process of a member (its instance id). */
export const MARKER_VARIABLE = 'STRATO_MEMBER_INSTANCE';

/**
 * The running processes (zombies left out) whose environment holds `marker` (`NAME=value`): every
 * process a member's agent started, at any depth, also in process groups and sessions of their
 * own (strato's agent runs each extension script in a group of its own; a server a script starts
 * in the background outlives the script) and after their parent died, unless one cleared its
 * environment. Processes of other users are not readable and not counted.
 */
export function markedProcesses(marker: string): number[] {
  const at = marker.indexOf('=');
  const variable = marker.slice(0, at);
  const value = marker.slice(at + 1);
  return snapshot(variable)
    .filter((p) => p.marked === value)
    .map((p) => p.pid);
}

/** Sends a signal to processes (those gone already are skipped). */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone already */
    }
  }
}

/** Sends a signal to the member's process group (nothing when the group is gone or no longer the member's). */
export function signalGroup(id: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!groupIsOurs(id)) return false;
  try {
    process.kill(-id.pid, signal);
    return true;
  } catch {
    return false;
  }
}
