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

/**
 * The pids of the group's processes that still run (zombies left out: an orphan's zombie stays
 * until its new parent reaps it, and some init processes never do).
 */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') out.push(Number(name));
  }
  return out;
}

/** Whether the member's process group still has a running process. */
export function groupAlive(id: ProcessIdentity): boolean {
  return groupIsOurs(id) && groupMembers(id.pid).length > 0;
}

/**
 * The running processes (zombies left out) whose environment holds `marker` (`NAME=value`): every
 * process a member's agent started, at any depth, also in process groups and sessions of their
 * own (strato's agent runs each extension script in a group of its own; a server a script starts
 * in the background outlives the script) and after their parent died, unless one cleared its
 * environment. Processes of other users are not readable and not counted.
 */
export function markedProcesses(marker: string): number[] {
  const needle = Buffer.from(`${marker}\0`);
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue;
    }
    const at = environ.indexOf(needle);
    if (at < 0 || (at > 0 && environ[at - 1] !== 0)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') out.push(Number(name));
  }
  return out;
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
