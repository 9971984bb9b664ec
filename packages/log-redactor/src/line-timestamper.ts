import { LogRedactorError } from "./errors.js";
import { headerLineKind } from "./header-lines.js";
import { rfc3339Seconds } from "./rfc3339.js";

const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from("\n");
/** Header detection looks at this much of a line: enough for any run of colour codes seen in practice. */
const HEADER_PROBE_BYTES = 4096;

/** Settings of a LineTimestamper. */
export interface LineTimestamperOptions {
  /** The clock, in epoch milliseconds; read when a line is written out. @default Date.now */
  readonly now?: () => number;
  /**
   * Longest line held back waiting for its end. A longer line is written out in
   * pieces; only the first gets the prefix. Bounds memory on a 50 MB line. @default 1048576
   */
  readonly maxLineBytes?: number;
}

/**
 * The `timestamp-lines` mode (with `no-ansi-timestamps`; upstream
 * internal/process/scanner.go): every line becomes `[<UTC RFC 3339 seconds>] <line>`,
 * except header lines and `^^^ +++` lines, which stay bare. Output is line-buffered;
 * each line's ending (`\n` or `\r\n`) becomes `\n`, and `end()` terminates a final
 * unterminated line with `\n`. A `\r` inside a line is kept.
 */
export class LineTimestamper {
  private readonly now: () => number;
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Part of the current line was already written (so no prefix is due for it). */
  private lineStarted = false;
  /** The prefix for `prefixSecond` (epoch seconds): lines come far faster than seconds change. */
  private prefix: Buffer = EMPTY;
  private prefixSecond = Number.NaN;

  constructor(options: LineTimestamperOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new LogRedactorError("INVALID_OPTION", `LineTimestamper: option maxLineBytes must be a positive integer, got ${this.maxLineBytes}`);
    }
  }

  /** Prefixes the complete lines of `data` (with earlier held bytes); holds the rest. */
  write(data: Uint8Array): Buffer {
    const source = Buffer.from(data.buffer, data.byteOffset, data.length);
    const out: Buffer[] = [];
    let from = 0;
    for (let newline = source.indexOf(0x0a); newline >= 0; newline = source.indexOf(0x0a, from)) {
      this.pending.push(source.subarray(from, newline));
      this.pendingBytes += newline - from;
      let line = this.takePending();
      if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
      this.emit(out, line);
      out.push(NEWLINE);
      this.lineStarted = false;
      from = newline + 1;
    }
    if (from < source.length) {
      // Copy: the caller may reuse its buffer.
      this.pending.push(Buffer.from(source.subarray(from)));
      this.pendingBytes += source.length - from;
      if (this.pendingBytes > this.maxLineBytes) {
        let piece = this.takePending();
        // Keep a trailing `\r`: it may be the start of a `\r\n` ending.
        if (piece[piece.length - 1] === 0x0d) {
          this.pending.push(piece.subarray(-1));
          this.pendingBytes = 1;
          piece = piece.subarray(0, -1);
        }
        this.emit(out, piece);
        this.lineStarted = true;
      }
    }
    return out.length === 0 ? EMPTY : Buffer.concat(out);
  }

  /** Writes out a final unterminated line, with `\n` added. */
  end(): Buffer {
    if (this.pendingBytes === 0 && !this.lineStarted) return EMPTY;
    const out: Buffer[] = [];
    this.emit(out, this.takePending());
    out.push(NEWLINE);
    this.lineStarted = false;
    return Buffer.concat(out);
  }

  private takePending(): Buffer {
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private emit(out: Buffer[], line: Buffer): void {
    if (!this.lineStarted && headerLineKind(line.subarray(0, HEADER_PROBE_BYTES)) === undefined) {
      out.push(this.prefixFor(this.now()));
    }
    out.push(line);
  }

  private prefixFor(epochMs: number): Buffer {
    const second = Math.floor(epochMs / 1000);
    if (second !== this.prefixSecond) {
      this.prefix = Buffer.from(`[${rfc3339Seconds(epochMs)}] `);
      this.prefixSecond = second;
    }
    return this.prefix;
  }
}
