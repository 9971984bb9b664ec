import { ApiClient } from "../src/index.js";
import { harness, JOB, onCleanup, rejection } from "./harness.js";
import { startServer, type Reply } from "./recording-server.js";

describe("cancellation", () => {
  it("an abort during a retry sleep stops at once, with no further request", async () => {
    const controller = new AbortController();
    // A sleep that never ends on its own and ignores the signal: only the
    // client's own abort handling can end the call.
    const { server, client } = await harness([{ status: 500 }], {
      sleep: () => {
        controller.abort(new Error("shutting down"));
        return new Promise<void>(() => {});
      },
    });
    const error = await rejection(client.finishJob("job-1", { exitStatus: "0", chunksFailedCount: 0 }, { signal: controller.signal }));
    expect(error.code).toBe("API_ABORTED");
    expect(error.cause.message).toBe("shutting down");
    expect(server.requests).toHaveLength(1);
  });

  it("an abort during a request ends it without waiting for the server", async () => {
    const controller = new AbortController();
    const { server, client } = await harness([{ delayMs: 10_000, body: JOB }]);
    const started = Date.now();
    const pending = client.acceptJob("job-1", { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("agent stopping"));
    const error = await rejection(pending);
    expect(error.code).toBe("API_ABORTED");
    expect(error.cause.message).toBe("agent stopping");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  it("an already-aborted signal sends nothing", async () => {
    const { server, client } = await harness([{ status: 200 }]);
    const error = await rejection(client.connect({ signal: AbortSignal.abort() }));
    expect(error.code).toBe("API_ABORTED");
    expect(server.requests).toHaveLength(0);
  });

  it("the default sleep honours the signal too", async () => {
    const server = await startServer([{ status: 500 }]);
    onCleanup(() => server.close());
    const client = new ApiClient({ endpoint: server.endpoint, token: "t" });
    onCleanup(() => client.close());
    const controller = new AbortController();
    const pending = client.register(
      { name: "", hostname: "", os: "", arch: "", scriptEvalEnabled: true, ignoreInDispatches: false, version: "", build: "", tags: [], features: [] },
      { signal: controller.signal },
    );
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    setTimeout(() => controller.abort(), 20); // well inside the 10 s register sleep
    const error = await rejection(pending);
    expect(error.code).toBe("API_ABORTED");
    expect(server.requests).toHaveLength(1);
  });
});

describe("timeouts and deadlines", () => {
  it("a slow answer times out per request (retryable) and the retry succeeds", async () => {
    const { server, client, sleeps } = await harness([{ delayMs: 2000 }, { status: 200 }], { timeoutMs: 100 });
    await client.startJob("job-1");
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it("a request timeout on a call that does not retry is API_TIMEOUT", async () => {
    const { client } = await harness([{ delayMs: 2000, body: {} }], { timeoutMs: 100 });
    const error = await rejection(client.ping());
    expect(error.code).toBe("API_TIMEOUT");
    expect(error.retryable).toBe(true);
  });

  it("acquire sends its remaining deadline and fails once 330 s are used up", async () => {
    let now = 0;
    const { server, client, sleeps } = await harness([{ status: 423, headers: { "Retry-After": "200" } }], {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    const error = await rejection(client.acquireJob("job-1"));
    expect(error.code).toBe("API_TIMEOUT");
    expect(error.cause.status).toBe(423);
    expect(server.requests.map((r) => r.headers["buildkite-timeout-milliseconds"])).toEqual(["330000", "130000"]);
    // 200 s, then only the 130 s left of the deadline.
    expect(sleeps).toEqual([200_000, 130_000]);
  });

  it("finish sends Buildkite-Timeout-Milliseconds from its 1 h deadline", async () => {
    let now = 5;
    const { server, client } = await harness([{ status: 500 }, { status: 200 }], {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    await client.finishJob("job-1", { exitStatus: "0", chunksFailedCount: 0 });
    expect(server.requests.map((r) => r.headers["buildkite-timeout-milliseconds"])).toEqual(["3600000", "3597500"]);
  });

  it.each([
    ["ping", (c: ApiClient) => c.ping()],
    ["start", (c: ApiClient) => c.startJob("job-1")],
    ["chunk", (c: ApiClient) => c.uploadChunk("job-1", { data: Buffer.from("x"), sequence: 1, offset: 0 })],
  ])("%s sends no Buildkite-Timeout-Milliseconds", async (_name, call) => {
    const { server, client } = await harness([{ status: 200, body: {} }]);
    await call(client);
    expect(server.requests[0]!.headers["buildkite-timeout-milliseconds"]).toBeUndefined();
  });
});

describe("asynchronous pipeline upload", () => {
  it("202 + Location: waits Retry-After, then polls until applied", async () => {
    const uuid = "6b1e1a2e-0000-4000-8000-000000000001";
    const { server, client, sleeps, logs } = await harness((_request, index): Reply => {
      if (index === 0) {
        return { status: 202, headers: { Location: `https://x/v3/jobs/job-1/pipelines/${uuid}`, "Retry-After": "2" } };
      }
      if (index === 1) return { body: { state: "pending" }, headers: { "Retry-After": "3" } };
      if (index === 2) return { body: { state: "processing" } };
      return { body: { state: "applied" } };
    });
    const result = await client.uploadPipeline("job-1", { uuid, pipeline: { steps: [] } });
    expect(result).toEqual({ uuid, async: true });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /v3/jobs/job-1/pipelines?async=true",
      `GET /v3/jobs/job-1/pipelines/${uuid}`,
      `GET /v3/jobs/job-1/pipelines/${uuid}`,
      `GET /v3/jobs/job-1/pipelines/${uuid}`,
    ]);
    expect(server.requests.slice(1).map((r) => r.headers["x-buildkite-backoff-sequence"])).toEqual(["0", "1", "2"]);
    // 2 s after the 202, then Retry-After 3 s, then the default 5 s.
    expect(sleeps).toEqual([2000, 3000, 5000]);
    expect(logs.filter((l) => l.level === "info" && l.message.includes("not yet applied"))).toHaveLength(2);
  });

  it("202 without Retry-After waits 1 s", async () => {
    const { client, sleeps } = await harness((_, i) =>
      i === 0 ? { status: 202, headers: { Location: "jobs/job-1/pipelines/u-1" } } : { body: { state: "applied" } },
    );
    await client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} });
    expect(sleeps).toEqual([1000]);
  });

  it.each([
    ["rejected", "PIPELINE_REJECTED", "pipeline upload rejected: bad yaml"],
    ["failed", "PIPELINE_REJECTED", "pipeline upload failed: bad yaml"],
    ["weird", "API_BAD_RESPONSE", 'unexpected pipeline upload state "weird"'],
  ])("state %s ends polling with %s", async (state, code, text) => {
    const { server, client } = await harness((_, i) =>
      i === 0 ? { status: 202, headers: { Location: "jobs/job-1/pipelines/u-1" } } : { body: { state, message: "bad yaml" } },
    );
    const error = await rejection(client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
    expect(server.requests).toHaveLength(2);
  });

  it("a 422 while polling stops; other errors are retried", async () => {
    const { server, client } = await harness((_, i) =>
      i === 0 ? { status: 202, headers: { Location: "jobs/job-1/pipelines/u-1" } } : i === 1 ? { status: 404 } : { status: 422 },
    );
    const error = await rejection(client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} }));
    expect(error.status).toBe(422);
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    ["another job", "jobs/job-2/pipelines/u-1", "job ID does not match"],
    ["another upload", "jobs/job-1/pipelines/u-2", "upload UUID does not match"],
    ["no status path", "https://x/elsewhere", "cannot find"],
  ])("a Location for %s is refused", async (_name, location, text) => {
    const { server, client } = await harness([{ status: 202, headers: { Location: location } }]);
    const error = await rejection(client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} }));
    expect(error.code).toBe("API_BAD_RESPONSE");
    expect(error.field).toBe("Location");
    expect(error.message).toContain(text);
    expect(server.requests).toHaveLength(1);
  });

  it("a 202 without Location is retried like a transient failure", async () => {
    const { server, client } = await harness([{ status: 202 }, { status: 201 }]);
    expect(await client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} })).toEqual({ uuid: "u-1", async: false });
    expect(server.requests).toHaveLength(2);
  });

  it("a pipeline that cannot be encoded fails at once with API_INVALID_REQUEST", async () => {
    const { server, client } = await harness([{ status: 201 }]);
    const error = await rejection(client.uploadPipeline("job-1", { pipeline: { big: 1n } }));
    expect(error.code).toBe("API_INVALID_REQUEST");
    expect(server.requests).toHaveLength(0);
  });
});

describe("secrets in bulk", () => {
  it("fetches every key, at most 10 at a time, and reports each failure", async () => {
    const { server, client } = await harness((request) => {
      const key = new URL(request.url, "http://x").searchParams.get("key")!;
      return key === "bad" ? { status: 403 } : { delayMs: 300, body: { key, value: `v-${key}`, uuid: "u" } };
    });
    const keys = [...Array.from({ length: 24 }, (_, i) => `k${i}`), "bad"];
    const pending = client.getSecrets("job-1", keys);
    while (server.requests.length < 10) await new Promise((r) => setTimeout(r, 5));
    // No answer comes before 300 ms, so an eleventh request would mean more than 10 in flight.
    await new Promise((r) => setTimeout(r, 150));
    expect(server.requests).toHaveLength(10);
    const result = await pending;
    expect(result.secrets.map((secret) => secret.value)).toEqual(keys.slice(0, 24).map((k) => `v-${k}`));
    expect(result.errors.map((e) => [e.key, e.error.code, e.error.status])).toEqual([["bad", "API_HTTP_STATUS", 403]]);
    expect(server.requests).toHaveLength(25);
  });
});
