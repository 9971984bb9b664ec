import type { ApiClient, Ping, RegisterResponse } from "@agent/api-client";
import { sleepUnlessAborted } from "./clock.js";
import { AgentWorkerError } from "./errors.js";
import type { IdleMonitor } from "./idle-monitor.js";
import { JobRun } from "./job-runner.js";
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
  return e.code === "API_HTTP_STATUS" && e.status !== undefined && e.status !== 429 && e.status < 500;
}

/**
 * One registered agent (`--spawn` makes several in one process): connect,
 * heartbeats, the ping loop with its actions, running jobs one at a time,
 * disconnect (lifecycle.md §2–§3, §6).
 */
export class AgentWorker {
  readonly spawnIndex: number;
  readonly agentId: string;
  status: WorkerStatus = "starting";
  currentJobId: string | undefined;
  /** Set while the last heartbeat failed (health check `/agent/<n>`). */
  lastHeartbeatError: string | undefined;
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

  /** Runs until stopped or disconnected; rejects with an `AgentWorkerError` on an unrecoverable failure. */
  async run(): Promise<void> {
    const { logger, events } = this.#ctx;
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
    const signal = this.#heartbeatStop.signal;
    // First heartbeat one interval after start, no jitter (lifecycle.md §2).
    while (await sleepUnlessAborted(options.clock, registration.heartbeatInterval * 1000, signal)) {
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

  #shouldExit(startedAt: number, jobsDone: boolean): boolean {
    const { options, idleMonitor } = this.#ctx;
    if (options.disconnectAfterJob && jobsDone) return true;
    if (options.disconnectAfterUptime > 0 && options.clock.now() - startedAt >= options.disconnectAfterUptime * 1000) {
      return true;
    }
    return idleMonitor?.shouldExit() ?? false;
  }

  async #pingLoop(): Promise<void> {
    const { options, logger, events, registration, idleMonitor } = this.#ctx;
    const { clock } = options;
    const signal = this.#stop.signal;
    const interval = registration.pingInterval * 1000;
    const startedAt = clock.now();
    let nextTick = startedAt + interval;
    let skipTick = true;
    let paused = false;
    let jobDone = false;
    while (!signal.aborted) {
      if (!skipTick) {
        // A ticker: ticks every interval whatever happened in between.
        const now = clock.now();
        if (!(await sleepUnlessAborted(clock, nextTick - now, signal))) return;
        while (nextTick <= clock.now()) nextTick += interval;
      }
      skipTick = false;
      if (!(await sleepUnlessAborted(clock, clock.random() * interval, signal))) return;

      let ping: Ping;
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
        logger.warn(`ping failed, trying again at the next interval: ${(error as Error).message}`, { agent: this.agentId });
        continue;
      }
      if (ping.message) logger.info(ping.message, { agent: this.agentId });
      ping = await this.#maybeSwitchEndpoint(ping);
      const jobId = ping.job?.id;
      events.emit("ping-action", { spawnIndex: this.spawnIndex, action: ping.action, ...(jobId ? { jobId } : {}) });

      if (ping.action === "disconnect") return;
      if (ping.action === "pause") {
        if (!paused) logger.info("Agent has been paused", { agent: this.agentId });
        paused = true;
        this.status = "paused";
        idleMonitor?.markBusy(this.spawnIndex);
        continue;
      }
      if (paused) {
        logger.info("Agent has resumed", { agent: this.agentId });
        paused = false;
        this.status = "idle";
      }
      if (this.#shouldExit(startedAt, jobDone)) return;
      if (jobId === undefined) {
        idleMonitor?.markIdle(this.spawnIndex);
        continue;
      }

      idleMonitor?.markBusy(this.spawnIndex);
      this.status = "busy";
      this.currentJobId = jobId;
      const run = new JobRun(jobId, {
        client: this.#client,
        accessToken: registration.accessToken,
        options,
        logger,
        jobStatusInterval: registration.jobStatusInterval,
        onAccepted: (id) => events.emit("job-accepted", { spawnIndex: this.spawnIndex, jobId: id }),
        onStarted: (id) => events.emit("job-started", { spawnIndex: this.spawnIndex, jobId: id }),
        onFinished: (id, exit, chunksFailedCount) =>
          events.emit("job-finished", { spawnIndex: this.spawnIndex, jobId: id, ...exit, chunksFailedCount }),
      });
      this.#job = run;
      if (this.#ungraceful) run.cancel("agent_stop");
      const outcome = await run.run();
      this.#job = undefined;
      this.currentJobId = undefined;
      this.status = "idle";
      idleMonitor?.markIdle(this.spawnIndex);
      if (outcome.started) {
        jobDone = true;
        // Ask for the next job at once (after jitter) rather than at the next tick.
        skipTick = true;
        nextTick = clock.now() + interval;
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
      logger.warn(`Staying on the current endpoint: the new one failed a ping: ${(error as Error).message}`, { agent: this.agentId });
      return ping;
    }
  }
}
