import { randomBytes } from "node:crypto";
import { chmod, open, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import type { Logger } from "./logger.js";

/** Go's os.CreateTemp gives up after this many name collisions; a few are plenty for 32 random bits. */
const NAME_ATTEMPTS = 10;

/**
 * `enable-job-log-tmpfile`: a file in `job-log-path` (default the OS temp dir)
 * that gets the same bytes as the chunk uploader, while the job runs, so hooks
 * and log collectors can read the job's log (`BUILDKITE_JOB_LOG_TMPFILE`).
 */
export class JobLogTmpfile {
  /** Absolute path, as exported to the job. */
  readonly path: string;
  readonly #file: FileHandle;
  #failed = false;

  private constructor(file: string, handle: FileHandle) {
    this.path = file;
    this.#file = handle;
  }

  /**
   * Creates the file as Go's agent does: `buildkite_job_log<random decimal>`
   * (os.CreateTemp), then made world-readable (0644) "for log collection".
   * Rejects when the directory is missing or not writable.
   */
  static async create(dir: string): Promise<JobLogTmpfile> {
    const parent = path.resolve(dir || os.tmpdir());
    for (let attempt = 1; ; attempt++) {
      const file = path.join(parent, `buildkite_job_log${randomBytes(4).readUInt32BE()}`);
      let handle: FileHandle;
      try {
        handle = await open(file, "wx", 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST" && attempt < NAME_ATTEMPTS) continue;
        throw new Error(`could not create the job log tmpfile in ${parent}: ${(error as Error).message}`, { cause: error });
      }
      try {
        await chmod(file, 0o644);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(file, { force: true });
        throw new Error(`failed to set permissions on job log tmpfile ${file}: ${(error as Error).message}`, { cause: error });
      }
      return new JobLogTmpfile(file, handle);
    }
  }

  /**
   * A pass-through stage that appends every chunk to the file before passing it
   * on, so the log waits for the disk (bounded) but never holds more. A failed
   * write is logged once and the file is left behind as it is: the job log
   * itself carries on.
   */
  tee(logger: Logger, jobId: string): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void => {
        if (this.#failed) return callback(null, chunk);
        this.#append(chunk).then(
          () => callback(null, chunk),
          (error: unknown) => {
            this.#failed = true;
            logger.warn(`stopped writing the job log tmpfile ${this.path}: ${(error as Error).message}`, { job: jobId });
            callback(null, chunk);
          },
        );
      },
    });
  }

  /** Closes and deletes the file (Go deletes it too, once the job's process is done). */
  async remove(): Promise<void> {
    await this.#file.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  async #append(data: Buffer): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const result = await this.#file.write(data, written, data.length - written);
      written += result.bytesWritten;
    }
  }
}
