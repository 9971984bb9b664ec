import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { JobApiClient } from "../../src/job-api/index.js";
import { makeTempDir, pipeHandles, startServer, type Started } from "./harness.js";

const clientFor = (started: Started) =>
  JobApiClient.fromEnv({
    BUILDKITE_AGENT_JOB_API_SOCKET: started.socketPath,
    BUILDKITE_AGENT_JOB_API_TOKEN: started.token,
  });

describe("JobApiClient.fromEnv", () => {
  it.each([
    ["no socket var", {}, "JOB_API_SOCKET_UNSET", "BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined"],
    ["an empty socket var", { BUILDKITE_AGENT_JOB_API_SOCKET: "", BUILDKITE_AGENT_JOB_API_TOKEN: "t" }, "JOB_API_SOCKET_UNSET", "BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined"],
    ["no token var", { BUILDKITE_AGENT_JOB_API_SOCKET: "/tmp/x.sock" }, "JOB_API_TOKEN_UNSET", "BUILDKITE_AGENT_JOB_API_TOKEN empty or undefined"],
    ["an empty token var", { BUILDKITE_AGENT_JOB_API_SOCKET: "/tmp/x.sock", BUILDKITE_AGENT_JOB_API_TOKEN: "" }, "JOB_API_TOKEN_UNSET", "BUILDKITE_AGENT_JOB_API_TOKEN empty or undefined"],
  ])("fails with %s", async (_name, env, code, message) => {
    await expect(JobApiClient.fromEnv(env)).rejects.toMatchObject({ code, message });
  });

  it("fails when the path is not a socket", async () => {
    const file = path.join(makeTempDir(), "plain-file");
    fs.writeFileSync(file, "");
    await expect(
      JobApiClient.fromEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: file, BUILDKITE_AGENT_JOB_API_TOKEN: "t" }),
    ).rejects.toMatchObject({ code: "JOB_API_NOT_A_SOCKET", message: `"${file}" is not a socket` });
  });

  it("fails when nothing is there", async () => {
    const missing = path.join(makeTempDir(), "gone.sock");
    await expect(
      JobApiClient.fromEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: missing, BUILDKITE_AGENT_JOB_API_TOKEN: "t" }),
    ).rejects.toMatchObject({ code: "JOB_API_CONNECT", message: expect.stringMatching(/^stat socket: ENOENT/) });
  });

  it("fails the test dial when the socket file is stale (no listener)", async () => {
    const dir = makeTempDir();
    const socketPath = path.join(dir, "stale.sock");
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(socketPath, resolve));
    // Closing a listener unlinks its file; recreate a socket file nobody listens on.
    await new Promise((resolve) => listener.close(resolve));
    const orphan = net.createServer();
    await new Promise<void>((resolve) => orphan.listen(socketPath, resolve));
    const linked = path.join(dir, "linked.sock");
    fs.linkSync(socketPath, linked);
    await new Promise((resolve) => orphan.close(resolve));
    await expect(
      JobApiClient.fromEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: linked, BUILDKITE_AGENT_JOB_API_TOKEN: "t" }),
    ).rejects.toMatchObject({ code: "JOB_API_CONNECT", message: expect.stringMatching(/^socket test connection: .*ECONNREFUSED/) });
  });
});

describe("JobApiClient against the server", () => {
  it("gets, patches and deletes env", async () => {
    const started = await startServer({ env: { A: "1", B: "2" } });
    const client = await clientFor(started);
    expect(await client.getEnv()).toEqual({ A: "1", B: "2" });
    expect(await client.patchEnv({ C: "3", A: "one" })).toEqual({ added: ["C"], updated: ["A"] });
    expect(await client.deleteEnv(["B", "NOPE"])).toEqual(["B"]);
    expect(started.environment.toObject()).toEqual({ A: "one", C: "3" });
  });

  it("turns a 422 into JOB_API_STATUS with the real agent's message", async () => {
    const started = await startServer({ mode: "strict", env: {} });
    const client = await clientFor(started);
    await expect(client.patchEnv({ BUILDKITE_AGENT_ACCESS_TOKEN: "x" })).rejects.toMatchObject({
      code: "JOB_API_STATUS",
      message:
        "API status 422: the following environment variables are protected, and cannot be modified: [BUILDKITE_AGENT_ACCESS_TOKEN]",
    });
    await expect(client.deleteEnv(["BUILDKITE_SKIP_CHECKOUT"])).rejects.toMatchObject({
      message:
        "API status 422: the following environment variables are protected, and cannot be modified: [BUILDKITE_SKIP_CHECKOUT]. Checkout-related variables are locked because BUILDKITE_CHECKOUT_OVERRIDE_MODE=strict",
    });
    await expect(client.setWorkdir("rel")).rejects.toMatchObject({
      message: 'API status 422: workdir must be an absolute path, got "rel"',
    });
    await expect(client.promiseFailure(0)).rejects.toMatchObject({
      message: "API status 400: exit_status must be a positive integer",
    });
  });

  it("is refused with a wrong token", async () => {
    const started = await startServer();
    const client = new JobApiClient({ socketPath: started.socketPath, token: "wrong" });
    await expect(client.getEnv()).rejects.toMatchObject({ code: "JOB_API_STATUS", message: "API status 401: invalid authorization token" });
  });

  it("sets the workdir, redacts and promises a failure", async () => {
    const declared: Array<[number, string | undefined]> = [];
    const started = await startServer({
      promiseFailure: async (exitStatus, reason) => {
        declared.push([exitStatus, reason]);
        return { accepted: false, upstreamStatus: 409, error: "a different promised exit status has already been declared" };
      },
    });
    const client = await clientFor(started);
    expect(await client.setWorkdir("/srv/app")).toBe("/srv/app");
    expect(started.server.takePendingWorkdir()).toBe("/srv/app");
    expect(await client.redact("hunter2")).toBe("hunter2");
    expect(started.redactions).toEqual(["hunter2"]);
    expect(await client.promiseFailure(3, "flaky")).toEqual({
      outcome: "declared",
      accepted: false,
      upstreamStatus: 409,
      error: "a different promised exit status has already been declared",
    });
    expect(await client.promiseFailure(3)).toMatchObject({ outcome: "debounced", accepted: false });
    expect(declared).toEqual([[3, "flaky"]]);
  });

  it("rejects with the signal's reason when aborted, and leaves no connection behind", async () => {
    const before = pipeHandles().length;
    const started = await startServer({ promiseFailure: () => new Promise(() => {}), closeGraceMs: 100 });
    const client = await clientFor(started);
    const controller = new AbortController();
    const reason = new Error("cancelled by test");
    const pending = client.promiseFailure(5, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await expect(client.getEnv({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await started.server.close();
    expect(pipeHandles().length).toBe(before);
  });

  it("times out with JOB_API_TIMEOUT", async () => {
    const started = await startServer({ promiseFailure: () => new Promise(() => {}), closeGraceMs: 100 });
    const client = new JobApiClient({ socketPath: started.socketPath, token: started.token, promiseFailureTimeoutMs: 50 });
    await expect(client.promiseFailure(5)).rejects.toMatchObject({
      code: "JOB_API_TIMEOUT",
      message: "Job API POST /api/current-job/v0/promise-failure timed out after 50 ms",
    });
  });

  it("fails with JOB_API_REQUEST once the server is gone", async () => {
    const started = await startServer();
    const client = await clientFor(started);
    await started.server.close();
    await expect(client.getEnv()).rejects.toMatchObject({ code: "JOB_API_REQUEST" });
  });
});
