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
}

/**
 * The live processes (zombies excluded) whose process group or session is `id`.
 * The supervised process leads both, so this is everything it started that has
 * not deliberately escaped with setsid. Zombies are excluded because they are
 * already dead: in containers whose PID 1 never reaps, they stay in the table.
 *
 * Reads /proc (Linux). Without /proc it falls back to `kill(-id, 0)`, which cannot
 * tell zombies apart and only says whether the group exists.
 */
export async function groupMembers(id: number): Promise<GroupMember[]> {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return groupExists(id) ? [{ pid: -id, pgid: id }] : [];
  }
  const members: GroupMember[] = [];
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
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and
    // parentheses, so fields are counted from the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const pgid = Number(fields[2]);
    const session = Number(fields[3]);
    if (state !== "Z" && state !== "X" && (pgid === id || session === id)) {
      members.push({ pid: Number(entry), pgid });
    }
  }
  return members.sort((a, b) => a.pid - b.pid);
}

function groupExists(id: number): boolean {
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
 * Sends `signal` to each of `members` that has moved to another group of the
 * session (shell job control, `set -m`), which the group kill misses. Members of
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
