import { formatRfc3339NanoLocal, type Job } from "@agent/api-client";
import { isUtf8 } from "node:buffer";
import type { Logger } from "./logger.js";

/**
 * Bytes of job output that may wait in the agent's stdout stream. Go writes the
 * copy synchronously, so a stuck stdout stalls its job; we never make the job
 * wait for this side channel: beyond this much unwritten output, writes are
 * dropped (and counted) until stdout catches up. 4 MiB rides out a log
 * collector's hiccup of a few seconds at typical job output rates.
 */
export const STDOUT_COPY_BUFFER_BYTES = 4 * 1024 * 1024;

/** Settings of a {@link JobLogStdout}. */
export interface JobLogStdoutOptions {
  /** The agent's stdout. */
  readonly stream: NodeJS.WritableStream;
  /** `json` wraps each write as a log record of the agent's JSON logger. */
  readonly format: "text" | "json";
  /** The job whose fields the JSON records carry. */
  readonly job: Pick<Job, "id" | "env" | "traceparent">;
  /** Wall-clock ms, for the records' `ts`. */
  readonly now: () => number;
  /** `@agent/log-redactor`'s goQuote: Go's `%q` (strconv.Quote) without the quotes. */
  readonly goQuote: (value: string) => string;
  readonly logger: Logger;
  /** @default STDOUT_COPY_BUFFER_BYTES */
  readonly bufferBytes?: number;
}

/**
 * `write-job-logs-to-stdout`: a copy of the raw job output (no timestamps, no
 * line prefixes) on the agent's stdout, for container log collection. Every
 * write is one record in `json` format, as Go's `JSONJobLogger`, which wraps
 * each write (not each line) of the executor's output.
 */
export class JobLogStdout {
  readonly #options: JobLogStdoutOptions;
  readonly #limit: number;
  /** The job's fields of a JSON record, as they follow `msg`. */
  readonly #fields: string;
  #pending = 0;
  #dropped = 0;
  #failed = false;

  constructor(options: JobLogStdoutOptions) {
    this.#options = options;
    this.#limit = options.bufferBytes ?? STDOUT_COPY_BUFFER_BYTES;
    this.#fields = options.format === "json" ? jobFields(options.job, options.goQuote) : "";
  }

  /** Bytes not copied because stdout was not keeping up. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Copies one write of job output; never waits. */
  write(data: Buffer): void {
    if (this.#failed) return;
    const out = this.#options.format === "json" ? Buffer.from(this.#record(data)) : data;
    if (this.#pending + out.length > this.#limit) {
      if (this.#dropped === 0) {
        this.#options.logger.warn("stdout is not keeping up with the job log: dropping job output from the stdout copy", {
          job: this.#options.job.id,
        });
      }
      this.#dropped += data.length;
      return;
    }
    this.#pending += out.length;
    this.#options.stream.write(out, (error) => {
      this.#pending -= out.length;
      if (error && !this.#failed) {
        this.#failed = true;
        this.#options.logger.warn(`stopped copying the job log to stdout: ${error.message}`, { job: this.#options.job.id });
      }
    });
  }

  #record(data: Buffer): string {
    // As Go: trailing CR/LF make no sense in a structured record.
    let end = data.length;
    while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
    // Go's time.RFC3339: local time to the second (the Nano format drops a zero fraction).
    const ts = formatRfc3339NanoLocal(new Date(Math.floor(this.#options.now() / 1000) * 1000));
    return `{"ts":"${ts}","level":"INFO","msg":${goJsonString(data.subarray(0, end))},${this.#fields}}\n`;
  }
}

/** The fields of Go's `NewJSONJobLogger`, in its order, each as Go's JSON printer writes them (`%q:%q`). */
function jobFields(job: Pick<Job, "id" | "env" | "traceparent">, goQuote: (value: string) => string): string {
  const env = job.env;
  const fields: [string, string][] = [
    ["source", "job"],
    ["org", env["BUILDKITE_ORGANIZATION_SLUG"] ?? ""],
    ["pipeline", env["BUILDKITE_PIPELINE_SLUG"] ?? ""],
    ["branch", env["BUILDKITE_BRANCH"] ?? ""],
    ["queue", env["BUILDKITE_AGENT_META_DATA_QUEUE"] ?? ""],
    ["build_id", env["BUILDKITE_BUILD_ID"] ?? ""],
    ["build_number", env["BUILDKITE_BUILD_NUMBER"] ?? ""],
    ["job_url", `${env["BUILDKITE_BUILD_URL"] ?? ""}#${job.id}`],
    ["build_url", env["BUILDKITE_BUILD_URL"] ?? ""],
    ["job_id", job.id],
    ["step_key", env["BUILDKITE_STEP_KEY"] ?? ""],
  ];
  // W3C traceparent: version-trace_id-span_id-flags (Go: SplitN(_, "-", 5), at least 4 parts).
  const parts = job.traceparent.split("-");
  if (parts.length >= 4) fields.push(["trace_id", parts[1]!], ["span_id", parts[2]!]);
  return fields.map(([key, value]) => `"${goQuote(key)}":"${goQuote(value)}"`).join(",");
}

const HEX = "0123456789abcdef";
/** What Go's JSON encoder escapes beyond JSON.stringify: HTML characters and JavaScript's line terminators. */
const GO_EXTRA_ESCAPES = /[<>&\u2028\u2029]/g;

/**
 * `json.Marshal` of the Go string made from `bytes`: `<`, `>`, `&`, U+2028 and
 * U+2029 escaped, each byte that is not valid UTF-8 written as `\ufffd` (Go
 * replaces per byte; Buffer#toString would merge some), control characters
 * escaped.
 */
export function goJsonString(bytes: Uint8Array): string {
  // Job output is nearly always valid UTF-8: JSON.stringify escapes as Go does
  // (\b \f \n \r \t, other controls as \u00xx) but for the few Go adds. Only
  // invalid input takes the byte loop, which builds its string piece by piece.
  if (isUtf8(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
    return JSON.stringify(text).replace(GO_EXTRA_ESCAPES, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  return goJsonStringOfInvalid(bytes);
}

/** {@link goJsonString} byte by byte, for input that is not valid UTF-8. */
function goJsonStringOfInvalid(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x22) out += '\\"';
      else if (b === 0x5c) out += "\\\\";
      else if (b === 0x0a) out += "\\n";
      else if (b === 0x0d) out += "\\r";
      else if (b === 0x09) out += "\\t";
      else if (b === 0x08) out += "\\b";
      else if (b === 0x0c) out += "\\f";
      else if (b < 0x20 || b === 0x3c || b === 0x3e || b === 0x26) out += `\\u00${HEX[b >> 4]}${HEX[b & 0xf]}`;
      else out += String.fromCharCode(b);
      i += 1;
      continue;
    }
    const size = utf8RuneSize(bytes, i);
    if (size === 0) {
      out += "\\ufffd";
      i += 1;
      continue;
    }
    const char = Buffer.from(bytes.buffer, bytes.byteOffset + i, size).toString("utf8");
    out += char === "\u2028" ? "\\u2028" : char === "\u2029" ? "\\u2029" : char;
    i += size;
  }
  return `${out}"`;
}

/** Length of the valid multi-byte UTF-8 sequence at `i` (as Go's utf8.DecodeRune accepts it), or 0. */
function utf8RuneSize(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // No overlong forms (E0 needs A0..BF) and no surrogates (ED needs 80..9F).
    const ok = b0 === 0xe0 ? cont(1, 0xa0) : b0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const ok = b0 === 0xf0 ? cont(1, 0x90) : b0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
