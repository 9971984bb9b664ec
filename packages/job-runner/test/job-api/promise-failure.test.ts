import { once, EventEmitter } from "node:events";
import { request } from "node:http";
import { describe, expect, it } from "@jest/globals";
import type { Logger } from "../../src/logger.js";
import type { PromiseFailureDeclaration, PromiseFailureDeclarer } from "../../src/job-api/index.js";
import { call, startServer, type Started } from "./harness.js";

/** A fake upstream: each declaration waits until the test settles it. */
class FakeUpstream {
  readonly calls: Array<{ exitStatus: number; reason: string | undefined; signal: AbortSignal }> = [];
  readonly #pending: Array<(result: PromiseFailureDeclaration | Error) => void> = [];
  readonly #events = new EventEmitter();

  readonly declare: PromiseFailureDeclarer = (exitStatus, reason, { signal }) => {
    this.calls.push({ exitStatus, reason, signal });
    const result = new Promise<PromiseFailureDeclaration>((resolve, reject) => {
      this.#pending.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
    });
    this.#events.emit("call");
    return result;
  };

  /** Waits (bounded) until `count` declarations have been made. */
  async waitForCalls(count: number): Promise<void> {
    const deadline = AbortSignal.timeout(5_000);
    while (this.calls.length < count) await once(this.#events, "call", { signal: deadline });
  }

  settle(result: PromiseFailureDeclaration | Error): void {
    const next = this.#pending.shift();
    if (next === undefined) throw new Error("no declaration in flight");
    next(result);
  }
}

/** A logger that tells the test when a request joined an in-flight declaration. */
function joinWatcher(): { logger: Logger; waitForJoins: (count: number) => Promise<void> } {
  const events = new EventEmitter();
  let joins = 0;
  const ignore = (): void => {};
  const logger: Logger = {
    debug: (message) => {
      if (message.includes("sharing its result")) {
        joins++;
        events.emit("join");
      }
    },
    info: ignore,
    warn: ignore,
    error: ignore,
  };
  return {
    logger,
    waitForJoins: async (count) => {
      const deadline = AbortSignal.timeout(5_000);
      while (joins < count) await once(events, "join", { signal: deadline });
    },
  };
}

async function setup(): Promise<{ started: Started; upstream: FakeUpstream; waitForJoins: (n: number) => Promise<void> }> {
  const upstream = new FakeUpstream();
  const { logger, waitForJoins } = joinWatcher();
  const started = await startServer({ promiseFailure: upstream.declare, logger });
  return { started, upstream, waitForJoins };
}

const promise = (started: Started, exitStatus: unknown, reason?: string) =>
  call(started, "POST", "/promise-failure", reason === undefined ? { exit_status: exitStatus } : { exit_status: exitStatus, reason });

describe("POST /promise-failure", () => {
  it("declares upstream and answers the outcome, omitting empty fields", async () => {
    const { started, upstream } = await setup();
    const answer = promise(started, 3, "tests failed");
    await upstream.waitForCalls(1);
    expect(upstream.calls[0]).toMatchObject({ exitStatus: 3, reason: "tests failed" });
    upstream.settle({ accepted: true, upstreamStatus: 200 });
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.body).toBe('{"outcome":"declared","accepted":true,"upstream_status":200}\n');
  });

  it("passes no reason when none or an empty one is given", async () => {
    const { started, upstream } = await setup();
    const first = promise(started, 4);
    await upstream.waitForCalls(1);
    upstream.settle({ accepted: true });
    expect((await first).body).toBe('{"outcome":"declared","accepted":true}\n');
    const second = promise(started, 5, "");
    await upstream.waitForCalls(2);
    upstream.settle({ accepted: true });
    await second;
    expect(upstream.calls.map((c) => c.reason)).toEqual([undefined, undefined]);
  });

  it.each([
    ["zero", { exit_status: 0 }, "exit_status must be a positive integer"],
    ["negative", { exit_status: -1 }, "exit_status must be a positive integer"],
    ["missing", {}, "exit_status must be a positive integer"],
    ["a string", { exit_status: "3" }, "failed to decode request body: json: cannot unmarshal string into Go struct field PromiseFailureRequest.exit_status of type int"],
    ["fractional", { exit_status: 1.5 }, "failed to decode request body: json: cannot unmarshal number 1.5 into Go struct field PromiseFailureRequest.exit_status of type int"],
    ["not JSON", "exit_status=3", /^failed to decode request body: /],
    // Go parses the literal as written, so these are not ints either.
    ["written with a fraction", '{"exit_status":3.0}', "failed to decode request body: json: cannot unmarshal number 3.0 into Go struct field PromiseFailureRequest.exit_status of type int"],
    ["in exponent form", '{"exit_status":3e0}', "failed to decode request body: json: cannot unmarshal number 3e0 into Go struct field PromiseFailureRequest.exit_status of type int"],
    ["beyond int64", '{"exit_status":9223372036854775808}', "failed to decode request body: json: cannot unmarshal number 9223372036854775808 into Go struct field PromiseFailureRequest.exit_status of type int"],
  ])("answers 400 when exit_status is %s, without calling upstream", async (_name, body, message) => {
    const { started, upstream } = await setup();
    const response = await call(started, "POST", "/promise-failure", body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(message);
    expect(upstream.calls).toEqual([]);
  });

  it("makes concurrent calls for the same status wait for the first and share its result as debounced", async () => {
    const { started, upstream, waitForJoins } = await setup();
    const first = promise(started, 7, "first reason");
    await upstream.waitForCalls(1);
    const second = promise(started, 7, "ignored reason");
    const third = promise(started, 7);
    await waitForJoins(2);
    upstream.settle({ accepted: false, upstreamStatus: 503, error: "service unavailable" });
    expect((await first).body).toBe('{"outcome":"declared","accepted":false,"upstream_status":503,"error":"service unavailable"}\n');
    for (const waiter of [second, third]) {
      expect((await waiter).body).toBe(
        '{"outcome":"debounced","accepted":false,"upstream_status":503,"error":"service unavailable"}\n',
      );
    }
    expect(upstream.calls).toHaveLength(1);
  });

  it.each([
    ["accepted", { accepted: true, upstreamStatus: 200 }, '{"outcome":"debounced","accepted":true,"upstream_status":200}\n'],
    [
      "refused with 409",
      { accepted: false, upstreamStatus: 409, error: "conflict" },
      '{"outcome":"debounced","accepted":false,"upstream_status":409,"error":"conflict"}\n',
    ],
    [
      "refused with 422",
      { accepted: false, upstreamStatus: 422, error: "job finished" },
      '{"outcome":"debounced","accepted":false,"upstream_status":422,"error":"job finished"}\n',
    ],
  ])("remembers a result that was %s: a later call is debounced without calling upstream", async (_name, result, body) => {
    const { started, upstream } = await setup();
    const first = promise(started, 2);
    await upstream.waitForCalls(1);
    upstream.settle(result);
    await first;
    expect((await promise(started, 2)).body).toBe(body);
    expect(upstream.calls).toHaveLength(1);
  });

  it.each([
    ["a 5xx", { accepted: false, upstreamStatus: 502, error: "bad gateway" }],
    ["a 429", { accepted: false, upstreamStatus: 429, error: "slow down" }],
    ["no response", { accepted: false, error: "connection refused" }],
  ])("forgets a non-accepted result with %s, so a later call declares again", async (_name, result) => {
    const { started, upstream } = await setup();
    const first = promise(started, 2);
    await upstream.waitForCalls(1);
    upstream.settle(result);
    expect(JSON.parse((await first).body).outcome).toBe("declared");
    const second = promise(started, 2);
    await upstream.waitForCalls(2);
    upstream.settle({ accepted: true, upstreamStatus: 200 });
    expect((await second).body).toBe('{"outcome":"declared","accepted":true,"upstream_status":200}\n');
  });

  it("keeps different exit statuses apart", async () => {
    const { started, upstream } = await setup();
    const a = promise(started, 1);
    await upstream.waitForCalls(1);
    const b = promise(started, 2);
    await upstream.waitForCalls(2);
    upstream.settle({ accepted: true });
    upstream.settle({ accepted: false, upstreamStatus: 409, error: "other status promised" });
    expect(JSON.parse((await a).body)).toEqual({ outcome: "declared", accepted: true });
    expect(JSON.parse((await b).body)).toEqual({
      outcome: "declared",
      accepted: false,
      upstream_status: 409,
      error: "other status promised",
    });
  });

  it("answers a declarer that throws as not accepted with a synthetic 500, and forgets it", async () => {
    const { started, upstream } = await setup();
    const first = promise(started, 9);
    await upstream.waitForCalls(1);
    upstream.settle(new Error("boom"));
    expect((await first).body).toBe(
      '{"outcome":"declared","accepted":false,"upstream_status":500,"error":"declaring promised failure failed: boom"}\n',
    );
    const again = promise(started, 9);
    await upstream.waitForCalls(2);
    upstream.settle({ accepted: true });
    expect(JSON.parse((await again).body).outcome).toBe("declared");
  });

  it("keeps declaring for the others when the first caller goes away", async () => {
    const { started, upstream, waitForJoins } = await setup();
    const gone = request({
      socketPath: started.socketPath,
      method: "POST",
      path: "/api/current-job/v0/promise-failure",
      headers: { Authorization: `Bearer ${started.token}`, "Content-Length": "17" },
      agent: false,
    });
    // events.once would reject on the expected "socket hang up" error; only the close matters.
    gone.on("error", () => {});
    const goneClosed = new Promise((resolve) => gone.once("close", resolve));
    gone.end('{"exit_status":6}');
    await upstream.waitForCalls(1);
    const waiter = promise(started, 6);
    await waitForJoins(1);
    gone.destroy();
    await goneClosed;
    upstream.settle({ accepted: true, upstreamStatus: 200 });
    expect((await waiter).body).toBe('{"outcome":"debounced","accepted":true,"upstream_status":200}\n');
    expect(upstream.calls[0]?.signal.aborted).toBe(false);
  });

  it("aborts an in-flight declaration's signal when the server closes", async () => {
    const upstream = new FakeUpstream();
    const started = await startServer({ promiseFailure: upstream.declare, closeGraceMs: 50 });
    const pending = promise(started, 3).catch((error: unknown) => error);
    await upstream.waitForCalls(1);
    const signal = upstream.calls[0]?.signal as AbortSignal;
    const closing = started.server.close();
    await once(signal, "abort", { signal: AbortSignal.timeout(5_000) });
    upstream.settle({ accepted: false, error: "aborted" });
    await closing;
    await pending;
    expect(signal.aborted).toBe(true);
  });
});
