import { isHeaderLine } from "./header-lines.js";
import { rfc3339Nano } from "./rfc3339.js";

/** A header line seen in the job log, as `POST jobs/{id}/header_times` reports it. */
export interface HeaderTime {
  /** 0 for the job's first header, then +1 per header. */
  readonly index: number;
  /** When the header was seen: UTC RFC 3339 with fractional seconds (Go's RFC3339Nano). */
  readonly time: string;
  /** The same time in epoch milliseconds. */
  readonly epochMs: number;
}

/** Settings of a HeaderTimeObserver. */
export interface HeaderTimeObserverOptions {
  /** Called for every header line, in order. */
  readonly onHeader: (header: HeaderTime) => void;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * How much of a line's start is kept to classify it: a header needs four visible
 * bytes, plus however many colour codes come first. Bounds memory on huge lines.
 */
const HEAD_BYTES = 1024;

/**
 * Finds header lines (`---`, `+++`, `~~~` then white space, after removing colour
 * codes) in job output and reports each with the time it was seen, for the header
 * times the agent sends when ANSI timestamps are off (agent/header_times_streamer.go).
 * It only reads: the bytes are not altered. A header is reported when its line
 * ends, or once HEAD_BYTES of it have arrived.
 */
export class HeaderTimeObserver {
  private readonly onHeader: (header: HeaderTime) => void;
  private readonly now: () => number;
  private readonly head = Buffer.alloc(HEAD_BYTES);
  private headBytes = 0;
  /** The current line has been classified (or cannot be a header). */
  private decided = false;
  private index = 0;

  constructor(options: HeaderTimeObserverOptions) {
    this.onHeader = options.onHeader;
    this.now = options.now ?? Date.now;
  }

  /** Looks at the next bytes of the job output. */
  observe(data: Uint8Array): void {
    let from = 0;
    while (from < data.length) {
      let end = data.indexOf(0x0a, from);
      const lineEnds = end >= 0;
      if (!lineEnds) end = data.length;
      if (!this.decided) {
        if (this.headBytes === 0 && !couldStartHeader(data[from]!) && from < end) {
          this.decided = true;
        } else {
          const take = Math.min(end - from, HEAD_BYTES - this.headBytes);
          this.head.set(data.subarray(from, from + take), this.headBytes);
          this.headBytes += take;
          if (this.headBytes === HEAD_BYTES) this.classify();
        }
      }
      if (!lineEnds) return;
      if (!this.decided) this.classify();
      this.headBytes = 0;
      this.decided = false;
      from = end + 1;
    }
  }

  /** The output ended: a final unterminated line is classified too. */
  end(): void {
    if (!this.decided && this.headBytes > 0) this.classify();
    this.headBytes = 0;
    this.decided = false;
  }

  private classify(): void {
    this.decided = true;
    if (!isHeaderLine(this.head.subarray(0, this.headBytes))) return;
    const epochMs = this.now();
    this.onHeader({ index: this.index++, time: rfc3339Nano(epochMs), epochMs });
  }
}

/** `-`, `+`, `~` or ESC (a colour code before the marker). */
function couldStartHeader(byte: number): boolean {
  return byte === 0x2d || byte === 0x2b || byte === 0x7e || byte === 0x1b;
}
