import { isRetryableStatus, type ApiClient, type Job, type Ping, type RegisterResponse } from "@agent/api-client";
import { sleepUnlessAborted } from "./clock.js";
import { AgentWorkerError } from "./errors.js";
import type { IdleMonitor } from "./idle-monitor.js";
import { JobRun, type JobOutcome } from "./job-runner.js";
import type { Logger } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import type { PoolEmitter } from "./pool-events.js";

/** A worker's state, as the health check reports it. */
export type WorkerStatus = "starting" | "idle" | "busy" | "paused" | "stopped";

/** What a worker needs from its pool. */
export interface WorkerContext {
  readonly spawnIndex: number;
  readonly registration: RegisterResponse;
  /** Client with the agent access token (from the registration). */
  readonly client: ApiClient;
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  readonly events: PoolEmitter;
  readonly idleMonitor: IdleMonitor | undefined;
}

/** A status that makes a call pointless to repeat: any 4xx except 429 (agent-api.md §10). */
function isUnrecoverable(error: unknown): boolean {
  const e = error as { code?: string; status?: number };
  return e.code === "API_HTTP_STATUS" && e.status !== undefined && !isRetryableStatus(e.status);
}

/**
 * One registered agent (`--spawn` makes several in one process): connect,
 * heartbeats, acquire-job, the ping loop with its actions, running jobs one at a
 * time, disconnect (lifecycle.md §2–§3, §6).
 */
export class AgentWorker {
  readonly spawnIndex: number;
  readonly agentId: string;
  status: WorkerStatus = "starting";
  currentJobId: string | undefined;
  /** Set while the last heartbeat failed (health check `/agent/<n>`). */
  lastHeartbeatError: string | undefined;
  /** The exit status the last job finished with (acquire-job's `reflectExitStatus`). */
  lastJobExitStatus: number | undefined;
  readonly #ctx: WorkerContext;
  #client: ApiClient;
  /** Aborted on any stop: ends waits and an in-flight ping. */
  readonly #stop = new AbortController();
  readonly #heartbeatStop = new AbortController();
  #job: JobRun | undefined;
  #ungraceful = false;
  #fatal: AgentWorkerError | undefined;

  constructor(ctx: WorkerContext) {
    this.#ctx = ctx;
    this.spawnIndex = ctx.spawnIndex;
    this.agentId = ctx.registration.id;
    this.#client = ctx.client;
  }

  /**
   * Stops the worker. `graceful`: no new work, a running job finishes.
   * `forceful`: the running job is cancelled (`agent_stop`) too.
   */
  stop(mode: "graceful" | "forceful"): void {
    if (mode === "forceful") {
      this.#ungraceful = true;
      this.#job?.cancel("agent_stop");
    }
    this.#stop.abort();
  }

  /**
   * Runs until stopped or disconnected; rejects with an `AgentWorkerError` on an
   * unrecoverable failure (`AGENT_JOB_REJECTED` when acquire-job's job is refused).
   */
  async run(): Promise<void> {
    const { logger, events, options } = this.#ctx;
    try {
      await this.#client.connect({ signal: this.#stop.signal });
    } catch (error) {
      this.status = "stopped";
      this.#ctx.idleMonitor?.markDead(this.spawnIndex);
      if (this.#stop.signal.aborted) return;
      throw new AgentWorkerError("AGENT_CONNECT_FAILED", `agent ${this.spawnIndex} could not connect: ${(error as Error).message}`, {
        cause: error,
      });
    }
    logger.info(`Connected (agent ${this.spawnIndex})`, { agent: this.agentId });
    events.emit("connected", { spawnIndex: this.spawnIndex, agentId: this.agentId });
    this.status = "idle";
    const heartbeats = this.#heartbeatLoop();
    let failure: unknown;
    try {
      if (options.acquireJob !== "") await this.#acquireAndRun(options.acquireJob);
      // Even after acquire-job's job: one ping learns whether the agent is paused,
      // and a paused agent waits for its resume before it exits (lifecycle.md §2).
      await this.#pingLoop();
    } catch (error) {
      failure = error;
    } finally {
      this.status = "stopped";
      this.#ctx.idleMonitor?.markDead(this.spawnIndex);
      this.#heartbeatStop.abort();
      await heartbeats;
      try {
        await this.#client.disconnect();
        logger.info(`Disconnected (agent ${this.spawnIndex})`, { agent: this.agentId });
      } catch (error) {
        logger.warn(
          `There was an error sending the disconnect API call to Buildkite. If this agent still appears online, you may have to manually stop it (${(error as Error).message})`,
        );
      }
      events.emit("disconnected", { spawnIndex: this.spawnIndex, agentId: this.agentId });
    }
    if (failure !== undefined) throw failure;
    if (this.#fatal !== undefined) throw this.#fatal;
  }

  async #heartbeatLoop(): Promise<void> {
    const { options, logger, events, registration } = this.#ctx;
    const { clock } = options;
    const signal = this.#heartbeatStop.signal;
    const interval = registration.heartbeatInterval * 1000;
    // A ticker, as the agent's: beats at start + k × interval whatever a heartbeat
    // (with its retries) takes; ticks missed meanwhile collapse into one at once.
    let nextTick = clock.monotonic() + interval;
    // First heartbeat one interval after start, no jitter (lifecycle.md §2).
    while (await sleepUnlessAborted(clock, Math.max(0, nextTick - clock.monotonic()), signal)) {
      const beatAt = clock.monotonic();
      while (nextTick <= beatAt) nextTick += interval;
      try {
        await this.#client.heartbeat({ signal });
        this.lastHeartbeatError = undefined;
        events.emit("heartbeat", { spawnIndex: this.spawnIndex });
      } catch (error) {
        if (signal.aborted) return;
        this.lastHeartbeatError = (error as Error).message;
        if (isUnrecoverable(error)) {
          this.#fatal = new AgentWorkerError(
            "AGENT_HEARTBEAT_FAILED",
            `agent ${this.spawnIndex} stopped: Buildkite rejected its heartbeat: ${(error as Error).message}`,
            { cause: error },
          );
          // Not logged: run() rejects with it, and the pool's `done` carries it to the caller.
          this.stop("forceful");
          return;
        }
        logger.error(`heartbeat failed: ${(error as Error).message}`, { agent: this.agentId });
      }
    }
  }

  /**
   * Acquire-job mode (lifecycle.md §6, agent-api.md §3): acquire the job, run it.
   * A 422 throws `AGENT_JOB_REJECTED`, a 423 after the retries `AGENT_JOB_LOCKED`;
   * any other acquire failure is only logged, as
   * the agent does (the ping loop then ends the worker normally).
   */
  async #acquireAndRun(jobId: string): Promise<void> {
    const { logger } = this.#ctx;
    logger.info(`Acquiring job ${jobId}`, { agent: this.agentId, job: jobId });
    let acquired: { readonly job: Job } | { readonly error: unknown };
    try {
      acquired = { job: await this.#client.acquireJob(jobId, { signal: this.#stop.signal }) };
    } catch (error) {
      if (this.#stop.signal.aborted) return;
      const e = error as { code?: string; status?: number; message: string };
      if (e.code === "API_HTTP_STATUS" && e.status === 422) {
        throw new AgentWorkerError("AGENT_JOB_REJECTED", `could not acquire job ${jobId}: Buildkite rejected it: ${e.message}`, { cause: error });
      }
      // The Go agent declares exit 28 for this but swallows the error (exit 0), so
      // a supervisor cannot tell "still waiting on its dependencies" from success.
      if (e.code === "API_HTTP_STATUS" && e.status === 423) {
        throw new AgentWorkerError("AGENT_JOB_LOCKED", `could not acquire job ${jobId}: it is still locked after the retries: ${e.message}`, { cause: error });
      }
      // An answer the agent cannot use goes to JobRun, which fails the job as it does an unusable accept answer.
      if (e.code !== "API_BAD_RESPONSE") {
        logger.error(`Failed to acquire and run job ${jobId}: ${e.message}`, { agent: this.agentId, job: jobId });
        return;
      }
      acquired = { error };
    }
    // The job is already ours (acquired, not accepted): the run takes the acquire answer.
    await this.#runJob(jobId, async () => {
      if ("error" in acquired) throw acquired.error;
      return acquired.job;
    });
  }

  /**
   * Runs one job to its finish: the worker is busy meanwhile, idle after.
   * `takeJob` gets the job's payload; by default it is accepted.
   */
  async #runJob(jobId: string, takeJob?: () => Promise<Job>): Promise<JobOutcome> {
    const { options, logger, events, registration, idleMonitor } = this.#ctx;
    idleMonitor?.markBusy(this.spawnIndex);
    this.status = "busy";
    this.currentJobId = jobId;
    const client = this.#client;
    const run = new JobRun(jobId, {
      client,
      takeJob: takeJob ?? (() => client.acceptJob(jobId)),
      accessToken: registration.accessToken,
      options,
      logger,
      jobStatusInterval: registration.jobStatusInterval,
      onAccepted: (id) => events.emit("job-accepted", { spawnIndex: this.spawnIndex, jobId: id }),
      onStarted: (id) => events.emit("job-started", { spawnIndex: this.spawnIndex, jobId: id }),
      onFinished: (id, exit, chunksFailedCount) => {
        this.lastJobExitStatus = exit.exitStatus;
        events.emit("job-finished", { spawnIndex: this.spawnIndex, jobId: id, ...exit, chunksFailedCount });
      },
    });
    this.#job = run;
    if (this.#ungraceful) run.cancel("agent_stop");
    try {
      return await run.run();
    } finally {
      this.#job = undefined;
      this.currentJobId = undefined;
      this.status = "idle";
      idleMonitor?.markIdle(this.spawnIndex);
    }
  }

  /**
   * Sleeps until clock time `until`, or until `cutAt()` (a limit that ends the
   * wait) if sooner; `false` when stopped.
   */
  async #sleepUntil(until: number, cutAt: () => number): Promise<boolean> {
    const { clock } = this.#ctx.options;
    for (;;) {
      const now = clock.monotonic();
      if (!(await sleepUnlessAborted(clock, Math.max(0, Math.min(until, cutAt()) - now), this.#stop.signal))) return false;
      // Sleeps on when woken short of both: a timer can fire a fraction of a
      // millisecond early by the monotonic clock (the limit would then be missed
      // for a whole ping interval), and the idle limit moves later when another
      // worker takes a job meanwhile.
      const woke = clock.monotonic();
      if (woke >= until || woke >= cutAt()) return true;
    }
  }

  async #pingLoop(): Promise<void> {
    const { options, logger, events, registration, idleMonitor } = this.#ctx;
    const { clock } = options;
    const signal = this.#stop.signal;
    const interval = registration.pingInterval * 1000;
    const startedAt = clock.monotonic();
    const uptimeLimitAt = options.disconnectAfterUptime > 0 ? startedAt + options.disconnectAfterUptime * 1000 : Number.POSITIVE_INFINITY;
    let nextTick = startedAt + interval;
    let skipTick = true;
    let paused = false;
    let jobDone = false;
    let awaitingResume = false;
    // The uptime limit and the idle timeout end a wait at once (the agent's timers),
    // except while paused: a paused agent waits for its resume.
    const cutAt = (): number => (paused ? Number.POSITIVE_INFINITY : Math.min(uptimeLimitAt, idleMonitor?.exitAt() ?? Number.POSITIVE_INFINITY));
    while (!signal.aborted) {
      if (!skipTick) {
        // A ticker: ticks every interval whatever happened in between.
        if (!(await this.#sleepUntil(nextTick, cutAt))) return;
        while (nextTick <= clock.monotonic()) nextTick += interval;
      }
      skipTick = false;
      if (!(await this.#sleepUntil(clock.monotonic() + clock.random() * interval, cutAt))) return;

      // Decided before pinging, as the agent's action loop decides while it waits for
      // the next action: once a ping has handed out a job, the job is run.
      if (clock.monotonic() >= uptimeLimitAt) {
        if (!paused) {
          logger.info(`Agent has exceeded max uptime of ${options.disconnectAfterUptime}s. Disconnecting...`, { agent: this.agentId });
          return;
        }
        if (!awaitingResume) logger.info("Agent has exceeded max uptime; awaiting resume before disconnecting...", { agent: this.agentId });
        awaitingResume = true;
      }
      if (!paused && idleMonitor?.shouldExit()) {
        logger.info(`All agents have been idle for at least ${options.disconnectAfterIdleTimeout}s. Disconnecting...`, { agent: this.agentId });
        return;
      }

      let ping: Ping | undefined;
      try {
        ping = await this.#client.ping({ signal });
      } catch (error) {
        if (signal.aborted) return;
        if (isUnrecoverable(error)) {
          throw new AgentWorkerError("AGENT_PING_FAILED", `agent ${this.spawnIndex} stopped: Buildkite rejected its ping: ${(error as Error).message}`, {
            cause: error,
          });
        }
        // Unusable answers are retried too (as agent v4): one bad proxy reply must not end the agent.
        logger.warn(`ping failed, handled as an idle answer: ${(error as Error).message}`, { agent: this.agentId });
      }
      if (ping !== undefined) {
        if (ping.message) logger.info(ping.message, { agent: this.agentId });
        ping = await this.#maybeSwitchEndpoint(ping);
      }
      const jobId = ping?.job?.id;
      // A stop requested while the new endpoint was being tried: no new work.
      if (signal.aborted) {
        if (jobId !== undefined) logger.info(`Not running job ${jobId}: the agent is stopping`, { agent: this.agentId, job: jobId });
        return;
      }
      // A failed ping goes on as an idle answer (Go's pingLoopInner passes on its empty
      // action): a worker whose job is done still exits, and idle time still accrues.
      const action = ping?.action ?? "idle";
      if (ping !== undefined) events.emit("ping-action", { spawnIndex: this.spawnIndex, action, ...(jobId ? { jobId } : {}) });

      if (action === "disconnect") return;
      if (action === "pause") {
        if (!paused) logger.info("Agent has been paused", { agent: this.agentId });
        paused = true;
        this.status = "paused";
        idleMonitor?.markBusy(this.spawnIndex);
        continue;
      }
      // Past its uptime while paused, the agent only waited to be resumed: it leaves
      // now, before the resume is logged and whatever job came with it (as Go does).
      if (awaitingResume) {
        if (jobId !== undefined) {
          logger.info(`Not running job ${jobId}: the agent exceeded its max uptime and is disconnecting`, { agent: this.agentId, job: jobId });
        }
        return;
      }
      if (paused) {
        logger.info("Agent has resumed", { agent: this.agentId });
        paused = false;
        this.status = "idle";
      }
      // These modes registered (acquire-job) or finished (disconnect-after-job) with
      // "no more jobs for me": a job dispatched anyway is left to Buildkite, loudly.
      const doneMode = options.acquireJob !== "" ? "acquire-job" : options.disconnectAfterJob && jobDone ? "disconnect-after-job" : undefined;
      if (doneMode !== undefined) {
        if (jobId !== undefined) {
          logger.error(`Agent ping dispatched a job (id ${jobId}) but the agent is in ${doneMode} mode and has had its job; ignoring the new job`, {
            agent: this.agentId,
            job: jobId,
          });
        }
        if (doneMode === "disconnect-after-job") logger.info("Job ran, and disconnect-after-job is enabled. Disconnecting...", { agent: this.agentId });
        return;
      }
      if (jobId === undefined) {
        idleMonitor?.markIdle(this.spawnIndex);
        continue;
      }

      const outcome = await this.#runJob(jobId);
      if (outcome.started) {
        jobDone = true;
        // Ask for the next job at once (after jitter) rather than at the next tick.
        skipTick = true;
        nextTick = clock.monotonic() + interval;
      }
    }
  }

  /** A ping naming another endpoint: ping it once; on success switch for good and take its job. */
  async #maybeSwitchEndpoint(ping: Ping): Promise<Ping> {
    const { logger } = this.#ctx;
    if (!ping.endpoint || ping.endpoint === this.#client.endpoint) return ping;
    const candidate = this.#client.withEndpoint(ping.endpoint);
    try {
      const next = await candidate.ping({ signal: this.#stop.signal });
      logger.info(`Endpoint changed to ${ping.endpoint}`, { agent: this.agentId });
      this.#client = candidate;
      return { ...ping, job: next.job };
    } catch (error) {
      // Stopped meanwhile: the caller sees the stop and runs nothing.
      if (!this.#stop.signal.aborted) {
        logger.warn(`Staying on the current endpoint: the new one failed a ping: ${(error as Error).message}`, { agent: this.agentId });
      }
      return ping;
    }
  }
}
