import { Readable } from "node:stream";
import type { Child } from "./child.js";
import type { Logger } from "./logger.js";

/** Options for {@link ProcessOutput}. */
export interface ProcessOutputOptions {
  readonly highWaterMark: number;
  readonly isEndOfOutput: (error: Error) => boolean;
  /** Output still pending in the kernel when the source reports its end (see {@link Child}). */
  readonly readRemaining: (() => Buffer[]) | undefined;
  readonly logger: Logger;
}

/**
 * The process's merged output as Buffers, never decoded. Reading is driven by the
 * consumer: when this stream's buffer is full the source (PTY master or pipe) is
 * paused, the kernel buffer fills, and the process blocks in write(2). Destroying
 * it closes the PTY or pipe.
 */
export class ProcessOutput extends Readable {
  readonly #source: Readable;
  readonly #options: ProcessOutputOptions;
  #ended = false;
  #paused = false;
  #deadlineLeftMs: number | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineArmedAt = 0;

  constructor(source: Readable, options: ProcessOutputOptions) {
    super({ highWaterMark: options.highWaterMark });
    this.#source = source;
    this.#options = options;
    source.on("data", (chunk: Buffer) => {
      if (this.#ended) return;
      if (!this.push(chunk)) {
        this.#paused = true;
        source.pause();
        this.#disarmDeadline();
      }
    });
    source.on("end", () => {
      // Synchronously, in the "end" listener: the source closes its fd right after.
      if (!this.#ended) for (const chunk of this.#options.readRemaining?.() ?? []) this.push(chunk);
      this.#finish();
    });
    source.on("close", () => this.#finish());
    source.on("error", (error: Error) => {
      if (this.#options.isEndOfOutput(error)) this.#finish();
      else this.destroy(error);
    });
  }

  override _read(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#source.resume();
      this.#armDeadline();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#ended = true;
    this.#disarmDeadline();
    this.#source.destroy();
    callback(error);
  }

  /**
   * Starts the clock, once the process has exited, on how long output may stay
   * open: only time in which the consumer is ready for more counts, so a slow
   * consumer loses nothing, but a descendant outside the process group holding the
   * terminal or pipe open cannot keep it open forever.
   */
  startDrainDeadline(ms: number): void {
    if (this.#ended || this.#deadlineLeftMs !== undefined) return;
    this.#deadlineLeftMs = ms;
    if (!this.#paused) this.#armDeadline();
  }

  #armDeadline(): void {
    if (this.#ended || this.#deadlineLeftMs === undefined || this.#deadlineTimer !== undefined) return;
    this.#deadlineArmedAt = performance.now();
    this.#deadlineTimer = setTimeout(() => {
      this.#deadlineTimer = undefined;
      this.#options.logger.warn("process output still open after the process exited; closing it", {
        drainTimeoutMs: this.#deadlineLeftMs,
      });
      this.#finish();
    }, this.#deadlineLeftMs);
  }

  #disarmDeadline(): void {
    if (this.#deadlineTimer === undefined) return;
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineLeftMs = Math.max(0, (this.#deadlineLeftMs ?? 0) - (performance.now() - this.#deadlineArmedAt));
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#disarmDeadline();
    this.push(null);
    this.#source.destroy();
  }
}
