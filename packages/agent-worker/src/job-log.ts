import type { ApiClient } from "@agent/api-client";
import type * as LogRedactor from "@agent/log-redactor";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { sleepUnlessAborted, type Clock } from "./clock.js";
import { JobLogSpillQueue } from "./job-log-spill-queue.js";
import type { JobLogStdout } from "./job-log-stdout.js";
import type { JobLogTmpfile } from "./job-log-tmpfile.js";
import type { Logger } from "./logger.js";

/** Parallel chunk uploads per job, as the agent's log streamer (agent-api.md §4). */
export const CHUNK_UPLOAD_CONCURRENCY = 3;
/** The largest spill file of one job log; past it the job waits for the uploads. */
const SPILL_FILE_LIMIT_BYTES = 256 * 1024 * 1024;
/**
 * How long the chunks still queued when the executor ends get to go up. An
 * outage can leave thousands, each retried for minutes; after this the rest are
 * dropped and counted, so the job is finished in bounded time.
 */
const LOG_DRAIN_DEADLINE_MS = 10 * 60 * 1000;
/** Flush ticks per jittered run: a run is a random offset, then 32 ticks; runs start every 33 intervals. */
const TICKS_PER_RUN = 32;
/** Header times are batched in 1 s windows. */
const HEADER_TIMES_WINDOW_MS = 1000;

/** Settings of one job's log. */
export interface JobLogOptions {
  readonly lib: typeof LogRedactor;
  readonly client: ApiClient;
  readonly jobId: string;
  readonly chunksMaxSizeBytes: number;
  readonly chunksIntervalSeconds: number;
  readonly logMaxSizeBytes: number;
  readonly ansiTimestamps: boolean;
  readonly timestampLines: boolean;
  /** Values to redact from lines the agent itself writes into the job log. */
  readonly secrets: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pending chunk bytes kept in memory while uploads lag; the rest is spilled to `spillDir`. */
  readonly bufferBytes: number;
  /** Where the spill file goes (`job-log-path`). */
  readonly spillDir: string;
  /** `write-job-logs-to-stdout`: gets the raw output, before any stage. */
  readonly stdoutCopy?: JobLogStdout;
  /** `enable-job-log-tmpfile`: gets exactly the bytes the chunks are cut from. */
  readonly tmpfile?: JobLogTmpfile;
}

/**
 * One job's log on its way up: executor output and the agent's own lines
 * (raw copy to the agent's stdout) → ANSI timestamps (or header times,
 * optionally `timestamp-lines`) → (tmpfile) → chunks of at most
 * `chunks_max_size_bytes`, cut every `chunks_interval` → queue → 3 parallel
 * uploads. Chunks failing after the client's retries are dropped and counted.
 * The job never waits for uploads: the queue keeps `bufferBytes` in memory and
 * spills the rest to disk (job-log-spill-queue.ts). Only the tmpfile's disk
 * writes can slow it, and the uploads only if the spill file cannot be written.
 * The stdout copy never waits (job-log-stdout.ts).
 */
export class JobLog {
  /** Where the executor's output is piped (with `{ end: false }`). */
  readonly input: Transform;
  readonly #options: JobLogOptions;
  readonly #chunks: LogRedactor.LogChunkStream;
  readonly #queue: JobLogSpillQueue;
  readonly #redactor: LogRedactor.Redactor;
  readonly #stop = new AbortController();
  /** Aborted when the drain deadline passes: uploads stop, queued chunks are dropped. */
  readonly #drainExpired = new AbortController();
  readonly #pendingHeaderTimes = new Map<number, string>();
  #failedChunks = 0;
  #uploadedBytes = 0;
  #warnedSize = false;
  #consumed: Promise<void> | undefined;
  #flushing: Promise<void> | undefined;
  #headerTimes: Promise<void> | undefined;

  constructor(options: JobLogOptions) {
    this.#options = options;
    const { lib } = options;
    this.#redactor = new lib.Redactor({ secrets: options.secrets });
    this.#chunks = lib.createLogChunkStream({ maxChunkSizeBytes: options.chunksMaxSizeBytes });
    this.#queue = new JobLogSpillQueue({
      memoryLimitBytes: options.bufferBytes,
      spillLimitBytes: SPILL_FILE_LIMIT_BYTES,
      dir: options.spillDir,
      jobId: options.jobId,
      logger: options.logger,
    });
    let staged: Readable;
    let stage: Transform;
    if (options.ansiTimestamps) {
      stage = lib.createTimestamperStream({ now: options.clock.now });
      staged = stage;
    } else {
      stage = lib.createHeaderTimeStream({
        now: options.clock.now,
        onHeader: (header) => this.#pendingHeaderTimes.set(header.index, header.time),
      });
      staged = options.timestampLines ? stage.pipe(lib.createLineTimestamperStream({ now: options.clock.now })) : stage;
    }
    if (options.tmpfile) staged = staged.pipe(options.tmpfile.tee(options.logger, options.jobId));
    staged.pipe(this.#chunks);
    const stdoutCopy = options.stdoutCopy;
    if (stdoutCopy === undefined) {
      this.input = stage;
    } else {
      // The stdout copy taps the raw bytes, before any stage, as Go's MultiWriter does.
      this.input = new Transform({
        transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
          stdoutCopy.write(chunk);
          callback(null, chunk);
        },
      });
      this.input.pipe(stage);
    }
  }

  /** Starts uploading, flushing every `chunks_interval`, and sending header times. */
  start(): void {
    this.#consumed = this.#consume();
    this.#flushing = this.#flushLoop();
    if (!this.#options.ansiTimestamps) this.#headerTimes = this.#headerTimesLoop();
  }

  /**
   * Writes a line of the agent's own (a refusal, "Error running job: …") into the
   * job log: redacted here, since it does not pass through the bootstrap's redactor,
   * then timestamped like the executor's output. Returns the line as written
   * (without its newline), for the agent log to show the same redacted text.
   */
  writeAgentLine(text: string): string {
    const redacted = Buffer.concat([this.#redactor.write(Buffer.from(`${text}\n`)), this.#redactor.flush()]);
    this.input.write(redacted);
    return redacted.toString("utf8").replace(/\n$/, "");
  }

  /** Ends the log: final drain, waits for every upload. Returns the failed chunk count. */
  async finish(): Promise<number> {
    const { clock, logger, jobId } = this.#options;
    this.input.end();
    const drained = new AbortController();
    void sleepUnlessAborted(clock, LOG_DRAIN_DEADLINE_MS, drained.signal).then((expired) => {
      if (!expired) return;
      logger.warn(`job log uploads did not finish within ${LOG_DRAIN_DEADLINE_MS / 60_000} minutes of the job's end: dropping the rest`, { job: jobId });
      this.#drainExpired.abort();
    });
    try {
      await this.#consumed;
    } catch (error) {
      // Whatever stopped the log, the job is still finished, with what went up.
      logger.warn(`the job log stopped early: ${(error as Error).message}`, { job: jobId });
    } finally {
      drained.abort();
      await this.#queue.close();
      this.#stop.abort();
    }
    await this.#flushing;
    await this.#headerTimes;
    if (!this.#options.ansiTimestamps) await this.#sendHeaderTimes();
    const dropped = this.#options.stdoutCopy?.droppedBytes ?? 0;
    if (dropped > 0) {
      this.#options.logger.warn(`${dropped} bytes of job output were not copied to stdout: it was not keeping up`, {
        job: this.#options.jobId,
      });
    }
    if (this.#failedChunks > 0) {
      this.#options.logger.warn(`${this.#failedChunks} chunks failed to upload for this job`, { job: this.#options.jobId });
    }
    return this.#failedChunks;
  }

  async #consume(): Promise<void> {
    const workers = Array.from({ length: CHUNK_UPLOAD_CONCURRENCY }, () => this.#uploadWorker());
    try {
      // Taken as fast as they are cut: the queue, not the executor, absorbs slow uploads.
      for await (const chunk of this.#chunks as AsyncIterable<LogRedactor.LogChunk>) await this.#queue.push(chunk);
    } finally {
      this.#queue.end();
      // Even when the chunk stream failed: the queue is closed only after the workers.
      await Promise.all(workers);
    }
  }

  async #uploadWorker(): Promise<void> {
    for (;;) {
      let chunk: LogRedactor.LogChunk | undefined;
      try {
        chunk = await this.#queue.shift();
      } catch (error) {
        this.#failedChunks += 1;
        this.#options.logger.warn(`dropping ${(error as Error).message}`, { job: this.#options.jobId });
        continue;
      }
      if (chunk === undefined) return;
      if (this.#drainExpired.signal.aborted) {
        this.#failedChunks += 1;
        continue;
      }
      await this.#upload(chunk);
    }
  }

  async #upload(chunk: LogRedactor.LogChunk): Promise<void> {
    const { client, jobId, logger, logMaxSizeBytes } = this.#options;
    this.#uploadedBytes += chunk.size;
    if (!this.#warnedSize && this.#uploadedBytes > logMaxSizeBytes) {
      // As the agent: warn once and keep sending; the server decides what to keep.
      this.#warnedSize = true;
      logger.warn(`The job log has exceeded the maximum size of ${logMaxSizeBytes} bytes`, { job: jobId });
    }
    try {
      await client.uploadChunk(jobId, { data: chunk.data, sequence: chunk.sequence, offset: chunk.offset }, { signal: this.#drainExpired.signal });
    } catch (error) {
      this.#failedChunks += 1;
      logger.warn(`dropping log chunk ${chunk.sequence}: ${(error as Error).message}`, { job: jobId });
    }
  }

  async #flushLoop(): Promise<void> {
    const { clock } = this.#options;
    const interval = this.#options.chunksIntervalSeconds * 1000;
    const signal = this.#stop.signal;
    for (;;) {
      // Re-jittered runs keep many agents from flushing in lock-step.
      const offset = clock.random() * interval;
      if (!(await sleepUnlessAborted(clock, offset, signal))) return;
      for (let tick = 0; tick < TICKS_PER_RUN; tick++) {
        this.#chunks.flush();
        if (!(await sleepUnlessAborted(clock, interval, signal))) return;
      }
      this.#chunks.flush();
      if (!(await sleepUnlessAborted(clock, interval - offset, signal))) return;
    }
  }

  async #headerTimesLoop(): Promise<void> {
    const { clock } = this.#options;
    while (await sleepUnlessAborted(clock, HEADER_TIMES_WINDOW_MS, this.#stop.signal)) await this.#sendHeaderTimes();
  }

  async #sendHeaderTimes(): Promise<void> {
    if (this.#pendingHeaderTimes.size === 0) return;
    const batch = new Map(this.#pendingHeaderTimes);
    this.#pendingHeaderTimes.clear();
    try {
      await this.#options.client.saveHeaderTimes(this.#options.jobId, batch);
    } catch (error) {
      this.#options.logger.warn(`dropping header times: ${(error as Error).message}`, { job: this.#options.jobId });
    }
  }
}
