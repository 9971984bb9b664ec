import { requestHeadersToEnv, type ApiClient, type Job } from "@agent/api-client";
import type { SupervisedProcess } from "@agent/process-supervisor";
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { checkAllowLists } from "./allow-lists.js";
import { sleepUnlessAborted } from "./clock.js";
import { findHooks, runHook } from "./hooks.js";
import { createJobEnvironment, formatEnvFile } from "./job-environment.js";
import { JobLog } from "./job-log.js";
import type { Logger } from "./logger.js";
import type { ResolvedOptions } from "./options.js";

/** Why a job ended the way it did, as `PUT jobs/{id}/finish` reports it. */
export interface JobExit {
  /** Decimal exit status; -1 for agent-side failures and signal deaths. */
  readonly exitStatus: number;
  /** e.g. `SIGTERM`, when the executor was killed by a signal. */
  readonly signal?: string;
  /** `cancel`, `agent_stop`, `agent_refused` or `process_run_error`. */
  readonly signalReason?: string;
}

/** What the worker learns from running a job. */
export interface JobOutcome {
  /** Whether `PUT start` succeeded (the ping loop then skips its tick wait). */
  readonly started: boolean;
}

/** What a job run needs from its worker. */
export interface JobRunContext {
  /** The worker's client (agent token). */
  readonly client: ApiClient;
  /** The agent access token: what a job without its own token sees as `BUILDKITE_AGENT_ACCESS_TOKEN`. */
  readonly accessToken: string;
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  /** Seconds between job state polls (from registration). */
  readonly jobStatusInterval: number;
  readonly onAccepted: (jobId: string) => void;
  readonly onStarted: (jobId: string) => void;
  readonly onFinished: (jobId: string, exit: JobExit, chunksFailedCount: number) => void;
}

const CANCEL_STATES = new Set(["canceling", "canceled"]);
const TIMEOUT_STATES = new Set(["timing_out", "timed_out"]);
/** The executor's "I could not set up" exit (job-executor.md), reported as process_run_error. */
const EXECUTOR_SETUP_FAILURE = 125;
const PRE_BOOTSTRAP_REJECTED = "pre-bootstrap hook rejected this job, see the buildkite-agent logs for more details";

async function createTempFile(dir: string, prefix: string, content: string): Promise<string> {
  // As Go's os.CreateTemp: a random suffix, created exclusively, private to the agent user.
  const file = path.join(dir, `${prefix}${randomBytes(6).toString("hex")}`);
  await writeFile(file, content, { flag: "wx", mode: 0o600 });
  return file;
}

/**
 * Runs one job handed out by a ping: accept, env files, start, allow-lists,
 * pre-bootstrap hook, the executor through `@agent/process-supervisor`, log
 * upload, state polling for cancellation, finish (lifecycle.md §4).
 */
export class JobRun {
  readonly #jobId: string;
  readonly #ctx: JobRunContext;
  #process: SupervisedProcess | undefined;
  #cancelReason: "cancel" | "agent_stop" | undefined;

  constructor(jobId: string, ctx: JobRunContext) {
    this.#jobId = jobId;
    this.#ctx = ctx;
  }

  /**
   * Cancels the running executor (cancel signal, grace, SIGKILL). Idempotent;
   * `agent_stop` (an ungraceful agent stop) wins over `cancel`. Before the
   * executor starts it only marks the job, which then never starts.
   */
  cancel(reason: "cancel" | "agent_stop"): void {
    if (this.#cancelReason !== "agent_stop") this.#cancelReason = reason;
    void this.#process?.cancel(reason);
  }

  /** Runs the job to its finish call. Never rejects: failures are logged and reported to the server. */
  async run(): Promise<JobOutcome> {
    const { client, logger } = this.#ctx;
    let job: Job;
    try {
      job = await client.acceptJob(this.#jobId);
    } catch (error) {
      const apiError = error as { code?: string; message: string };
      if (apiError.code === "API_BAD_RESPONSE") return this.#failUnusableJob(apiError.message);
      logger.warn(`failed to accept job ${this.#jobId}, pinging again: ${apiError.message}`, { job: this.#jobId });
      return { started: false };
    }
    this.#ctx.onAccepted(job.id);
    try {
      return await this.#runAccepted(job);
    } catch (error) {
      logger.error(`job ${job.id} could not be run: ${(error as Error).message}`, { job: job.id });
      return { started: false };
    }
  }

  async #runAccepted(job: Job): Promise<JobOutcome> {
    const { client, options, logger } = this.#ctx;
    const jobClient = job.token ? client.withToken(job.token) : client;
    // Loaded with the first job, not at start: an idle agent stays small.
    const [lib, supervisor] = await Promise.all([import("@agent/log-redactor"), import("@agent/process-supervisor")]);

    const dir = options.jobContextDir;
    const timeoutFile = path.join(dir, `job-timeout-${job.id}`);
    const files: string[] = [];
    const cleanup = async (): Promise<void> => {
      await Promise.all([...files, timeoutFile].map((file) => rm(file, { force: true })));
    };
    let environment;
    try {
      const envFile = await createTempFile(dir, `job-env-${job.id}`, "");
      files.push(envFile);
      const envJsonFile = await createTempFile(dir, `job-env-json-${job.id}`, "");
      files.push(envJsonFile);
      environment = createJobEnvironment({
        jobEnv: job.env,
        options,
        accessToken: job.token || this.#ctx.accessToken,
        endpoint: jobClient.endpoint,
        requestHeaderEnv: requestHeadersToEnv(client.requestHeaders),
        envFile,
        envJsonFile,
        timeoutFile,
        agentPid: process.pid,
      });
      await writeFile(envFile, formatEnvFile(environment.fileEnv, lib.goQuote));
      await writeFile(envJsonFile, JSON.stringify(environment.fileEnv));
    } catch (error) {
      await cleanup();
      throw error;
    }

    let secrets: string[] = [];
    try {
      secrets = lib.matchRedactedVars(options.redactedVars, { ...options.env, ...environment.env }).matched.map((v) => v.value);
    } catch (error) {
      // As the agent: one malformed pattern disables env-based redaction altogether.
      logger.warn(`redacted-vars could not be applied: ${(error as Error).message}`, { job: job.id });
    }
    const log = new JobLog({
      lib,
      client: jobClient,
      jobId: job.id,
      chunksMaxSizeBytes: job.chunksMaxSizeBytes,
      chunksIntervalSeconds: job.chunksIntervalSeconds,
      logMaxSizeBytes: job.logMaxSizeBytes,
      ansiTimestamps: options.ansiTimestamps,
      timestampLines: options.timestampLines,
      secrets,
      clock: options.clock,
      logger,
    });

    try {
      await jobClient.startJob(job.id);
    } catch (error) {
      // As the agent: a job that cannot be started is not run and not finished.
      logger.warn(`Buildkite rejected the call to start job ${job.id}: ${(error as Error).message}`, { job: job.id });
      log.input.destroy();
      await cleanup();
      return { started: false };
    }
    logger.info(`Starting job ${job.id}`, { job: job.id });
    this.#ctx.onStarted(job.id);
    log.start();

    let exit: JobExit = { exitStatus: -1, signalReason: "process_run_error" };
    try {
      exit = await this.#execute(job, jobClient, environment.env, log, supervisor, timeoutFile);
    } catch (error) {
      log.writeAgentLine(`Error running job: ${(error as Error).message}`);
    } finally {
      const chunksFailedCount = await log.finish();
      await cleanup();
      try {
        await jobClient.finishJob(job.id, {
          exitStatus: String(exit.exitStatus),
          ...(exit.signal ? { signal: exit.signal } : {}),
          ...(exit.signalReason ? { signalReason: exit.signalReason } : {}),
          chunksFailedCount,
          ignoreAgentInDispatches: options.disconnectAfterJob,
        });
      } catch (error) {
        logger.error(`Buildkite rejected the call to finish job ${job.id}: ${(error as Error).message}`, { job: job.id });
      }
      logger.info(`Finished job ${job.id}`, { job: job.id, exitStatus: exit.exitStatus });
      this.#ctx.onFinished(job.id, exit, chunksFailedCount);
    }
    return { started: true };
  }

  async #execute(
    job: Job,
    jobClient: ApiClient,
    jobEnv: Readonly<Record<string, string>>,
    log: JobLog,
    supervisor: typeof import("@agent/process-supervisor"),
    timeoutFile: string,
  ): Promise<JobExit> {
    const { options, logger } = this.#ctx;
    if (this.#cancelReason !== undefined) return { exitStatus: -1, signalReason: this.#cancelReason };

    const refusal = checkAllowLists(job.env, options);
    if (refusal !== undefined) {
      log.writeAgentLine(refusal);
      logger.error(refusal, { job: job.id });
      return { exitStatus: -1, signalReason: "agent_refused" };
    }

    const [preBootstrap] = findHooks([options.hooksPath], "pre-bootstrap");
    if (preBootstrap !== undefined) {
      const result = await runHook(preBootstrap, {
        shell: options.hooksShell || options.shell,
        cwd: options.buildPath,
        logger,
        env: {
          ...options.env,
          BUILDKITE_ENV_FILE: jobEnv["BUILDKITE_ENV_FILE"]!,
          BUILDKITE_ENV_JSON_FILE: jobEnv["BUILDKITE_ENV_JSON_FILE"]!,
          BUILDKITE_JOB_ID: job.id,
          BUILDKITE_AGENT_ACCESS_TOKEN: jobEnv["BUILDKITE_AGENT_ACCESS_TOKEN"]!,
          BUILDKITE_AGENT_ENDPOINT: jobEnv["BUILDKITE_AGENT_ENDPOINT"]!,
          BUILDKITE_NO_HTTP2: "false",
          BUILDKITE_AGENT_DEBUG: "false",
          BUILDKITE_AGENT_DEBUG_HTTP: "false",
        },
      });
      if (result.exitCode !== 0) {
        log.writeAgentLine(PRE_BOOTSTRAP_REJECTED);
        logger.error(
          `pre-bootstrap hook rejected this job: ${result.error ? result.error.message : `exit status ${result.exitCode}`}`,
          { job: job.id },
        );
        return { exitStatus: -1, signalReason: "agent_refused" };
      }
    }

    const buildPath = options.buildPath;
    const info = await stat(buildPath).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) {
      throw new Error(`the build path ${buildPath} is not a directory; create it or set build-path to one`);
    }
    await access(buildPath, fsConstants.W_OK).catch((error: unknown) => {
      throw new Error(`the build path ${buildPath} is not writable by the agent; fix its permissions or set build-path`, {
        cause: error,
      });
    });

    const process = await supervisor.startProcess(options.executor.command, options.executor.args, {
      cwd: buildPath,
      env: { ...options.env, ...jobEnv },
      pty: !options.noPty,
      cancelSignal: options.cancelSignal,
      signalGracePeriodMs: options.signalGracePeriod * 1000,
      cancelGracePeriodMs: options.cancelGracePeriod * 1000,
      logger,
    });
    this.#process = process;
    if (this.#cancelReason !== undefined) void process.cancel(this.#cancelReason);
    process.output.pipe(log.input, { end: false });
    const outputDone = finished(process.output).catch(() => undefined);
    const polling = new AbortController();
    const poller = this.#pollState(jobClient, job.id, timeoutFile, polling.signal);
    const status = await process.exited;
    await outputDone;
    process.output.unpipe(log.input);
    polling.abort();
    await poller;

    let exitStatus = status.exitCode;
    let signalReason: string | undefined = status.signalReason ?? this.#cancelReason;
    if (status.signal === undefined && exitStatus === EXECUTOR_SETUP_FAILURE) {
      exitStatus = -1;
      signalReason ??= "process_run_error";
    }
    if (signalReason === "cancel" && exitStatus === 0 && options.experiments.includes("override-zero-exit-on-cancel")) {
      exitStatus = 1;
    }
    return {
      exitStatus,
      ...(status.signal ? { signal: status.signal } : {}),
      ...(signalReason ? { signalReason } : {}),
    };
  }

  /** Polls `GET jobs/{id}` every job_status_interval + jitter; cancels on a cancel, a time-out or a 401. */
  async #pollState(client: ApiClient, jobId: string, timeoutFile: string, signal: AbortSignal): Promise<void> {
    const { options, logger } = this.#ctx;
    const { clock } = options;
    const interval = this.#ctx.jobStatusInterval * 1000;
    let wait = clock.random() * interval;
    while (await sleepUnlessAborted(clock, wait, signal)) {
      wait = interval + clock.random() * interval;
      let state: string;
      try {
        state = await client.getJobState(jobId, { signal });
      } catch (error) {
        if (signal.aborted) return;
        if ((error as { status?: number }).status === 401) {
          logger.warn(`cancelling job ${jobId}: access token invalid`, { job: jobId });
          this.cancel("cancel");
          return;
        }
        logger.warn(`checking job ${jobId}'s state failed: ${(error as Error).message}`, { job: jobId });
        continue;
      }
      if (TIMEOUT_STATES.has(state)) {
        // The bootstrap reads the marker to expose BUILDKITE_JOB_TIMED_OUT=true.
        await writeFile(timeoutFile, "true").catch((error: unknown) =>
          logger.warn(`could not write the job timeout marker: ${(error as Error).message}`, { job: jobId }),
        );
      }
      if (TIMEOUT_STATES.has(state) || CANCEL_STATES.has(state)) {
        logger.info(`cancelling job ${jobId}: its state is ${state}`, { job: jobId });
        this.cancel("cancel");
        return;
      }
    }
  }

  /**
   * The accept answer cannot be used (e.g. no `chunks_max_size_bytes`). The real
   * agent would start it and never finish it; we start it, say why in its log and
   * finish it as failed, so nothing is left running on the server.
   */
  async #failUnusableJob(reason: string): Promise<JobOutcome> {
    const { client, logger, options } = this.#ctx;
    const jobId = this.#jobId;
    logger.error(`job ${jobId} cannot be run: its payload is unusable: ${reason}`, { job: jobId });
    const exit: JobExit = { exitStatus: -1, signalReason: "process_run_error" };
    try {
      await client.startJob(jobId);
      this.#ctx.onStarted(jobId);
    } catch (error) {
      logger.warn(`could not start job ${jobId} to fail it: ${(error as Error).message}`, { job: jobId });
      return { started: false };
    }
    let failed = 0;
    try {
      const line = Buffer.from(`Error running job: the job payload from Buildkite is unusable: ${reason}\n`);
      await client.uploadChunk(jobId, { data: line, sequence: 1, offset: 0 });
    } catch {
      failed = 1;
    }
    try {
      await client.finishJob(jobId, {
        exitStatus: "-1",
        signalReason: "process_run_error",
        chunksFailedCount: failed,
        ignoreAgentInDispatches: options.disconnectAfterJob,
      });
    } catch (error) {
      logger.error(`Buildkite rejected the call to finish job ${jobId}: ${(error as Error).message}`, { job: jobId });
    }
    this.#ctx.onFinished(jobId, exit, failed);
    return { started: true };
  }
}
