import { AnsiParser } from "./ansi-parser.js";
import { LogRedactorError } from "./errors.js";

const EMPTY = Buffer.alloc(0);

/**
 * The agent's ANSI timestamp for a time: the APC sequence `ESC _ bk;t=<ms> BEL`, with
 * `<ms>` the Unix epoch in milliseconds (core/job_controller.go `BKTimestamp`).
 */
export function bkTimestamp(epochMs: number): string {
  return `\x1b_bk;t=${Math.floor(epochMs)}\x07`;
}

/** Settings of a Timestamper (and of `createTimestamperStream`). */
export interface TimestamperOptions {
  /** The clock, in epoch milliseconds; read once per write. @default Date.now */
  readonly now?: () => number;
  /**
   * Makes the bytes inserted for a time; called once per insertion, in order.
   * @default bkTimestamp
   */
  readonly prefix?: (epochMs: number) => string | Uint8Array;
  /** A write arriving more than this long after the last timestamp gets one mid-line. @default 1000 */
  readonly timeoutMs?: number;
}

/**
 * Inserts ANSI timestamps into job output (upstream internal/process/timestamper.go):
 * before the first byte of every line, and mid-line before the bytes of a write that
 * arrives more than `timeoutMs` after the previous timestamp. `\n` and the
 * erase-in-line sequences `ESC[K`, `ESC[0K`, `ESC[1K`, `ESC[2K` end a line, so
 * `\r`-redrawn progress bars that clear with `ESC[K` get fresh stamps while bare
 * `\r` passes through. Never inserts inside an escape sequence: the rest of a
 * sequence left open by the previous write goes out first.
 *
 * Memory is constant whatever the line length: nothing is buffered between writes.
 */
export class Timestamper {
  /** Input bytes consumed so far (what upstream's Write returns; stamps excluded). */
  bytesIn = 0;
  /** Output bytes produced so far, stamps included: they count toward log size and offsets. */
  bytesOut = 0;

  private readonly now: () => number;
  private readonly prefix: ((epochMs: number) => string | Uint8Array) | undefined;
  private readonly timeoutMs: number;
  private readonly parser = new AnsiParser();
  /** A stamp is due before the next byte that is not inside an escape sequence. */
  private stampDue = true;
  private lastStamp = Number.NEGATIVE_INFINITY;
  private cachedTime = Number.NaN;
  private cachedStamp: Buffer = EMPTY;
  // Reused between writes (entries past the current count are stale).
  private readonly insertAt: number[] = [];
  private readonly inserted: Buffer[] = [];

  constructor(options: TimestamperOptions = {}) {
    this.now = options.now ?? Date.now;
    this.prefix = options.prefix;
    this.timeoutMs = options.timeoutMs ?? 1000;
    if (!(this.timeoutMs >= 0)) {
      throw new LogRedactorError("INVALID_OPTION", `Timestamper: option timeoutMs must be >= 0, got ${this.timeoutMs}`);
    }
  }

  /** Timestamps one write; returns the bytes to pass on (a fresh Buffer unless unchanged). */
  write(data: Uint8Array): Buffer {
    const n = data.length;
    if (n === 0) return EMPTY;
    const time = this.now();
    let due = this.stampDue || time - this.lastStamp > this.timeoutMs;
    const insertAt = this.insertAt;
    const inserted = this.inserted;
    let stamps = 0;
    let extra = 0;
    let nextNewline = -1;
    let nextEscape = -1;
    let i = 0;
    while (i < n) {
      if (this.parser.insideCode) {
        i = this.parser.consume(data, i, n);
        if (this.parser.takeLineEnded()) due = true;
        continue;
      }
      if (due) {
        const stamp = this.stampFor(time);
        insertAt[stamps] = i;
        inserted[stamps] = stamp;
        stamps++;
        extra += stamp.length;
        this.lastStamp = time;
        due = false;
      }
      if (nextNewline < i) {
        nextNewline = data.indexOf(0x0a, i);
        if (nextNewline < 0) nextNewline = n;
      }
      if (nextEscape < i) {
        nextEscape = data.indexOf(0x1b, i);
        if (nextEscape < 0) nextEscape = n;
      }
      if (nextNewline < nextEscape) {
        i = nextNewline + 1;
        due = true;
      } else if (nextEscape < n) {
        i = nextEscape + 1;
        this.parser.enterEscape();
      } else {
        i = n;
      }
    }
    this.stampDue = due;
    this.bytesIn += n;
    this.bytesOut += n + extra;
    const source = Buffer.from(data.buffer, data.byteOffset, n);
    if (extra === 0) return source;
    // Assemble without a copy call per line (Buffer#copy allocates a view each time,
    // which dominated the cost with short lines): put the input at the end of the
    // output in one copy, then slide each line left into place with copyWithin and
    // write its stamp in the gap. Every move is leftwards, onto bytes already moved.
    const out = Buffer.allocUnsafe(n + extra);
    out.set(source, extra);
    let offset = 0;
    let from = 0;
    for (let k = 0; k < stamps; k++) {
      const at = insertAt[k]!;
      if (at > from) out.copyWithin(offset, extra + from, extra + at);
      offset += at - from;
      const stamp = inserted[k]!;
      out.set(stamp, offset);
      offset += stamp.length;
      from = at;
    }
    if (from < n) out.copyWithin(offset, extra + from, extra + n);
    return out;
  }

  private stampFor(time: number): Buffer {
    if (this.prefix !== undefined) {
      const made = this.prefix(time);
      return typeof made === "string" ? Buffer.from(made) : Buffer.from(made.buffer, made.byteOffset, made.length);
    }
    if (time !== this.cachedTime) {
      this.cachedTime = time;
      this.cachedStamp = Buffer.from(bkTimestamp(time));
    }
    return this.cachedStamp;
  }
}
