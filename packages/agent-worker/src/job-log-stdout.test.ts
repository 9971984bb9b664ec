import { describe, expect, it } from "@jest/globals";
import { formatRfc3339NanoLocal } from "@agent/api-client";
import { goQuote } from "@agent/log-redactor";
import { Writable } from "node:stream";
import { JobLogStdout, goJsonString } from "./job-log-stdout.js";
import { silentLogger, type Logger } from "./logger.js";

const JOB = {
  id: "job-123",
  traceparent: "",
  env: {
    BUILDKITE_ORGANIZATION_SLUG: "my-org",
    BUILDKITE_PIPELINE_SLUG: "my-pipeline",
    BUILDKITE_BRANCH: "main",
    BUILDKITE_AGENT_META_DATA_QUEUE: "default",
    BUILDKITE_BUILD_ID: "build-456",
    BUILDKITE_BUILD_NUMBER: "42",
    BUILDKITE_BUILD_URL: "https://buildkite.com/my-org/my-pipeline/builds/42",
    BUILDKITE_STEP_KEY: "my-step",
  },
};
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
/** Go's time.RFC3339 of NOW in this process's zone: the second, no fraction. */
const NOW_TS = formatRfc3339NanoLocal(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));

/** A real writable that records what it was given. */
function sink(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString("utf8") };
}

function copy(stream: NodeJS.WritableStream, format: "text" | "json", overrides: Partial<ConstructorParameters<typeof JobLogStdout>[0]> = {}) {
  return new JobLogStdout({ stream, format, job: JOB, now: () => NOW, goQuote, logger: silentLogger, ...overrides });
}

describe("JobLogStdout", () => {
  it("copies text output byte for byte", () => {
    const out = sink();
    const stdout = copy(out.stream, "text");
    stdout.write(Buffer.from("hello\r\n\x1b[31mred"));
    stdout.write(Buffer.from([0xff, 0x0a]));
    expect(Buffer.from(out.text(), "utf8")).toEqual(Buffer.from("hello\r\n\x1b[31mred\ufffd\n", "utf8"));
  });

  it("wraps each write as Go's JSONJobLogger does: ts, level, msg, then the job's fields in Go's order", () => {
    const out = sink();
    copy(out.stream, "json").write(Buffer.from("hello\r\nworld\r\n"));
    expect(out.text()).toBe(
      `{"ts":"${NOW_TS}","level":"INFO","msg":"hello\\r\\nworld","source":"job","org":"my-org",` +
        '"pipeline":"my-pipeline","branch":"main","queue":"default","build_id":"build-456","build_number":"42",' +
        '"job_url":"https://buildkite.com/my-org/my-pipeline/builds/42#job-123",' +
        '"build_url":"https://buildkite.com/my-org/my-pipeline/builds/42","job_id":"job-123","step_key":"my-step"}\n',
    );
  });

  it.each([
    ["a valid traceparent adds trace_id and span_id", "00-abcdef1234567890abcdef1234567890-1234567890abcdef-01", ',"trace_id":"abcdef1234567890abcdef1234567890","span_id":"1234567890abcdef"}'],
    ["too few parts add nothing", "00-abcdef1234567890", '"step_key":""}'],
    ["no traceparent adds nothing", "", '"step_key":""}'],
  ])("%s", (_name, traceparent, ending) => {
    const out = sink();
    copy(out.stream, "json", { job: { id: "j", env: {}, traceparent } }).write(Buffer.from("x"));
    expect(out.text().trimEnd().endsWith(ending)).toBe(true);
    expect(JSON.parse(out.text())).toMatchObject({ job_url: "#j", msg: "x" });
  });

  it("quotes field values with Go's %q", () => {
    const out = sink();
    copy(out.stream, "json", { job: { id: "j", env: { BUILDKITE_BRANCH: 'feat/"x"\t\u00a0日本' }, traceparent: "" } }).write(Buffer.from("x"));
    expect(out.text()).toContain('"branch":"feat/\\"x\\"\\t\\u00a0日本"');
  });

  it("never waits for a stuck stdout: beyond its buffer, output is dropped and counted, with one warning", () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    let written = 0;
    const stuck = new Writable({
      write(chunk: Buffer) {
        written += chunk.length; // and never calls back
      },
    });
    const stdout = copy(stuck, "text", { bufferBytes: 10, logger });
    stdout.write(Buffer.from("123456"));
    stdout.write(Buffer.from("7890"));
    stdout.write(Buffer.from("abc"));
    stdout.write(Buffer.from("defg"));
    expect(written).toBe(6);
    expect(stuck.writableLength).toBe(10);
    expect(stdout.droppedBytes).toBe(7);
    expect(warnings).toHaveLength(1);
  });
});

describe("goJsonString (Go's json.Marshal of a string)", () => {
  it.each([
    ["HTML characters", Buffer.from("<a href='x'>&</a>"), '"\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e"'],
    ["control characters", Buffer.from("\x1b[0m\b\f\t\x00"), '"\\u001b[0m\\b\\f\\t\\u0000"'],
    ["line and paragraph separators", Buffer.from("a\u2028b\u2029c"), '"a\\u2028b\\u2029c"'],
    ["valid multi-byte text and percent signs", Buffer.from("日本 é 😀 0% (1/140)"), '"日本 é 😀 0% (1/140)"'],
    // Buffer#toString would give one U+FFFD for the truncated sequence; Go gives one per byte.
    ["each invalid byte", Buffer.from([0x61, 0xe2, 0x82, 0x62, 0xed, 0xa0, 0x80, 0xc0, 0xaf]), '"a\\ufffd\\ufffdb\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"'],
  ])("escapes %s", (_name, input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });

  // Valid UTF-8 takes a JSON.stringify fast path; one invalid byte sends the same
  // text through the byte loop. Both must write it alike.
  it("writes valid text the same on its fast path as byte by byte", () => {
    // Every kind of character: controls, quote, backslash, HTML, DEL, 2/3/4-byte, U+2028/9.
    const pool = [..."\x00\x01\b\t\n\f\r\x1b\x1f \"\\/<>&'a%~\x7f\u0080é\u07ff\u0800日\u2028\u2029\ufffd\uffff😀\u{10ffff}"];
    let seed = 1;
    const random = (n: number): number => ((seed = (seed * 48_271) % 2_147_483_647), seed % n);
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: random(40) }, () => pool[random(pool.length)]).join("");
      const fast = goJsonString(Buffer.from(text));
      const slow = goJsonString(Buffer.concat([Buffer.from(text), Buffer.from([0xff])]));
      expect(slow).toBe(`${fast.slice(0, -1)}\\ufffd"`);
      expect(JSON.parse(fast)).toBe(text);
    }
  });
});

describe("the JSON records' ts", () => {
  it("is Go's time.RFC3339 in local time: the write's second, with the zone's offset", () => {
    const out = sink();
    copy(out.stream, "json").write(Buffer.from("x"));
    const { ts } = JSON.parse(out.text()) as { ts: string };
    expect(ts).toMatch(/^2026-01-0[12]T\d\d:\d\d:05(Z|[+-]\d\d:\d\d)$/);
    // The same instant, cut to the second, whatever the test machine's zone.
    expect(Date.parse(ts)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(ts).toBe(NOW_TS);
  });
});
