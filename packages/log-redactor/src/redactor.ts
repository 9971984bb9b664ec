import { LogRedactorError } from "./errors.js";
import { silentLogger, type Logger } from "./logger.js";
import { needlePattern, secretForms } from "./needle-forms.js";
import { NeedleMatcher } from "./needle-matcher.js";

/** The replacement the real agent writes for every redacted range. */
export const REDACTED = "[REDACTED]";

const PLACEHOLDER = Buffer.from(REDACTED);
const EMPTY = Buffer.alloc(0);
const encoder = new TextEncoder();

/** Settings of a Redactor (and of `createRedactorStream`). */
export interface RedactorOptions {
  /** Secrets to redact from the start. Empty values are ignored, duplicates merged. @default [] */
  readonly secrets?: Iterable<string | Uint8Array>;
  /**
   * Also redact each secret's Go-escaped (`%q` minus quotes) form when it differs,
   * as the agent does for every needle. Turn off only to replay upstream's raw
   * replacer vectors. @default true
   */
  readonly escapedForms?: boolean;
  /**
   * Also redact each secret's base64 forms (three alignments, trimmed to the stable
   * characters, each at least 8 characters) and URL-encoded forms
   * (`encodeURIComponent`, and with `+` for space). The real agent does not. @default true
   */
  readonly encodedForms?: boolean;
  /**
   * Longest whitespace run, in bytes, that a line break inside a multi-line secret
   * matches. Bounds the bytes held back (upstream's runs are unbounded). @default 1024
   */
  readonly maxWhitespaceRun?: number;
  /** Most matcher states cached (1 KiB each) before the cache is rebuilt. @default 4096 */
  readonly maxMatcherStates?: number;
  /** Receives a debug line when the secret set changes (counts only, never values). @default silent */
  readonly logger?: Logger;
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? encoder.encode(value) : value;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new LogRedactorError("INVALID_OPTION", `Redactor: option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Streaming secret redaction on bytes, with the real agent's rules
 * (internal/replacer): every occurrence of every secret is replaced by
 * `[REDACTED]`; overlapping occurrences become one placeholder, touching ones one
 * each; occurrences split across any number of writes are caught, because the bytes
 * that may still begin a secret are held back (never more than `maxMatchLength - 1`
 * of them). Invalid UTF-8 and NUL bytes pass through unchanged.
 *
 * Synchronous and allocation-light for speed; `createRedactorStream` wraps it as a
 * Transform. The Buffer `write` returns may share memory with its argument.
 */
export class Redactor {
  private readonly escapedForms: boolean;
  private readonly encodedForms: boolean;
  private readonly maxWhitespaceRun: number;
  private readonly maxStates: number;
  private readonly logger: Logger;
  private readonly secretSet = new Map<string, Uint8Array>();
  private matcher: NeedleMatcher;

  /** Absolute stream offset of the first retained byte. */
  private retainedStart = 0;
  /**
   * Holds the bytes that may still be part of a match (from the oldest live partial
   * match on): `store[retainedOffset, storeUsed)`. Each write appends to them in place,
   * so a long partial match held across many small writes is not copied again on every
   * write (which was quadratic in its length). Bytes before `retainedOffset` may be
   * shared with Buffers `write` returned, so they are never overwritten: a full store is
   * replaced by a new one, not compacted.
   */
  private store: Buffer = EMPTY;
  private retainedOffset = 0;
  private storeUsed = 0;
  /** Every byte before this absolute offset has been written out or redacted. */
  private emitted = 0;
  /** End of the last placeholder written; a later match starting before it extends it. */
  private suppressUntil = 0;
  /** Merged match ranges found but not yet written out (sorted, disjoint). */
  private pendingStarts: number[] = [];
  private pendingEnds: number[] = [];
  private pendingHead = 0;
  /** Absolute offset of the first byte of the `write` being scanned. */
  private scanBase = 0;
  private readonly onMatch = (start: number, end: number): void => this.record(this.scanBase + start, this.scanBase + end);

  constructor(options: RedactorOptions = {}) {
    this.escapedForms = options.escapedForms ?? true;
    this.encodedForms = options.encodedForms ?? true;
    this.maxWhitespaceRun = positiveInteger("maxWhitespaceRun", options.maxWhitespaceRun, 1024);
    this.maxStates = positiveInteger("maxMatcherStates", options.maxMatcherStates, 4096);
    this.logger = options.logger ?? silentLogger;
    for (const secret of options.secrets ?? []) this.remember(secret);
    this.matcher = this.buildMatcher();
  }

  /** Longest number of bytes one match can span; the held-back tail is always shorter. */
  get maxMatchLength(): number {
    return this.matcher.maxMatchLength;
  }

  /** Bytes held back now because they may still be the start of a secret. */
  get heldBytes(): number {
    return this.storeUsed - this.retainedOffset;
  }

  /** The secrets (not their derived forms) currently redacted, sorted bytewise, as UTF-8 text. */
  secrets(): string[] {
    return [...this.secretSet.values()]
      .sort((a, b) => Buffer.compare(a, b))
      .map((secret) => Buffer.from(secret).toString("utf8"));
  }

  /**
   * Adds secrets (`redactor add`, the Job API, pipeline secrets): redacted at any
   * length, in bytes written from now on. Held-back bytes are not rescanned; an
   * occurrence that began in them is caught only when that beginning was also a
   * partial match of a secret known before.
   */
  add(secrets: Iterable<string | Uint8Array>): void {
    let added = 0;
    for (const secret of secrets) if (this.remember(secret)) added++;
    if (added > 0) this.rebuild();
  }

  /** Replaces the whole secret set; partial matches of dropped secrets are released. */
  reset(secrets: Iterable<string | Uint8Array>): void {
    this.secretSet.clear();
    for (const secret of secrets) this.remember(secret);
    this.rebuild();
  }

  /**
   * Redacts the next bytes of the stream. Returns the bytes that are now final
   * (possibly none); the rest is held until a later write or `flush`.
   */
  write(chunk: Uint8Array): Buffer {
    if (chunk.length === 0) return EMPTY;
    const held = this.heldBytes;
    // A chunk smaller than the held bytes is appended to them in the store; a larger
    // one is scanned where it is (or joined with them in a new buffer, which costs
    // no more than the chunk's size), so the store never grows to fit a big chunk and
    // stays within a few times the longest match.
    const inPlace = held > 0 && chunk.length < held;
    let work: Buffer;
    if (inPlace) {
      this.append(chunk);
      work = this.store.subarray(this.retainedOffset, this.storeUsed);
    } else if (held === 0) {
      work = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    } else {
      work = Buffer.concat([this.store.subarray(this.retainedOffset, this.storeUsed), chunk]);
    }
    const base = this.retainedStart;
    this.scanBase = base;
    this.matcher.scan(work, held, work.length, this.onMatch);
    const end = base + work.length;
    // A partial match restored by add()/reset() may reach back before these bytes
    // (into a secret already released as [REDACTED]); only bytes we have can be held.
    const hold = Math.min(this.matcher.partialLength(work, work.length), work.length);
    const out = this.release(work, base, end - hold);
    if (inPlace) {
      // `work` is the store's tail: what is held is its own tail, kept in place.
      this.retainedOffset = this.storeUsed - hold;
    } else {
      // `work` may be the caller's memory, which it may reuse once write returns: copy.
      this.retainedOffset = this.storeUsed;
      if (hold > 0) this.append(work.subarray(work.length - hold));
    }
    this.retainedStart = end - hold;
    return out;
  }

  /**
   * Releases every held byte: unfinished partial matches count as non-matches, as
   * upstream does after each hook and after the command phase.
   */
  flush(): Buffer {
    const end = this.retainedStart + this.heldBytes;
    const out = this.release(this.store.subarray(this.retainedOffset, this.storeUsed), this.retainedStart, end);
    this.matcher.resetState();
    this.retainedOffset = this.storeUsed;
    this.retainedStart = end;
    return out;
  }

  /**
   * Appends `bytes` to the held bytes in the store. A store without room is replaced
   * by one twice the size needed (so appends cost amortised O(1) per byte), which
   * starts with the held bytes.
   */
  private append(bytes: Uint8Array): void {
    if (this.storeUsed + bytes.length > this.store.length) {
      const held = this.heldBytes;
      const next = Buffer.allocUnsafe(2 * (held + bytes.length));
      this.store.copy(next, 0, this.retainedOffset, this.storeUsed);
      this.store = next;
      this.retainedOffset = 0;
      this.storeUsed = held;
    }
    this.store.set(bytes, this.storeUsed);
    this.storeUsed += bytes.length;
  }

  private remember(secret: string | Uint8Array): boolean {
    const bytes = toBytes(secret);
    if (bytes.length === 0) return false;
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
    if (this.secretSet.has(key)) return false;
    this.secretSet.set(key, Uint8Array.from(bytes));
    return true;
  }

  private buildMatcher(): NeedleMatcher {
    const patterns = new Map<string, Uint16Array>();
    const forms = { escapedForms: this.escapedForms, encodedForms: this.encodedForms };
    for (const secret of this.secretSet.values()) {
      for (const form of secretForms(secret, forms)) {
        const pattern = needlePattern(form);
        if (pattern !== undefined) patterns.set(pattern.join(","), pattern);
      }
    }
    const matcher = new NeedleMatcher(patterns.values(), {
      maxWhitespaceRun: this.maxWhitespaceRun,
      maxStates: this.maxStates,
    });
    this.logger.debug("Redactor secrets changed", { secrets: this.secretSet.size, needles: patterns.size });
    return matcher;
  }

  private rebuild(): void {
    const live = this.matcher.livePaths();
    this.matcher = this.buildMatcher();
    this.matcher.restore(live);
  }

  /** Records a match [start, end) in absolute offsets; matches arrive in order of `end`. */
  private record(start: number, end: number): void {
    if (start < this.suppressUntil) {
      // Overlaps a placeholder already written: the merged range just grows.
      let until = end > this.suppressUntil ? end : this.suppressUntil;
      while (this.pendingHead < this.pendingStarts.length && this.pendingStarts[this.pendingHead]! < until) {
        const pendingEnd = this.pendingEnds[this.pendingHead]!;
        if (pendingEnd > until) until = pendingEnd;
        this.pendingHead++;
      }
      this.suppressUntil = until;
      return;
    }
    // Every pending range ends at or before `end`, so the ones overlapping this
    // match are a suffix of the list.
    while (this.pendingStarts.length > this.pendingHead && this.pendingEnds[this.pendingEnds.length - 1]! > start) {
      const pendingStart = this.pendingStarts.pop()!;
      const pendingEnd = this.pendingEnds.pop()!;
      if (pendingStart < start) start = pendingStart;
      if (pendingEnd > end) end = pendingEnd;
    }
    this.pendingStarts.push(start);
    this.pendingEnds.push(end);
  }

  /**
   * Writes out everything before `final` (absolute), given that no future match can
   * start before it. `work[0]` is at absolute offset `base`. A pending range that
   * starts at or before `final` gets its placeholder now even if it reaches past
   * `final`: a later overlapping match can only extend it.
   */
  private release(work: Buffer, base: number, final: number): Buffer {
    // Plain comparisons, not Math.max: this runs per write, and Math.* is very slow
    // under Jest's sandboxed globals.
    let cursor = this.emitted > this.suppressUntil ? this.emitted : this.suppressUntil;
    const starts = this.pendingStarts;
    const ends = this.pendingEnds;
    // Fast path: nothing to redact.
    if (this.pendingHead === starts.length) {
      if (cursor >= final) {
        this.emitted = cursor;
        return EMPTY;
      }
      this.emitted = final;
      return work.subarray(cursor - base, final - base);
    }
    const pieces: number[] = [];
    let size = 0;
    while (this.pendingHead < starts.length && starts[this.pendingHead]! <= final) {
      const start = starts[this.pendingHead]!;
      const end = ends[this.pendingHead]!;
      this.pendingHead++;
      if (cursor < start) {
        pieces.push(cursor, start);
        size += start - cursor;
      }
      pieces.push(-1, -1);
      size += PLACEHOLDER.length;
      cursor = end;
      this.suppressUntil = end;
    }
    if (cursor < final) {
      pieces.push(cursor, final);
      size += final - cursor;
    }
    this.emitted = cursor > final ? cursor : final;
    if (this.pendingHead === starts.length) {
      this.pendingStarts = [];
      this.pendingEnds = [];
      this.pendingHead = 0;
    }
    const out = Buffer.allocUnsafe(size);
    let offset = 0;
    for (let k = 0; k < pieces.length; k += 2) {
      if (pieces[k] === -1) {
        offset += PLACEHOLDER.copy(out, offset);
      } else {
        offset += work.copy(out, offset, pieces[k]! - base, pieces[k + 1]! - base);
      }
    }
    return out;
  }
}
