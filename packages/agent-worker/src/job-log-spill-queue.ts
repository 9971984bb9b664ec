import type { LogChunk } from "@agent/log-redactor";
import { randomBytes } from "node:crypto";
import { open, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "./logger.js";

/** Settings of a {@link JobLogSpillQueue}. */
export interface JobLogSpillQueueOptions {
  /** Chunk bytes queued in memory before further chunks go to the spill file. */
  readonly memoryLimitBytes: number;
  /**
   * Largest size of the spill file. It is reused from its start each time
   * everything in it was read back; a backlog that would grow it further waits
   * for the uploads instead, as when the disk fails, so a job log never fills a
   * (often RAM-backed) temp dir.
   */
  readonly spillLimitBytes: number;
  /** Directory of the spill file (created on the first spill, 0600, removed by `close`). */
  readonly dir: string;
  /** Names the spill file and the log fields. */
  readonly jobId: string;
  readonly logger: Logger;
}

/** A queued chunk: its bytes in memory, or at `position` in the spill file. */
interface Entry {
  readonly sequence: number;
  readonly offset: number;
  readonly size: number;
  data: Buffer | undefined;
  readonly position: number;
}

/**
 * The chunks of one job log waiting for an upload worker, in order. Up to
 * `memoryLimitBytes` of them are kept in memory; beyond that their bytes are
 * appended to a spill file and read back when their turn comes, so a long
 * upload outage neither stalls the job (Go's agent keeps running too, buffering
 * in memory without a bound) nor grows memory with the log. Only when the spill
 * file cannot be written does `push` wait for the uploads (backpressure).
 */
export class JobLogSpillQueue {
  readonly #options: JobLogSpillQueueOptions;
  readonly #entries: Entry[] = [];
  #head = 0;
  #memoryBytes = 0;
  #file: FileHandle | undefined;
  #filePath: string | undefined;
  #writePosition = 0;
  /** Entries whose bytes are in the spill file and not yet read back (or being read). */
  #onDisk = 0;
  #diskFailed = false;
  #ended = false;
  #closed = false;
  /** Waiters for a change: a chunk queued, the end, or memory freed. */
  #waiters: (() => void)[] = [];

  constructor(options: JobLogSpillQueueOptions) {
    this.#options = options;
  }

  /** Chunk bytes held in memory by the queue (not those being uploaded). */
  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  /** Path of the spill file, once one was needed. */
  get spillFile(): string | undefined {
    return this.#filePath;
  }

  /**
   * Queues a chunk. Resolves at once while it fits in memory, after the disk
   * write when it is spilled, and, when the spill file cannot be written, once
   * the uploads have brought memory back under the limit.
   */
  async push(chunk: LogChunk): Promise<void> {
    if (this.#ended) throw new Error("JobLogSpillQueue: push after end");
    const { memoryLimitBytes, spillLimitBytes } = this.#options;
    const fitsOnDisk = !this.#diskFailed && this.#writePosition + chunk.size <= spillLimitBytes;
    if (this.#memoryBytes + chunk.size > memoryLimitBytes && fitsOnDisk) {
      const position = await this.#spill(chunk.data);
      if (position !== undefined) {
        this.#enqueue({ sequence: chunk.sequence, offset: chunk.offset, size: chunk.size, data: undefined, position });
        return;
      }
    }
    this.#enqueue({ sequence: chunk.sequence, offset: chunk.offset, size: chunk.size, data: chunk.data, position: -1 });
    this.#memoryBytes += chunk.size;
    // Over the memory limit only when the chunk could not be spilled (the disk
    // failed, or the spill file is full): wait for the uploads.
    while (this.#memoryBytes > memoryLimitBytes && !this.#closed) await this.#changed();
  }

  /** No more chunks: `shift` resolves `undefined` once the queue is empty. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /**
   * The next chunk in sequence order, waiting for one if needed; `undefined`
   * after `end` once everything was taken. Safe to call from several workers.
   * Rejects when a spilled chunk cannot be read back (that chunk is lost).
   */
  async shift(): Promise<LogChunk | undefined> {
    while (this.#head === this.#entries.length) {
      if (this.#ended || this.#closed) return undefined;
      await this.#changed();
    }
    const entry = this.#entries[this.#head]!;
    this.#entries[this.#head++] = undefined as never;
    if (this.#head === this.#entries.length) {
      this.#entries.length = 0;
      this.#head = 0;
    }
    if (entry.data !== undefined) {
      this.#memoryBytes -= entry.size;
      this.#wake();
      return { sequence: entry.sequence, offset: entry.offset, size: entry.size, data: entry.data };
    }
    try {
      const data = Buffer.allocUnsafe(entry.size);
      const { bytesRead } = await this.#file!.read(data, 0, entry.size, entry.position);
      if (bytesRead !== entry.size) throw new Error(`read ${bytesRead} of ${entry.size} bytes`);
      return { sequence: entry.sequence, offset: entry.offset, size: entry.size, data };
    } catch (error) {
      throw new Error(`log chunk ${entry.sequence} could not be read back from the spill file ${this.#filePath}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      // Everything spilled was read back: the next spill reuses the file from its start.
      if (--this.#onDisk === 0) this.#writePosition = 0;
    }
  }

  /** Ends the queue, drops what is left and removes the spill file. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#ended = true;
    this.#wake();
    const file = this.#file;
    this.#file = undefined;
    await file?.close().catch(() => undefined);
    if (this.#filePath === undefined) return;
    // A spill file that cannot be removed must not keep the job from finishing.
    await rm(this.#filePath, { force: true }).catch((error: Error) =>
      this.#options.logger.warn(`could not remove the job log spill file ${this.#filePath}: ${error.message}`, { job: this.#options.jobId }),
    );
  }

  /** Appends `data` to the spill file; its position, or undefined when the disk failed (then logged once). */
  async #spill(data: Buffer): Promise<number | undefined> {
    const { dir, jobId, logger } = this.#options;
    try {
      if (this.#file === undefined) {
        this.#filePath = path.join(dir, `job-log-spill-${jobId}-${randomBytes(6).toString("hex")}`);
        this.#file = await open(this.#filePath, "wx+", 0o600);
        logger.warn(`job log uploads are behind: spilling pending log chunks to ${this.#filePath}`, { job: jobId });
      }
      const position = this.#writePosition;
      // Reserve the range before the await: positional writes cannot interleave wrongly.
      this.#writePosition += data.length;
      this.#onDisk += 1;
      try {
        let written = 0;
        while (written < data.length) {
          const result = await this.#file.write(data, written, data.length - written, position + written);
          written += result.bytesWritten;
        }
      } catch (error) {
        this.#onDisk -= 1;
        throw error;
      }
      return position;
    } catch (error) {
      this.#diskFailed = true;
      logger.warn(
        `job log chunks cannot be spilled to ${this.#filePath ?? dir} (${(error as Error).message}): the job now waits for uploads instead`,
        { job: jobId },
      );
      return undefined;
    }
  }

  #enqueue(entry: Entry): void {
    this.#entries.push(entry);
    this.#wake();
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
