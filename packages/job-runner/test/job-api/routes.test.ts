import { describe, expect, it } from "@jest/globals";
import { call, raw, startServer } from "./harness.js";

describe("auth", () => {
  it.each([
    ["no Authorization header", undefined, "authorization header is required"],
    ["an empty header", "", "authorization header is required"],
    ["no space", "Bearer", "invalid authorization header: must be in the form `Bearer <token>`"],
    ["another scheme", "Basic abc", "invalid authorization header: type must be Bearer"],
    ["a lower-case scheme", "bearer TOKEN", "invalid authorization header: type must be Bearer"],
    ["a wrong token", "Bearer wrong", "invalid authorization token"],
    ["the token with a prefix cut", "Bearer TOKEN_CUT", "invalid authorization token"],
    // HTTP parsers (Node's as Go's) trim trailing spaces, so "Bearer " arrives as "Bearer".
    ["a scheme and a space only", "Bearer ", "invalid authorization header: must be in the form `Bearer <token>`"],
  ])("answers 401 for %s, on every route, without touching anything", async (_name, header, message) => {
    const started = await startServer({ env: { A: "1" } });
    const auth = header?.replace("TOKEN_CUT", started.token.slice(1)).replace("TOKEN", started.token);
    for (const [method, route, body] of [
      ["GET", "/env", undefined],
      ["PATCH", "/env", '{"env":{"A":"2"}}'],
      ["DELETE", "/env", '{"keys":["A"]}'],
      ["PUT", "/workdir", '{"workdir":"/tmp"}'],
      ["POST", "/redactions", '{"redact":"x"}'],
      ["POST", "/promise-failure", '{"exit_status":3}'],
      ["GET", "/unknown", undefined],
    ] as const) {
      const response = await raw(started.socketPath, method, `/api/current-job/v0${route}`, {
        ...(auth === undefined ? {} : { auth }),
        ...(body === undefined ? {} : { body }),
      });
      expect([method, route, response.status, response.headers["content-type"], JSON.parse(response.body)]).toEqual([
        method,
        route,
        401,
        "application/json",
        { error: message },
      ]);
    }
    expect(started.environment.toObject()).toEqual({ A: "1" });
    expect(started.redactions).toEqual([]);
    expect(started.server.takePendingWorkdir()).toBeUndefined();
  });

  it("escapes the message as Go's JSON encoder does", async () => {
    const started = await startServer();
    const response = await raw(started.socketPath, "GET", "/api/current-job/v0/env", { auth: "Bearer" });
    expect(response.body).toBe('{"error":"invalid authorization header: must be in the form `Bearer \\u003ctoken\\u003e`"}\n');
  });

  it("accepts the right token", async () => {
    const started = await startServer();
    expect((await raw(started.socketPath, "GET", "/api/current-job/v0/env", { auth: `Bearer ${started.token}` })).status).toBe(200);
  });
});

describe("unknown routes and methods", () => {
  it.each([
    ["GET", "/"],
    ["GET", "/api/current-job/v0"],
    ["GET", "/api/current-job/v0/env/"],
    ["GET", "/api/current-job/v1/env"],
    ["POST", "/api/current-job/v0/nope"],
  ])("%s %s is 404 with a JSON error", async (method, urlPath) => {
    const started = await startServer();
    const response = await raw(started.socketPath, method, urlPath, { auth: `Bearer ${started.token}` });
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({ error: `no such route: ${method} ${urlPath}` });
  });

  it("a known path with the wrong method is 405 with Allow", async () => {
    const started = await startServer();
    const response = await call(started, "POST", "/env", "{}");
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("GET, PATCH, DELETE");
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({ error: "method POST not allowed on /api/current-job/v0/env" });
  });

  it("ignores a query string", async () => {
    const started = await startServer({ env: { A: "1" } });
    const response = await raw(started.socketPath, "GET", "/api/current-job/v0/env?x=1", { auth: `Bearer ${started.token}` });
    expect(response.body).toBe('{"env":{"A":"1"}}\n');
  });
});

describe("request body limit", () => {
  it("answers 413 to a declared oversized body without reading it into memory", async () => {
    const started = await startServer({ env: {}, maxBodyBytes: 1024 });
    const body = JSON.stringify({ env: { BIG: "x".repeat(4096) } });
    const response = await call(started, "PATCH", "/env", body);
    expect(response.status).toBe(413);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({ error: "request body too large: the limit is 1024 bytes" });
    expect(started.environment.toObject()).toEqual({});
  });

  it("answers 413 to a chunked body once it grows past the limit", async () => {
    const started = await startServer({ env: {}, maxBodyBytes: 1024 });
    const response = await raw(started.socketPath, "PATCH", "/api/current-job/v0/env", {
      auth: `Bearer ${started.token}`,
      headers: { "Transfer-Encoding": "chunked" },
      body: JSON.stringify({ env: { BIG: "x".repeat(64 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(started.environment.toObject()).toEqual({});
  });

  it("accepts a body exactly at the limit", async () => {
    const started = await startServer({ env: {}, maxBodyBytes: 64 });
    const body = JSON.stringify({ env: { A: "x".repeat(64 - '{"env":{"A":""}}'.length) } });
    expect(Buffer.byteLength(body)).toBe(64);
    expect((await call(started, "PATCH", "/env", body)).status).toBe(200);
  });
});

describe("PUT /workdir", () => {
  it("stores an absolute path as pending, without checking it exists", async () => {
    const started = await startServer();
    const response = await call(started, "PUT", "/workdir", { workdir: "/no/such/dir" });
    expect(response.status).toBe(200);
    expect(response.body).toBe('{"workdir":"/no/such/dir"}\n');
    expect(started.server.takePendingWorkdir()).toBe("/no/such/dir");
    // Taken once: the executor applies it after one unwrapped hook.
    expect(started.server.takePendingWorkdir()).toBeUndefined();
  });

  it("keeps only the latest of several requests", async () => {
    const started = await startServer();
    await call(started, "PUT", "/workdir", { workdir: "/a" });
    await call(started, "PUT", "/workdir", { workdir: "/b" });
    expect(started.server.takePendingWorkdir()).toBe("/b");
  });

  it.each([
    ["empty", { workdir: "" }, 422, "workdir must not be empty"],
    ["missing", {}, 422, "workdir must not be empty"],
    ["relative", { workdir: "sub/dir" }, 422, 'workdir must be an absolute path, got "sub/dir"'],
    ["relative with a quote", { workdir: 'a"b' }, 422, 'workdir must be an absolute path, got "a\\"b"'],
  ])("refuses a %s path", async (_name, body, status, message) => {
    const started = await startServer();
    const response = await call(started, "PUT", "/workdir", body);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: message });
    expect(started.server.takePendingWorkdir()).toBeUndefined();
  });

  it("answers 400 to bad JSON", async () => {
    const started = await startServer();
    const response = await call(started, "PUT", "/workdir", '{"workdir":5}');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe(
      "failed to decode request body: json: cannot unmarshal number into Go struct field WorkdirSetRequest.workdir of type string",
    );
  });
});

describe("POST /redactions", () => {
  it("answers 201 and hands the value to onRedaction", async () => {
    const started = await startServer();
    const response = await call(started, "POST", "/redactions", { redact: "s3cr<e>t\nline" });
    expect(response.status).toBe(201);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.body).toBe('{"redacted":"s3cr\\u003ce\\u003et\\nline"}\n');
    expect(started.redactions).toEqual(["s3cr<e>t\nline"]);
  });

  it("answers 400 to bad JSON and adds nothing", async () => {
    const started = await startServer();
    const response = await call(started, "POST", "/redactions", "redact=x");
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(/^failed to decode request body: /);
    expect(started.redactions).toEqual([]);
  });
});

describe("debug request log", () => {
  it("comments each request in the job log in debug mode only", async () => {
    const lines: string[] = [];
    const { JobLog } = await import("../../src/job-log.js");
    const jobLog = new JobLog({ write: (text: string) => lines.push(text) }, { ansi: false });
    const quiet = await startServer({ jobLog });
    await call(quiet, "GET", "/env");
    expect(lines).toEqual([]);
    const debug = await startServer({ jobLog, debug: true });
    await call(debug, "GET", "/env?x=1");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^# Job API:\tGET\t\/api\/current-job\/v0\/env\t[0-9.]+(ns|µs|ms|s)\n$/);
  });
});
