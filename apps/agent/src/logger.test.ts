import { describe, expect, it } from "@jest/globals";
import { Writable } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";
import { createLogger, type LoggerOptions } from "./logger.js";

/** A logger writing plain text lines into an array, at a fixed time. */
function capture(options: LoggerOptions = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ colors: false, now: () => new Date(2024, 0, 2, 3, 4, 5), stream, ...options });
  // winston hands lines to the transport asynchronously; wait a turn before reading.
  const lines = async (): Promise<string[]> => {
    await tick();
    return chunks.join("").split("\n").filter((line) => line !== "");
  };
  return { logger, lines };
}

describe("createLogger levels", () => {
  it("shows NOTICE and INFO but not DEBUG at the default level", async () => {
    const { logger, lines } = capture();
    logger.debug("d");
    logger.info("i");
    logger.notice("n");
    expect(await lines()).toEqual(["2024-01-02 03:04:05 INFO   i", "2024-01-02 03:04:05 NOTICE n"]);
  });

  // In the Go agent NOTICE ranks below INFO, so `--log-level info` hides it.
  it("hides NOTICE at level info, as logger/level.go orders them", async () => {
    const { logger, lines } = capture({ level: "info" });
    logger.notice("n");
    logger.info("i");
    expect(await lines()).toEqual(["2024-01-02 03:04:05 INFO   i"]);
  });

  it("always writes ERROR, even at level fatal", async () => {
    const { logger, lines } = capture({ level: "fatal" });
    logger.warn("w");
    logger.error("e");
    logger.fatal("f");
    expect(await lines()).toEqual(["2024-01-02 03:04:05 ERROR  e", "2024-01-02 03:04:05 FATAL  f"]);
  });

  it("writes DEBUG with `debug`, whatever the level, adding agent_version", async () => {
    const { logger, lines } = capture({ level: "error", debug: true, version: "3.137.0+ts.1.2.3" });
    logger.debug("d", { job: "abc" });
    expect(await lines()).toEqual(["2024-01-02 03:04:05 DEBUG  d job=abc agent_version=3.137.0+ts.1.2.3"]);
  });

  it("reports which levels are enabled", () => {
    const { logger } = capture({ level: "warn" });
    expect([logger.isLevelEnabled("debug"), logger.isLevelEnabled("info"), logger.isLevelEnabled("warn"), logger.isLevelEnabled("error")]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

describe("createLogger fields", () => {
  it("child loggers carry their fields before the line's own, leaving the parent alone", async () => {
    const { logger, lines } = capture();
    const job = logger.child({ job: "abc" });
    job.child({ phase: "checkout" }).notice("Cloning", { attempt: 2, skipped: undefined });
    logger.notice("Parent");
    expect(await lines()).toEqual(["2024-01-02 03:04:05 NOTICE Cloning job=abc phase=checkout attempt=2", "2024-01-02 03:04:05 NOTICE Parent"]);
  });

  it("fields named like winston's own properties do not clash with them", async () => {
    const { logger, lines } = capture();
    logger.notice("Hello", { level: "x", message: "y" });
    expect(await lines()).toEqual(["2024-01-02 03:04:05 NOTICE Hello level=x message=y"]);
  });
});

describe("createLogger json", () => {
  it("writes one JSON object per line", async () => {
    const { logger, lines } = capture({ format: "json" });
    logger.child({ agent: "a1" }).warn("Retrying", { attempt: 1 });
    const [line] = await lines();
    expect(JSON.parse(line!)).toEqual({ ts: expect.any(String), level: "WARN", msg: "Retrying", agent: "a1", attempt: "1" });
  });
});
