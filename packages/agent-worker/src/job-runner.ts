import { requestHeadersToEnv, type ApiClient, type Job } from "@agent/api-client";
import type * as LogRedactor from "@agent/log-redactor";
import type { SupervisedProcess } from "@agent/process-supervisor";
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { checkAllowLists } from "./allow-lists.js";
import { findHooks, runHook } from "./hooks.js";
import { createJobEnvironment, formatEnvFile, formatEnvJsonFile } from "./job-environment.js";
import { JobLog } from "./job-log.js";
import { JobLogStdout } from "./job-log-stdout.js";
import { JobLogTmpfile } from "./job-log-tmpfile.js";
import { jobStatusTicks } from "./job-status-ticks.js";
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
  /**
   * Gets the job's payload, making it this agent's: `client.acceptJob` for a job
   * a ping handed out; acquire-job passes the answer of its acquire. Rejects as
   * the API client does.
   */
  readonly takeJob: () => Promise<Job>;
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
/** @agent/api-client's `field` for an `API_BAD_RESPONSE` whose body could not be read as JSON. */
const BODY_FIELD = "(body)";
/** Go's error when a signed job meets an agent without a verification key (run_job.go). */
const NO_VERIFICATION_KEY = "cannot verify signature. JWK for pipeline verification is not configured";
/** What a job id may be made of before it goes into file names (the server's are UUIDs). */
const SAFE_JOB_ID = /^[A-Za-z0-9_-]+$/;
/** Log settings for a job failed without a usable payload: its log is one line. */
/** The largest log chunk the agent cuts, whatever `chunks_max_size_bytes` says (Buildkite sends 100 KiB). */
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const FAILURE_LOG_SETTINGS = { chunksMaxSizeBytes: 102_400, chunksIntervalSeconds: 1, logMaxSizeBytes: 1024 ** 3 };

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
    const { takeJob, logger } = this.#ctx;
    let job: Job;
    try {
      job = await takeJob();
    } catch (error) {
      const apiError = error as { code?: string; field?: string; message: string };
      // A 2xx body that is not JSON at all (a proxy's page) is no job: as Go, give it
      // up and ping again. JSON that fails the schema is a job we cannot run: fail it.
      if (apiError.code === "API_BAD_RESPONSE" && apiError.field !== BODY_FIELD) {
        return this.#failUnusableJob(apiError.message, undefined);
      }
      logger.warn(`failed to accept job ${this.#jobId}, pinging again: ${apiError.message}`, { job: this.#jobId });
      return { started: false };
    }
    this.#ctx.onAccepted(this.#jobId);
    // The id names the job's env and timeout files: only the id we accepted, and only safe characters.
    if (job.id !== this.#jobId) {
      return this.#failUnusableJob(`its id ${JSON.stringify(job.id)} is not that of the accepted job ${JSON.stringify(this.#jobId)}`, job);
    }
    if (!SAFE_JOB_ID.test(job.id)) {
      return this.#failUnusableJob(`its id ${JSON.stringify(job.id)} has characters other than letters, digits, "_" and "-"`, job);
    }
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
    let tmpfile: JobLogTmpfile | undefined;
    const cleanup = async (): Promise<void> => {
      await Promise.all([...files, timeoutFile].map((file) => rm(file, { force: true })));
      // Go deletes it once the executor is done; we also do when it never started.
      await tmpfile?.remove().catch((error: unknown) =>
        logger.error(`could not delete the job log tmpfile: ${(error as Error).message}`, { job: job.id }),
      );
    };
    let environment;
    try {
      const envFile = await createTempFile(dir, `job-env-${job.id}`, "");
      files.push(envFile);
      const envJsonFile = await createTempFile(dir, `job-env-json-${job.id}`, "");
      files.push(envJsonFile);
      environment = createJobEnvironment({
        jobEnv: job.env,
        job,
        options,
        accessToken: job.token || this.#ctx.accessToken,
        endpoint: jobClient.endpoint,
        requestHeaderEnv: requestHeadersToEnv(client.requestHeaders),
        envFile,
        envJsonFile,
        timeoutFile,
        agentPid: process.pid,
        redactedVars: options.redactedVars ?? lib.DEFAULT_REDACTED_VARS,
      });
      const namesFirst = options.experiments.includes("propagate-agent-config-vars");
      await writeFile(envFile, formatEnvFile(environment.fileEnv, lib.goQuote, namesFirst));
      await writeFile(envJsonFile, formatEnvJsonFile(environment.fileEnv));
      if (options.jobLogTmpfile) tmpfile = await JobLogTmpfile.create(options.jobLogPath);
    } catch (error) {
      await cleanup();
      throw error;
    }

    const log = this.#createLog(lib, jobClient, job, { ...options.env, ...environment.env }, tmpfile);
    // As Go, which sets it in the agent's own environment: the job's env comes after it (and wins).
    const agentEnv = tmpfile ? { ...options.env, BUILDKITE_JOB_LOG_TMPFILE: tmpfile.path } : options.env;

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
      exit = await this.#execute(job, jobClient, agentEnv, environment.env, log, lib, supervisor, timeoutFile);
    } catch (error) {
      log.writeAgentLine(`Error running job: ${(error as Error).message}`);
    } finally {
      // log.finish never rejects; cleanup logs its own failures: the job is always finished.
      const chunksFailedCount = await log.finish();
      await cleanup().catch((error: Error) => logger.warn(`cleaning up after job ${job.id} failed: ${error.message}`, { job: job.id }));
      await this.#finish(jobClient, exit, chunksFailedCount);
    }
    return { started: true };
  }

  /** The job's log, redacting the values of `redacted-vars` names in `env` from the agent's own lines. */
  #createLog(
    lib: typeof LogRedactor,
    jobClient: ApiClient,
    job: Pick<Job, "chunksMaxSizeBytes" | "chunksIntervalSeconds" | "logMaxSizeBytes"> & Partial<Pick<Job, "env" | "traceparent">>,
    env: Readonly<Record<string, string>>,
    tmpfile?: JobLogTmpfile,
  ): JobLog {
    const { options, logger } = this.#ctx;
    let secrets: string[] = [];
    try {
      secrets = lib.matchRedactedVars(options.redactedVars ?? lib.DEFAULT_REDACTED_VARS, env).matched.map((v) => v.value);
    } catch (error) {
      // As the agent: one malformed pattern disables env-based redaction altogether.
      logger.warn(`redacted-vars could not be applied: ${(error as Error).message}`, { job: this.#jobId });
    }
    const stdoutCopy =
      options.jobLogStdout === undefined
        ? undefined
        : new JobLogStdout({
            stream: options.jobLogStdout,
            format: options.logFormat,
            job: { id: this.#jobId, env: job.env ?? {}, traceparent: job.traceparent ?? "" },
            now: options.clock.now,
            goQuote: lib.goQuote,
            logger,
          });
    return new JobLog({
      lib,
      client: jobClient,
      jobId: this.#jobId,
      // One chunk is one buffer: a server value in the gigabytes must not become one.
      chunksMaxSizeBytes: Math.min(job.chunksMaxSizeBytes, MAX_CHUNK_BYTES),
      chunksIntervalSeconds: job.chunksIntervalSeconds,
      logMaxSizeBytes: job.logMaxSizeBytes,
      ansiTimestamps: options.ansiTimestamps,
      timestampLines: options.timestampLines,
      secrets,
      clock: options.clock,
      logger,
      bufferBytes: options.jobLogBufferBytes,
      spillDir: options.jobLogPath,
      ...(stdoutCopy ? { stdoutCopy } : {}),
      ...(tmpfile ? { tmpfile } : {}),
    });
  }

  /** `PUT finish` (failures logged, never thrown), then the worker is told. */
  async #finish(jobClient: ApiClient, exit: JobExit, chunksFailedCount: number): Promise<void> {
    const { options, logger } = this.#ctx;
    const jobId = this.#jobId;
    try {
      await jobClient.finishJob(jobId, {
        exitStatus: String(exit.exitStatus),
        ...(exit.signal ? { signal: exit.signal } : {}),
        ...(exit.signalReason ? { signalReason: exit.signalReason } : {}),
        chunksFailedCount,
        ignoreAgentInDispatches: options.disconnectAfterJob,
      });
    } catch (error) {
      logger.error(`Buildkite rejected the call to finish job ${jobId}: ${(error as Error).message}`, { job: jobId });
    }
    logger.info(`Finished job ${jobId}`, { job: jobId, exitStatus: exit.exitStatus });
    this.#ctx.onFinished(jobId, exit, chunksFailedCount);
  }

  async #execute(
    job: Job,
    jobClient: ApiClient,
    agentEnv: Readonly<Record<string, string>>,
    jobEnv: Readonly<Record<string, string>>,
    log: JobLog,
    lib: typeof LogRedactor,
    supervisor: typeof import("@agent/process-supervisor"),
    timeoutFile: string,
  ): Promise<JobExit> {
    const { options, logger } = this.#ctx;
    if (this.#cancelReason !== undefined) return { exitStatus: -1, signalReason: this.#cancelReason };

    // lifecycle.md §4 step 9. We cannot verify (a configured JWKS is refused at start), so a
    // signed job is what Go does without a key: logged as a blocking failure, then refused
    // unless verification-failure-behavior is `warn`.
    if (job.step.signature !== undefined) {
      // Go logs this case as `block` (⛔, no "will be run" line) whatever the behaviour.
      log.writeAgentLine("+++ ⛔ Job signature verification failed");
      log.writeAgentLine(`error: ${NO_VERIFICATION_KEY}`);
      logger.warn("Job verification failed", { job: job.id, error: NO_VERIFICATION_KEY });
      if (options.verificationFailureBehavior === "block") return { exitStatus: -1, signalReason: "signature_rejected" };
    }

    const refusal = await checkAllowLists(job.env, options, lib.redactUrlCredentials);
    if (refusal !== undefined) {
      // The agent log gets the line as redacted for the job log, never the raw values.
      logger.error(log.writeAgentLine(refusal), { job: job.id });
      return { exitStatus: -1, signalReason: "agent_refused" };
    }

    const [preBootstrap] = findHooks([options.hooksPath], "pre-bootstrap");
    if (preBootstrap !== undefined) {
      const result = await runHook(preBootstrap, {
        shellWords: options.hookShellWords,
        cwd: options.buildPath,
        logger,
        env: {
          ...agentEnv,
          BUILDKITE_ENV_FILE: jobEnv["BUILDKITE_ENV_FILE"]!,
          BUILDKITE_ENV_JSON_FILE: jobEnv["BUILDKITE_ENV_JSON_FILE"]!,
          BUILDKITE_JOB_ID: job.id,
          BUILDKITE_AGENT_ACCESS_TOKEN: jobEnv["BUILDKITE_AGENT_ACCESS_TOKEN"]!,
          BUILDKITE_AGENT_ENDPOINT: jobEnv["BUILDKITE_AGENT_ENDPOINT"]!,
          BUILDKITE_NO_HTTP2: jobEnv["BUILDKITE_NO_HTTP2"]!,
          BUILDKITE_AGENT_DEBUG: jobEnv["BUILDKITE_AGENT_DEBUG"]!,
          BUILDKITE_AGENT_DEBUG_HTTP: jobEnv["BUILDKITE_AGENT_DEBUG_HTTP"]!,
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
    const notADirectory = (cause: unknown): Error =>
      new Error(`the build path ${buildPath} is not a directory; create it or set build-path to one`, { cause });
    // The supervisor checks that the build path is a directory; whether the agent may write there it cannot tell.
    await access(buildPath, fsConstants.W_OK).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") throw notADirectory(error);
      throw new Error(`the build path ${buildPath} is not writable by the agent; fix its permissions or set build-path`, {
        cause: error,
      });
    });

    const process = await supervisor
      .startProcess(options.executor.command, options.executor.args, {
        cwd: buildPath,
        env: { ...agentEnv, ...jobEnv },
        pty: !options.noPty,
        cancelSignal: options.cancelSignal,
        signalGracePeriodMs: options.signalGracePeriod * 1000,
        cancelGracePeriodMs: options.cancelGracePeriod * 1000,
        logger,
      })
      .catch((error: unknown) => {
        throw (error as { code?: string }).code === "PROCESS_CWD_NOT_FOUND" ? notADirectory(error) : error;
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
    // As Go: an ungraceful agent stop wins over a cancel, even one that came after the executor exited.
    let signalReason: string | undefined = this.#cancelReason === "agent_stop" ? "agent_stop" : (status.signalReason ?? this.#cancelReason);
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

  /** Polls `GET jobs/{id}` once per job_status_interval tick (jittered); cancels on a cancel, a time-out or a 401. */
  async #pollState(client: ApiClient, jobId: string, timeoutFile: string, signal: AbortSignal): Promise<void> {
    const { options, logger } = this.#ctx;
    for await (const _ of jobStatusTicks(options.clock, this.#ctx.jobStatusInterval * 1000, signal)) {
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
   * The accept answer cannot be used (e.g. no `chunks_max_size_bytes`, or an id
   * other than the one accepted). The real agent would start it and never finish
   * it; we start it, say why in its log (an agent line like any other: redacted,
   * timestamped) and finish it as failed, so nothing is left running on the server.
   */
  async #failUnusableJob(reason: string, job: Job | undefined): Promise<JobOutcome> {
    const { client, logger, options } = this.#ctx;
    const jobId = this.#jobId;
    const jobClient = job?.token ? client.withToken(job.token) : client;
    const lib = await import("@agent/log-redactor");
    const log = this.#createLog(lib, jobClient, job ?? FAILURE_LOG_SETTINGS, { ...options.env, ...job?.env });
    try {
      await jobClient.startJob(jobId);
    } catch (error) {
      logger.warn(`could not start job ${jobId} to fail it: ${(error as Error).message}`, { job: jobId });
      log.input.destroy();
      return { started: false };
    }
    this.#ctx.onStarted(jobId);
    log.start();
    const line = log.writeAgentLine(`Error running job: the job payload from Buildkite is unusable: ${reason}`);
    logger.error(`job ${jobId} cannot be run: ${line}`, { job: jobId });
    await this.#finish(jobClient, { exitStatus: -1, signalReason: "process_run_error" }, await log.finish());
    return { started: true };
  }
}
