import { ApiClient, goArch, type RegisterResponse } from "@agent/api-client";
import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import os from "node:os";
import { AgentWorker } from "./agent-worker.js";
import { AgentWorkerError } from "./errors.js";
import { findHooks, runHook, type AgentHookName } from "./hooks.js";
import { features, hostTags, osVersionDump, protectedMachineId } from "./host-info.js";
import { startHealthCheck } from "./health-check.js";
import { IdleMonitor } from "./idle-monitor.js";
import { resolveOptions, type AgentPoolOptions, type ResolvedOptions } from "./options.js";
import { PoolEmitter, type AgentPoolEventName, type AgentPoolEvents } from "./pool-events.js";

/**
 * How a pool ended: the process exit code of lifecycle.md §7 (0; 1 with the error;
 * 27 with `AGENT_JOB_REJECTED` when acquire-job's job was refused; 28 with
 * `AGENT_JOB_LOCKED` when it was still locked after the retries; the acquired
 * job's exit status mod 256 with `reflectExitStatus`).
 */
export interface AgentPoolResult {
  readonly exitCode: number;
  /** What ended the pool, when something failed. */
  readonly error?: AgentWorkerError;
}

/** How to stop a pool: `graceful` lets running jobs finish; `forceful` cancels them (`agent_stop`). */
export type StopMode = "graceful" | "forceful";

/** A running agent: one or more registered workers in this process. */
export interface AgentPool {
  /** Resolves once every worker is connected; rejects with the error that ended the pool before that. */
  readonly ready: Promise<void>;
  /** Resolves when the pool has ended (never rejects). */
  readonly done: Promise<AgentPoolResult>;
  /**
   * Asks the pool to stop, as the agent's signals do. `graceful` counts as an
   * interrupt (SIGTERM/SIGINT): the first stops taking work and lets running jobs
   * finish; the second cancels running jobs (`agent_stop`) and disconnects, and
   * `done` gives exit 1 if that takes longer than cancel-grace-period + 1 s; the
   * third ends the pool at once (exit 1). `forceful` (SIGQUIT) does what the second
   * does without counting as an interrupt. Resolves with `done`.
   */
  stop(mode: StopMode): Promise<AgentPoolResult>;
  /**
   * Applies an OS signal the way `buildkite-agent start` does (lifecycle.md §5.3):
   * SIGTERM/SIGINT `graceful` (escalating when repeated), SIGQUIT `forceful`, others ignored.
   */
  handleSignal(signal: NodeJS.Signals): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends AgentPoolEventName>(event: E, listener: (payload: AgentPoolEvents[E]) => void): () => void;
}

class Pool implements AgentPool {
  readonly ready: Promise<void>;
  readonly done: Promise<AgentPoolResult>;
  readonly #options: ResolvedOptions;
  readonly #events: PoolEmitter;
  readonly #abort = new AbortController();
  #workers: AgentWorker[] = [];
  /** Graceful stop requests so far (the agent's interrupt count). */
  #interrupts = 0;
  #forceful = false;
  #settle!: (result: AgentPoolResult) => void;
  #settled = false;
  #readyResolve!: () => void;
  #readyReject!: (error: unknown) => void;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#events = new PoolEmitter(options.logger);
    this.ready = new Promise<void>((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    // Callers that only await `done` must not see an unhandled rejection.
    this.ready.catch(() => undefined);
    this.done = new Promise<AgentPoolResult>((resolve) => {
      this.#settle = (result) => {
        if (this.#settled) return;
        this.#settled = true;
        clearTimeout(this.#watchdog);
        if (result.error) this.#readyReject(result.error);
        else this.#readyReject(new AgentWorkerError("AGENT_INTERRUPTED", "the agent pool stopped before it was ready"));
        resolve(result);
      };
    });
    void this.#run().then(this.#settle, (thrown: unknown) => {
      const error =
        thrown instanceof AgentWorkerError ? thrown : new AgentWorkerError("AGENT_INTERNAL", String(thrown), { cause: thrown });
      // The caller reports it (`done` carries it): logging it here too would print it twice.
      this.#events.emit("error", { error });
      this.#settle({ exitCode: 1, error });
    });
  }

  on<E extends AgentPoolEventName>(event: E, listener: (payload: AgentPoolEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  handleSignal(signal: NodeJS.Signals): void {
    if (signal === "SIGTERM" || signal === "SIGINT") void this.stop("graceful");
    else if (signal === "SIGQUIT") void this.stop("forceful");
    else this.#options.logger.debug(`ignoring ${signal}`);
  }

  stop(mode: StopMode): Promise<AgentPoolResult> {
    const { logger } = this.#options;
    if (this.#settled) return this.done;
    if (mode === "graceful") this.#interrupts += 1;
    if (this.#interrupts >= 3) {
      this.#events.emit("stopping", { mode: "immediate" });
      logger.error("Exiting immediately; the agent will be marked lost by Buildkite");
      this.#settle({ exitCode: 1, error: new AgentWorkerError("AGENT_INTERRUPTED", "the agent was interrupted a third time and exited at once") });
      return this.done;
    }
    this.#abort.abort();
    if (mode === "graceful" && this.#interrupts === 1) {
      if (this.#forceful) return this.done;
      this.#events.emit("stopping", { mode: "graceful" });
      logger.info("Gracefully stopping agent, waiting for any running jobs to finish; send again to forcefully kill");
      for (const worker of this.#workers) worker.stop("graceful");
    } else if (!this.#forceful) {
      this.#forceful = true;
      this.#events.emit("stopping", { mode: "forceful" });
      logger.info("Forcefully stopping agent: cancelling running jobs");
      for (const worker of this.#workers) worker.stop("forceful");
      // The agent's watchdog: give cancelled jobs their grace period, plus 1 s to report.
      this.#watchdog = setTimeout(() => {
        this.#settle({
          exitCode: 1,
          error: new AgentWorkerError("AGENT_STOP_TIMEOUT", `the agent did not stop within the cancel grace period (${this.#options.cancelGracePeriod} s) + 1 s`),
        });
      }, (this.#options.cancelGracePeriod + 1) * 1000);
      this.#watchdog.unref();
    }
    return this.done;
  }

  /** Runs every `name` hook in turn; with `signal`, a stop ends a running hook and the rest are skipped. */
  async #runHooks(name: AgentHookName, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
    const options = this.#options;
    for (const file of findHooks([options.hooksPath, ...options.additionalHooksPaths], name)) {
      if (signal?.aborted) return;
      const result = await runHook(file, {
        shellWords: options.hookShellWords,
        env: { ...options.env, ...env },
        cwd: options.buildPath,
        logger: options.logger,
        ...(signal ? { signal, killGraceMs: options.signalGracePeriod * 1000 } : {}),
      });
      // Stopped on request: not a hook failure.
      if (signal?.aborted) return;
      if (result.exitCode !== 0) {
        throw new AgentWorkerError(
          "AGENT_HOOK_FAILED",
          `the ${name} hook ${file} failed: ${result.error ? result.error.message : `exit status ${result.exitCode}`}`,
          result.error ? { cause: result.error } : undefined,
        );
      }
    }
  }

  async #run(): Promise<AgentPoolResult> {
    const options = this.#options;
    const { logger } = options;
    try {
      await mkdir(options.buildPath, { recursive: true });
    } catch (error) {
      throw new AgentWorkerError("AGENT_BUILD_PATH", `could not create the build path ${options.buildPath}: ${(error as Error).message}`, { cause: error });
    }
    const registrar = new ApiClient({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      token: options.token,
      version: options.version,
      build: options.build,
      logger,
      env: options.env,
      sleep: options.retrySleep,
      random: options.clock.random,
    });
    let healthServer: Server | undefined;
    let registered = false;
    const ids: string[] = [];
    const names: string[] = [];
    try {
      // Computed once: the registration's machine_id and the machine-id= host tag are the same value.
      const machineId = protectedMachineId();
      const tags = [...options.tags, ...(options.tagsFromHost ? hostTags(machineId) : [])];
      const featureWords = features(options);
      const descending = options.experiments.includes("descending-spawn-priority");
      // One failed registration ends the others at once: left retrying (30 × 10 s) they
      // could still register agents that nothing would ever connect.
      const registering = new AbortController();
      const signal = AbortSignal.any([this.#abort.signal, registering.signal]);
      let firstFailure: unknown;
      const settled = await Promise.allSettled(
        Array.from({ length: options.spawn }, (_, i) => {
          let priority: string | undefined = options.priority || undefined;
          if (options.spawnWithPriority) {
            // The experiment spreads jobs across hosts whose spawn counts differ.
            priority = String(descending ? -(i + 1) : i + 1);
            logger.info(`Assigning priority ${priority} for agent ${i + 1}`);
          }
          return registrar
            .register(
              {
                name: options.name.replaceAll("%spawn", String(i + 1)),
                hostname: os.hostname(),
                os: osVersionDump(),
                arch: goArch(process.arch),
                scriptEvalEnabled: options.commandEval,
                // Acquire-job agents are there for one job: Buildkite must not dispatch others to them.
                ignoreInDispatches: options.acquireJob !== "",
                ...(priority !== undefined ? { priority } : {}),
                version: options.version,
                build: options.build,
                tags,
                pid: process.pid,
                ...(machineId ? { machineId } : {}),
                features: featureWords,
              },
              { signal },
            )
            .catch((error: unknown) => {
              if (firstFailure === undefined && !signal.aborted) firstFailure = error;
              registering.abort();
              throw error;
            });
        }),
      );
      if (this.#abort.signal.aborted) return { exitCode: 0 };
      if (firstFailure !== undefined) {
        throw new AgentWorkerError("AGENT_REGISTER_FAILED", (firstFailure as Error).message, { cause: firstFailure });
      }
      const registrations = settled.map((result) => (result as PromiseFulfilledResult<RegisterResponse>).value);
      registered = true;
      registrations.forEach((registration, i) => {
        ids.push(registration.id);
        names.push(registration.name);
        logger.info(`Successfully registered agent "${registration.name}" with tags [${registration.tags.join(", ")}]`);
        this.#events.emit("registered", { spawnIndex: i + 1, agentId: registration.id, name: registration.name });
      });
      // A stop interrupts a hung startup hook (not the shutdown hook: that one runs as the agent ends).
      await this.#runHooks("agent-startup", { BUILDKITE_AGENT_IDS: ids.join(","), BUILDKITE_AGENT_NAMES: names.join(",") }, this.#abort.signal);
      if (this.#abort.signal.aborted) return { exitCode: 0 };
      if (options.healthCheckAddr) {
        logger.info(`Starting HTTP health check server on ${options.healthCheckAddr}`);
        try {
          healthServer = await startHealthCheck(options.healthCheckAddr, () => this.#workers);
        } catch (error) {
          // As the agent: the health check is a side show, the agent carries on without it.
          // The listen error itself, as Go prints it (not our wrapper's "could not listen" prefix).
          const cause = (error as { cause?: { message?: unknown } }).cause;
          const reason = typeof cause?.message === "string" ? cause.message : (error as Error).message;
          logger.error(`Could not start health check server: ${reason}`);
        }
      }

      const idleMonitor =
        options.disconnectAfterIdleTimeout > 0
          ? new IdleMonitor(options.disconnectAfterIdleTimeout * 1000, options.spawn, options.clock.monotonic)
          : undefined;
      this.#workers = registrations.map(
        (registration, i) =>
          new AgentWorker({
            spawnIndex: i + 1,
            registration,
            client: registrar.fromRegistration(registration),
            options,
            logger,
            events: this.#events,
            idleMonitor,
          }),
      );
      if (this.#abort.signal.aborted) for (const worker of this.#workers) worker.stop(this.#forceful ? "forceful" : "graceful");
      let connected = 0;
      const unsubscribe = this.#events.on("connected", () => {
        if (++connected === this.#workers.length) this.#readyResolve();
      });
      const results = await Promise.allSettled(this.#workers.map((worker) => worker.run()));
      unsubscribe();
      const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failure !== undefined) {
        const error =
          failure.reason instanceof AgentWorkerError
            ? failure.reason
            : new AgentWorkerError("AGENT_INTERNAL", String(failure.reason), { cause: failure.reason });
        // Not logged: `done` carries it and the caller reports it once.
        this.#events.emit("error", { error });
        // lifecycle.md §7: a refused acquire is exit 27 and a job still locked 28, so
        // a supervisor can tell them apart.
        return { exitCode: error.code === "AGENT_JOB_REJECTED" ? 27 : error.code === "AGENT_JOB_LOCKED" ? 28 : 1, error };
      }
      const jobExit = this.#workers[0]?.lastJobExitStatus;
      if (options.acquireJob !== "" && options.reflectExitStatus && jobExit !== undefined) {
        // The process status the agent's os.Exit(status) gives: mod 256, so -1 is 255.
        return { exitCode: ((jobExit % 256) + 256) % 256 };
      }
      return { exitCode: 0 };
    } finally {
      if (healthServer !== undefined) await new Promise((resolve) => healthServer!.close(resolve));
      if (registered) {
        try {
          await this.#runHooks("agent-shutdown", { BUILDKITE_AGENT_IDS: ids.join(","), BUILDKITE_AGENT_NAMES: names.join(",") });
        } catch (error) {
          logger.error((error as Error).message);
        }
      }
      registrar.close();
    }
  }
}

/**
 * Starts an agent: registers `spawn` workers (concurrently; one failure ends the
 * others), runs the `agent-startup` hook, connects each worker and runs its ping
 * loop (with `acquireJob`: acquires and runs that job first, then ends), jobs and
 * heartbeats until stopped, disconnected or failed; runs `agent-shutdown` at the
 * end. Throws `AGENT_INVALID_OPTION` synchronously for bad options; everything
 * later is reported through `done` (exit code and error) and the `error` event.
 */
export function startAgentPool(options: AgentPoolOptions): AgentPool {
  return new Pool(resolveOptions(options));
}
