import { readdirSync, readFileSync } from "node:fs";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

// /proc reads are memory-only and take ~20 µs each; done synchronously in
// batches they cost a few ms for a whole process table, where the same reads
// through the thread pool took 5-12 ms and made cancel() four times slower.
// Yielding between batches keeps a host with thousands of processes from
// blocking the event loop for long.
const BATCH = 64;

/** A live process that belongs to the supervised process's group or session. */
export interface GroupMember {
  readonly pid: number;
  readonly pgid: number;
  /**
   * Its start time (/proc/<pid>/stat field 22, clock ticks since boot): with the
   * pid, it names this process and not a later one that reuses the pid. Empty
   * when /proc cannot be read.
   */
  readonly startTime: string;
}

/** One live process as /proc/<pid>/stat describes it. */
export interface ProcessEntry {
  readonly ppid: number;
  readonly pgid: number;
  readonly session: number;
  readonly startTime: string;
}

/**
 * The live processes (zombies excluded) whose process group or session is `id`,
 * and every live descendant of those, wherever it lives. The supervised process
 * leads its group and session, so this is everything it started, including
 * children it put in sessions of their own (an executor running each command in
 * its own session): while it is alive, they are still its descendants. Zombies
 * are excluded because they are already dead: in containers whose PID 1 never
 * reaps, they stay in the table.
 *
 * `known` maps pids found earlier (before a signal) to their start times: such a
 * process is still counted, with its descendants, after the leader died and it
 * was handed to PID 1 — but only while the pid's start time matches, so a
 * process that later reuses the pid is never taken for it.
 *
 * Reads /proc (Linux). Without /proc it falls back to `kill(-id, 0)`, which cannot
 * tell zombies apart and only says whether the group exists.
 */
export async function groupMembers(id: number, known: ReadonlyMap<number, string> = new Map()): Promise<GroupMember[]> {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return groupExists(id) ? [{ pid: -id, pgid: id, startTime: "" }] : [];
  }
  const live = new Map<number, ProcessEntry>();
  for (let index = 0; index < entries.length; index++) {
    if (index > 0 && index % BATCH === 0) await yieldToEventLoop();
    const entry = entries[index]!;
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // exited while we looked
    }
    // The command name (field 2) may hold spaces and ')': fields are counted
    // from after its last ')', so fields[0] is field 3 (state) and field 22 is fields[19].
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (state === "Z" || state === "X") continue;
    live.set(Number(entry), {
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      session: Number(fields[3]),
      startTime: fields[19] ?? "",
    });
  }
  return familyIn(id, live, known);
}

/**
 * The members of group or session `id` in the process table `live`, with their
 * descendants: see {@link groupMembers}. A `known` pid counts only when its start
 * time is the one remembered (pids wrap at pid_max, 32768 by default).
 */
export function familyIn(id: number, live: ReadonlyMap<number, ProcessEntry>, known: ReadonlyMap<number, string>): GroupMember[] {
  const members = new Set<number>();
  for (const [pid, proc] of live) {
    if (proc.pgid === id || proc.session === id || known.get(pid) === proc.startTime) members.add(pid);
  }
  // Descendants: repeat until no process whose parent is a member is left out.
  for (let grew = members.size > 0; grew; ) {
    grew = false;
    for (const [pid, proc] of live) {
      if (!members.has(pid) && members.has(proc.ppid)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  return [...members].sort((a, b) => a - b).map((pid) => {
    const { pgid, startTime } = live.get(pid)!;
    return { pid, pgid, startTime };
  });
}

/** Whether process group `id` still has a process (zombies included). */
export function groupExists(id: number): boolean {
  try {
    process.kill(-id, 0);
    return true;
  } catch (error) {
    // EPERM: a member exists that we may not signal; it still counts as alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Sends `signal` to process group `id` (`kill(-id)`, as the agent does). Returns
 * the error other than "no such process", so the caller can fall back to SIGKILL
 * as the agent does.
 */
export function signalGroup(id: number, signal: NodeJS.Signals): Error | undefined {
  try {
    process.kill(-id, signal);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? undefined : (error as Error);
  }
}

/**
 * Sends `signal` to each of `members` outside group `id`: those that moved to
 * another group of the session (shell job control, `set -m`) and descendants in
 * sessions of their own, which the group kill misses. Members of
 * group `id` itself are skipped so they never get the signal twice.
 */
export function signalStragglers(id: number, signal: NodeJS.Signals, members: readonly GroupMember[]): void {
  for (const member of members) {
    if (member.pgid === id || member.pid <= 0) continue;
    try {
      process.kill(member.pid, signal);
    } catch {
      // Already gone: nothing left to signal.
    }
  }
}
