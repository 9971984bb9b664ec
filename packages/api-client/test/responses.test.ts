import { inspect } from "node:util";
import { ApiClient, type ApiClientOptions, requestHeadersToEnv } from "../src/index.js";
import { captureLogger, harness, JOB, onCleanup, REGISTRATION, rejection, TOKEN, type LogLine } from "./harness.js";
import { startServer } from "./recording-server.js";

const registration = (c: ApiClient) => c.register(REGISTRATION);

describe("tolerant parsing", () => {
  it("ignores unknown fields and applies the real agent's job defaults", async () => {
    const { client } = await harness([
      { body: { ...JOB, surprise: { nested: [1, 2] }, chunks_interval_seconds: 0, log_max_size_bytes: 0, env: null, step: null } },
    ]);
    const job = await client.acceptJob("job-1");
    expect(job).toMatchObject({
      id: "job-1",
      chunksMaxSizeBytes: 102400,
      chunksIntervalSeconds: 1,
      logMaxSizeBytes: 1024 * 1024 * 1024,
      env: {},
      token: "",
      priority: 0,
    });
    expect(job.step).toMatchObject({ key: "", command: "", secrets: [], signature: undefined, raw: {} });
  });

  it("maps a full job to camelCase and keeps the raw step", async () => {
    const step = {
      key: "test",
      label: ":t:",
      command: "make",
      env: { A: "1" },
      secrets: [{ key: "S", environment_variable: "ENV_S" }],
      signature: { algorithm: "EdDSA", signed_fields: ["command"], value: "sig" },
      plugins: [{ "docker#v5": { image: "node" } }],
      extra: true,
    };
    const { client } = await harness([
      {
        body: {
          ...JOB,
          state: "accepted",
          env: { BUILDKITE: "true" },
          step,
          matrix_permutation: { os: "linux" },
          chunks_interval_seconds: 2,
          log_max_size_bytes: 10,
          token: "bkaj_job_token_123",
          traceparent: "tp",
          priority: 5,
        },
      },
    ]);
    const job = await client.acceptJob("job-1");
    expect(job).toMatchObject({
      state: "accepted",
      env: { BUILDKITE: "true" },
      matrixPermutation: { os: "linux" },
      chunksIntervalSeconds: 2,
      logMaxSizeBytes: 10,
      token: "bkaj_job_token_123",
      traceparent: "tp",
      priority: 5,
    });
    expect(job.step.secrets).toEqual([{ key: "S", environmentVariable: "ENV_S" }]);
    expect(job.step.signature).toEqual({ algorithm: "EdDSA", signedFields: ["command"], value: "sig" });
    expect(job.step.plugins).toEqual(step.plugins);
    expect(job.step.raw).toEqual(step);
  });

  it.each([
    [{}, "idle"],
    [{ action: "" }, "idle"],
    [{ action: "idle" }, "idle"],
    [{ action: "dance" }, "idle"],
    [{ action: "pause" }, "pause"],
    [{ action: "disconnect", message: "bye" }, "disconnect"],
    [null, "idle"],
  ])("ping %j means %s", async (body, action) => {
    const { client } = await harness([{ body: body === null ? "null" : body }]);
    expect((await client.ping()).action).toBe(action);
  });

  it("a ping's job carries its id", async () => {
    const { client } = await harness([{ body: { action: "idle", job: { id: "j-9", env: {} }, endpoint: "https://e/v3" } }]);
    expect(await client.ping()).toEqual({ action: "idle", message: "", job: { id: "j-9" }, endpoint: "https://e/v3", requestHeaders: undefined });
  });

  it("registration defaults job_status_interval to 1 and maps the rest", async () => {
    const { client } = await harness([
      {
        body: {
          id: "a-1",
          name: "n",
          access_token: "bkaa_access_1234",
          endpoint: "",
          ping_interval: 10,
          heartbeat_interval: 60,
          meta_data: ["queue=default"],
          tracing: { backend: "otel", propagate_traceparent: true },
        },
      },
    ]);
    const reg = await registration(client);
    expect(reg).toEqual({
      id: "a-1",
      name: "n",
      accessToken: "bkaa_access_1234",
      endpoint: "",
      requestHeaders: undefined,
      pingInterval: 10,
      jobStatusInterval: 1,
      heartbeatInterval: 60,
      tags: ["queue=default"],
      tracing: { backend: "otel", propagateTraceparent: true },
    });
  });

  it("meta-data keys null means none; exists missing means false", async () => {
    const { client } = await harness([{ body: "null" }, { body: {} }]);
    expect(await client.metaDataKeys({ scope: "job", id: "j" })).toEqual([]);
    expect(await client.metaDataExists({ scope: "job", id: "j" }, "k")).toBe(false);
  });

  it("artifact creation maps per-artifact and template instructions", async () => {
    const action = { url: "https://u", method: "PUT", path: "/", file_input: "file", part_number: 1 };
    const { client } = await harness([
      {
        body: {
          id: "b",
          artifact_ids: ["a1", "a2"],
          upload_instructions: { action, data: { key: "${artifact:path}" } },
          per_artifact_instructions: { a2: { actions: [action] } },
        },
      },
    ]);
    const result = await client.createArtifacts("job-1", { artifacts: [], uploadDestination: "" });
    const mapped = { url: "https://u", method: "PUT", path: "/", fileInput: "file", partNumber: 1 };
    expect(result.artifactIds).toEqual(["a1", "a2"]);
    expect(result.uploadInstructions).toEqual({ action: mapped, actions: [], data: { key: "${artifact:path}" } });
    expect(result.perArtifactInstructions["a2"]!.actions).toEqual([mapped]);
  });
});

describe("unusable answers become typed errors naming the call and the field", () => {
  it.each([
    ["register without access_token", registration, { ping_interval: 1, heartbeat_interval: 1 }, "access_token", "is missing"],
    ["register with a 0 ping interval", registration, { access_token: "bkaa_abcdef", ping_interval: 0, heartbeat_interval: 1 }, "ping_interval", "must be >= 1"],
    ["a job with chunks_max_size_bytes 0", (c: ApiClient) => c.acceptJob("j"), { id: "j", chunks_max_size_bytes: 0 }, "chunks_max_size_bytes", "must be >= 1"],
    ["a job without chunks_max_size_bytes", (c: ApiClient) => c.acceptJob("j"), { id: "j" }, "chunks_max_size_bytes", "is missing"],
    ["a job without id", (c: ApiClient) => c.acceptJob("j"), { chunks_max_size_bytes: 1 }, "id", "is missing"],
    ["a job with a numeric env value", (c: ApiClient) => c.acceptJob("j"), { ...JOB, env: { A: 1 } }, "env.A", "must be string"],
    ["a ping job without id", (c: ApiClient) => c.ping(), { job: {} }, "job.id", "is missing"],
    ["a ping with a numeric action", (c: ApiClient) => c.ping(), { action: 3 }, "action", "must be string,null"],
    ["an OIDC answer without token", (c: ApiClient) => c.oidcToken("j"), {}, "token", "is missing"],
    ["a secret without value", (c: ApiClient) => c.getSecret("j", "k"), { key: "k" }, "value", "is missing"],
    ["meta-data keys that are not strings", (c: ApiClient) => c.metaDataKeys({ scope: "job", id: "j" }), [1], "0", "must be string"],
  ])("%s", async (_name, call, body, field, problem) => {
    const { client } = await harness([{ body }]);
    const error = await rejection(call(client));
    expect(error.code).toBe("API_BAD_RESPONSE");
    expect(error.field).toBe(field);
    expect(error.message).toContain(`field "${field}" ${problem}`);
    expect(error.message).toMatch(/unusable response to [a-zA-Z]+/);
    expect(error.message).not.toContain("\n");
  });

  it("a body that is not JSON quotes a short prefix", async () => {
    const { client } = await harness([{ body: `<html>${"x".repeat(5000)}</html>` }]);
    const error = await rejection(client.getJobState("j"));
    expect(error.code).toBe("API_BAD_RESPONSE");
    expect(error.field).toBe("(body)");
    expect(error.bodyPrefix).toBe(`<html>${"x".repeat(94)}`);
    expect(error.message.length).toBeLessThan(300);
  });

  it("a body announcing more than 64 MiB is refused before it is read", async () => {
    const { client } = await harness([{ headers: { "Content-Length": String(65 * 1024 * 1024) }, body: "" }]);
    const error = await rejection(client.getJobState("j"));
    expect(error.code).toBe("API_BAD_RESPONSE");
    expect(error.message).toContain("larger than 67108864 bytes");
  });

  it("an HTML error page gives a status error with no message and a bounded read", async () => {
    const { client } = await harness([{ status: 502, statusText: "Bad Gateway", body: `<html>${"y".repeat(1024 * 1024)}</html>` }]);
    const error = await rejection(client.ping());
    expect(error.code).toBe("API_HTTP_STATUS");
    expect(error.message).toBe("GET /v3/ping: 502 Bad Gateway");
    expect(error.serverMessage).toBeUndefined();
  });

  it("a status error carries method, path, status and the server's message", async () => {
    const { client } = await harness([{ status: 422, statusText: "Unprocessable Entity", body: { message: "Job already finished" } }]);
    const error = await rejection(client.finishJob("job.1", { exitStatus: "0", chunksFailedCount: 0 }));
    expect(error).toMatchObject({
      name: "ApiError",
      code: "API_HTTP_STATUS",
      call: "finishJob",
      method: "PUT",
      path: "/v3/jobs/job%2E1/finish",
      status: 422,
      statusText: "Unprocessable Entity",
      serverMessage: "Job already finished",
      attempts: 1,
    });
    expect(error.message).toBe("PUT /v3/jobs/job%2E1/finish: 422 Unprocessable Entity: Job already finished");
  });

  it("a refused connection is API_NETWORK, retryable, with a sanitised cause", async () => {
    const server = await startServer([{}]);
    const endpoint = server.endpoint;
    await server.close();
    const client = new ApiClient({ endpoint, token: TOKEN });
    onCleanup(() => client.close());
    const error = await rejection(client.ping());
    expect(error.code).toBe("API_NETWORK");
    expect(error.transportCode).toBe("ECONNREFUSED");
    expect(error.retryable).toBe(true);
    expect(error.cause.name).toBe("TransportError");
    // Only a message and a code: none of got's options, request or timings.
    expect(Object.keys(error.cause).filter((k) => k !== "name")).toEqual(["code"]);
  });
});

describe("request headers", () => {
  it("an empty token sends no Authorization header at all", async () => {
    const { server, client } = await harness([{ body: {} }], { token: "" });
    await client.ping();
    expect(server.requests[0]!.headers["authorization"]).toBeUndefined();
  });

  it("without a version the library fallback User-Agent is sent", async () => {
    const { server, client } = await harness([{ body: {} }], { version: undefined as unknown as string });
    await client.ping();
    expect(server.requests[0]!.headers["user-agent"]).toBe("buildkite-agent/api");
  });

  it("env headers, registration headers and ping headers follow the real agent's rules", async () => {
    const env = {
      BUILDKITE_REQUEST_HEADER_BUILDKITE_FROM_ENV: "e",
      BUILDKITE_REQUEST_HEADER_X_OTHER: "dropped",
      UNRELATED: "x",
    };
    const { server, client } = await harness(
      [
        {
          body: {
            access_token: "bkaa_registered_9",
            ping_interval: 1,
            heartbeat_interval: 1,
            request_headers: { "Buildkite-Session": "s1", "X-Not-Ours": "no" },
          },
        },
        { body: { request_headers: null } }, // absent/null: keep
        { body: { request_headers: { "Buildkite-Session": "s2", "Buildkite-Extra": "x" } } }, // replace
        { body: { request_headers: {} } }, // clear
        { body: {} },
      ],
      { env },
    );
    expect(client.requestHeaders).toEqual({ "Buildkite-From-Env": "e" });
    const reg = await registration(client);
    expect(server.requests[0]!.headers["buildkite-from-env"]).toBe("e");
    expect(server.requests[0]!.headers["x-other"]).toBeUndefined();

    const agent = client.fromRegistration(reg);
    expect(agent.requestHeaders).toEqual({ "Buildkite-Session": "s1" });
    await agent.ping();
    expect(server.requests[1]!.headers["authorization"]).toBe("Token bkaa_registered_9");
    expect(server.requests[1]!.headers["buildkite-session"]).toBe("s1");
    expect(server.requests[1]!.headers["x-not-ours"]).toBeUndefined();
    await agent.ping();
    expect(server.requests[2]!.headers["buildkite-session"]).toBe("s1");
    expect(requestHeadersToEnv(agent.requestHeaders)).toEqual({
      BUILDKITE_REQUEST_HEADER_BUILDKITE_SESSION: "s2",
      BUILDKITE_REQUEST_HEADER_BUILDKITE_EXTRA: "x",
    });
    await agent.ping();
    expect(server.requests[3]!.headers["buildkite-session"]).toBe("s2");
    expect(server.requests[3]!.headers["buildkite-extra"]).toBe("x");
    await agent.ping();
    expect(server.requests[4]!.headers["buildkite-session"]).toBeUndefined();
    expect(agent.requestHeaders).toEqual({});
    // The registration client is untouched by the agent client's pings.
    expect(client.requestHeaders).toEqual({ "Buildkite-From-Env": "e" });
  });

  it("withToken and withEndpoint derive clients that share settings", async () => {
    const other = await startServer([{ body: {} }]);
    onCleanup(() => other.close());
    const { server, client } = await harness([{ body: {} }]);
    await client.withToken("bkaj_job_token_abc").ping();
    await client.withEndpoint(`${other.endpoint}/`).ping();
    expect(server.requests[0]!.headers["authorization"]).toBe("Token bkaj_job_token_abc");
    expect(other.requests[0]!.url).toBe("/v3/ping");
    expect(other.requests[0]!.headers["authorization"]).toBe(`Token ${TOKEN}`);
    expect(other.requests[0]!.headers["user-agent"]).toBe(server.requests[0]!.headers["user-agent"]);
  });
});

describe("the token never leaks", () => {
  it("into any log line (debug included) or any error's message, properties or cause chain", async () => {
    const registrationToken = "bkrt_registration_token_55";
    const jobToken = "bkaj_job_scoped_token_66";
    const echo = (t: string) => ({ message: `bad token ${t} (Authorization: Token ${t})` });
    const logs: LogLine[] = [];
    const server = await startServer((request, index) => {
      const auth = String(request.headers["authorization"] ?? "").replace("Token ", "");
      switch (index % 6) {
        case 0:
          return { status: 401, body: echo(auth) };
        case 1:
          return { destroy: true };
        case 2:
          return { body: `Token ${auth} is not JSON` };
        case 3:
          return { status: 500, body: echo(auth) };
        case 4:
          return { delayMs: 500, body: {} };
        default:
          return { body: { action: 42, job: { id: auth } } };
      }
    });
    onCleanup(() => server.close());
    const options: ApiClientOptions = {
      endpoint: server.endpoint,
      token: registrationToken,
      logger: captureLogger(logs),
      sleep: async () => {},
      timeoutMs: 100,
    };
    const base = new ApiClient(options);
    onCleanup(() => base.close());
    const clients = [base, base.withToken(TOKEN), base.withToken(jobToken)];
    const errors: unknown[] = [];
    for (const client of clients) {
      for (let i = 0; i < 6; i++) {
        try {
          await client.ping();
        } catch (error) {
          errors.push(error);
        }
        errors.push(await rejection(client.getJobState("j")).catch((e) => e));
      }
      errors.push(await rejection(client.finishJob("j", { exitStatus: "0", chunksFailedCount: 0 })).catch((e) => e));
      const controller = new AbortController();
      const pending = client.connect({ signal: controller.signal });
      controller.abort();
      errors.push(await rejection(pending));
    }
    expect(errors.length).toBeGreaterThan(20);
    const codes = new Set(errors.map((e) => (e as { code: string }).code));
    expect([...codes].sort()).toEqual(["API_ABORTED", "API_BAD_RESPONSE", "API_HTTP_STATUS", "API_NETWORK", "API_TIMEOUT"]);
    const dump = errors.map((e) => inspect(e, { depth: Infinity, showHidden: true })).join("\n") + JSON.stringify(logs);
    expect(logs.some((l) => l.level === "debug")).toBe(true);
    for (const token of [registrationToken, TOKEN, jobToken]) expect(dump).not.toContain(token);
    expect(dump).toContain("[REDACTED]");
  });
});
