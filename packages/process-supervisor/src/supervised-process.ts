import type { Readable } from "node:stream";
import type { Child, RawExit } from "./child.js";
import { toExitStatus, type ExitStatus } from "./exit-status.js";
import type { CancelReason, ResolvedOptions } from "./options.js";
import { ProcessOutput } from "./output-stream.js";
import { groupExists, groupMembers, signalGroup, signalStragglers, type GroupMember } from "./process-group.js";

/** A running process started by {@link startProcess}. */
export interface SupervisedProcess {
  /** Its pid, which is also its process group id and session id. */
  readonly pid: number;
  /**
   * Everything it writes to stdout and stderr, merged in arrival order, as
   * Buffers (never decoded). Read it (or destroy it): while nobody reads, the
   * process blocks on its next write once the buffers are full. It ends after the
   * process and everything holding its terminal or pipe have exited.
   */
  readonly output: Readable;
  /**
   * Settles, never rejects, once the process has exited and been reaped and its
   * group has been dealt with (see `killGroupOnExit`; a cancellation in progress is
   * awaited). It does not wait for `output` to be read: await both.
   */
  readonly exited: Promise<ExitStatus>;
  /**
   * Cancels as the agent does: the cancel signal to the whole process group (and
   * any session member outside it, and descendants in sessions of their own); SIGKILL to them after the signal grace period
   * if any is still running; resolves once all are gone, or after the cancel grace
   * period at the latest. Idempotent: later calls return the same promise, but
   * `"agent_stop"` still replaces `"cancel"` as the reported reason. After the
   * process and its group are gone it does nothing. Never rejects.
   */
  cancel(reason?: CancelReason): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when `promise` settles within `ms`, false otherwise; leaves no timer behind. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Polling the process table after the leader is gone: start fast, because most
// groups vanish within milliseconds of the signal, and cap at 50 ms so the
// cost stays small while something takes its time.
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 50;

/** The {@link SupervisedProcess} implementation: owns the child, its group and its output. */
export class Supervision implements SupervisedProcess {
  readonly pid: number;
  readonly output: ProcessOutput;
  readonly exited: Promise<ExitStatus>;
  readonly #options: ResolvedOptions;
  readonly #leaderExit: Promise<RawExit>;
  #leaderExited = false;
  #groupGone = false;
  #reason: CancelReason | undefined;
  /**
   * Every process ever found in the family, pid to start time, so one orphaned by
   * its parent's death stays in reach; the start time keeps a later process that
   * reuses the pid out of it.
   */
  readonly #family = new Map<number, string>();
  #termination: Promise<void> | undefined;
  readonly #onAbort = (): void => {
    void this.cancel(this.#options.signal?.reason === "agent_stop" ? "agent_stop" : "cancel");
  };

  constructor(child: Child, options: ResolvedOptions) {
    this.pid = child.pid;
    this.#options = options;
    this.output = new ProcessOutput(child.source, {
      highWaterMark: options.outputHighWaterMark,
      isEndOfOutput: child.isEndOfOutput,
      readRemaining: child.readRemaining?.bind(child),
      logger: options.logger,
    });
    this.#leaderExit = child.exit.then((raw) => {
      this.#leaderExited = true;
      return raw;
    });
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.exited = this.#supervise();
    // Aborted between the caller's check and now: the listener would never fire.
    if (options.signal?.aborted === true) this.#onAbort();
  }

  cancel(reason: CancelReason = "cancel"): Promise<void> {
    // The reason describes why the process ended, so it only sticks while it runs.
    if (!this.#leaderExited && (this.#reason === undefined || reason === "agent_stop")) this.#reason = reason;
    if (this.#groupGone) return Promise.resolve();
    this.#termination ??= this.#terminate().catch((error: unknown) => {
      this.#options.logger.error("cancelling the process failed", { pid: this.pid, error: String(error) });
    });
    return this.#termination;
  }

  async #supervise(): Promise<ExitStatus> {
    const { logger, killGroupOnExit } = this.#options;
    try {
      const raw = await this.#leaderExit;
      let strays = 0;
      if (this.#termination === undefined) {
        // Nobody acts on strays the caller leaves running: skip the /proc scan
        // unless the group itself is still there.
        const members = killGroupOnExit || groupExists(this.pid) ? await this.#members() : [];
        strays = members.length;
        if (strays > 0 && killGroupOnExit && this.#termination === undefined) {
          logger.warn("processes still running in the process group after it exited; terminating them", {
            pid: this.pid,
            count: strays,
          });
          this.#termination = this.#terminate();
        } else if (strays > 0) {
          logger.warn("processes still running in the process group after it exited; leaving them", {
            pid: this.pid,
            count: strays,
          });
        } else {
          this.#groupGone = true;
        }
      }
      await this.#termination;
      this.output.startDrainDeadline(this.#options.outputDrainTimeoutMs);
      const status = toExitStatus(raw, this.#reason, strays);
      logger.info("process exited", { pid: this.pid, ...status });
      return status;
    } finally {
      this.#options.signal?.removeEventListener("abort", this.#onAbort);
    }
  }

  async #terminate(): Promise<void> {
    const { interruptSignal, signalGracePeriodMs, cancelGracePeriodMs, logger } = this.#options;
    const startedAt = performance.now();
    // Taken before any signal: a descendant in a session of its own is found
    // through its parent, which may die of the signal and orphan it.
    const family = await this.#members();
    if (this.#leaderExited && family.length === 0) {
      // Nothing left: and the pid may already belong to someone else's group.
      this.#groupGone = true;
      return;
    }
    logger.info("sending the cancel signal to the process group", { pid: this.pid, signal: interruptSignal });
    const signalledAt = performance.now();
    const failure = signalGroup(this.pid, interruptSignal);
    signalStragglers(this.pid, interruptSignal, family);
    if (failure !== undefined) {
      // As the agent: if the cancel signal cannot be sent, go straight to SIGKILL.
      logger.error("sending the cancel signal failed; sending SIGKILL", { pid: this.pid, error: failure.message });
      this.#kill(await this.#members());
    } else if (!(await this.#groupGoneWithin(signalGracePeriodMs - (performance.now() - signalledAt)))) {
      const members = await this.#members();
      logger.warn("processes still running after the signal grace period; sending SIGKILL", {
        pid: this.pid,
        count: members.length,
        signalGracePeriodMs,
      });
      this.#kill(members);
    }
    const left = cancelGracePeriodMs - (performance.now() - startedAt);
    if (await this.#groupGoneWithin(left)) return;
    logger.error("processes survived SIGKILL until the end of the cancel grace period", {
      pid: this.pid,
      pids: (await this.#members()).map((member) => member.pid),
    });
  }

  /** The group, the session, their descendants, and every process found that way before. */
  async #members(): Promise<GroupMember[]> {
    const members = await groupMembers(this.pid, this.#family);
    // pid <= 0 is the no-/proc fallback standing for the whole group, not a process.
    for (const member of members) if (member.pid > 0) this.#family.set(member.pid, member.startTime);
    return members;
  }

  #kill(members: Parameters<typeof signalStragglers>[2]): void {
    const failure = signalGroup(this.pid, "SIGKILL");
    if (failure !== undefined) this.#options.logger.error("sending SIGKILL failed", { pid: this.pid, error: failure.message });
    signalStragglers(this.pid, "SIGKILL", members);
  }

  /** Waits until the leader has exited and no live process is left in its group or session. */
  async #groupGoneWithin(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    if (!this.#leaderExited && !(await settlesWithin(this.#leaderExit, Math.max(0, ms)))) return false;
    for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
      if ((await this.#members()).length === 0) {
        this.#groupGone = true;
        return true;
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await sleep(Math.min(delay, left));
    }
  }
}
