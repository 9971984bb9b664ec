import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { Environment } from "../../src/environment.js";
import { JobApiServer } from "../../src/job-api/index.js";
import { call, makeTempDir, pipeHandles, startServer } from "./harness.js";

const base = {
  environment: new Environment({}),
  mode: "from-job" as const,
  onRedaction: () => {},
  promiseFailure: async () => ({ accepted: true }),
};

describe("start", () => {
  it("listens on <sockets-path>/job-api/<pid>-<n>.sock in a 0700 directory, with a 43-char base64url token", async () => {
    const socketsPath = path.join(makeTempDir(), "sockets");
    const server = new JobApiServer({ ...base, socketsPath, pid: 4242, random: () => 0.123456789 });
    const { socketPath, token } = await server.start();
    try {
      expect(socketPath).toBe(path.join(socketsPath, "job-api", "4242-12345.sock"));
      expect(fs.statSync(socketPath).isSocket()).toBe(true);
      expect(fs.statSync(path.join(socketsPath, "job-api")).mode & 0o777).toBe(0o700);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      await server.close();
    }
  });

  it("makes a different token for each server", async () => {
    const a = await startServer();
    const b = await startServer();
    expect(a.token).not.toBe(b.token);
  });

  it("refuses a socket path of 108 bytes or more with a clear error, creating no socket", async () => {
    const dir = makeTempDir();
    // <dir>/<pad>/job-api/1-0.sock made exactly 108 bytes long.
    const fixed = `${path.sep}job-api${path.sep}1-0.sock`.length + 1;
    const socketsPath = path.join(dir, "s".repeat(108 - dir.length - fixed));
    const server = new JobApiServer({ ...base, socketsPath, pid: 1, random: () => 0, platform: "linux" });
    const expected = path.join(socketsPath, "job-api", "1-0.sock");
    expect(Buffer.byteLength(expected)).toBe(108);
    await expect(server.start()).rejects.toMatchObject({
      code: "JOB_API_SOCKET_PATH_TOO_LONG",
      message: `socket path ${expected} is too long (path length: 108, max 108 characters). This is a limitation of your host OS; use a shorter --sockets-path`,
    });
    expect(fs.readdirSync(path.join(socketsPath, "job-api"))).toEqual([]);
  });

  it("uses the 104-byte limit of macOS and the BSDs", async () => {
    const dir = makeTempDir();
    const fixed = `${path.sep}job-api${path.sep}1-0.sock`.length + 1;
    const socketsPath = path.join(dir, "s".repeat(104 - dir.length - fixed));
    const server = new JobApiServer({ ...base, socketsPath, pid: 1, random: () => 0, platform: "darwin" });
    await expect(server.start()).rejects.toMatchObject({ code: "JOB_API_SOCKET_PATH_TOO_LONG", message: expect.stringContaining("max 104 characters") });
  });

  it("refuses when a file already exists at the socket path", async () => {
    const socketsPath = makeTempDir();
    fs.mkdirSync(path.join(socketsPath, "job-api"));
    const existing = path.join(socketsPath, "job-api", "7-0.sock");
    fs.writeFileSync(existing, "not mine");
    const server = new JobApiServer({ ...base, socketsPath, pid: 7, random: () => 0 });
    await expect(server.start()).rejects.toMatchObject({
      code: "JOB_API_SOCKET_EXISTS",
      message: `file already exists at socket path ${existing}`,
    });
    expect(fs.readFileSync(existing, "utf8")).toBe("not mine");
  });

  it("fails with JOB_API_SOCKET_DIR when the directory cannot be created", async () => {
    const file = path.join(makeTempDir(), "a-file");
    fs.writeFileSync(file, "");
    const server = new JobApiServer({ ...base, socketsPath: file });
    await expect(server.start()).rejects.toMatchObject({ code: "JOB_API_SOCKET_DIR" });
  });

  it("cannot start twice", async () => {
    const started = await startServer();
    await expect(started.server.start()).rejects.toMatchObject({ code: "JOB_API_STATE" });
  });
});

describe("close", () => {
  it("removes the socket file and leaves no pipe handles, even with a keep-alive connection open", async () => {
    const before = pipeHandles().length;
    const socketsPath = makeTempDir();
    const server = new JobApiServer({ ...base, socketsPath });
    const { socketPath, token } = await server.start();
    // An idle keep-alive connection must not hold close() up.
    const idle = net.connect(socketPath);
    await new Promise((resolve) => idle.once("connect", resolve));
    idle.write(`GET /api/current-job/v0/env HTTP/1.1\r\nHost: job\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    await new Promise((resolve) => idle.once("data", resolve));
    const idleClosed = new Promise((resolve) => idle.once("close", resolve));
    await server.close();
    await idleClosed;
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(pipeHandles().length).toBe(before);
    await server.close();
  });

  it("lets an in-flight request finish within the grace period", async () => {
    let release: () => void = () => {};
    let called: () => void = () => {};
    const declared = new Promise<void>((resolve) => (called = resolve));
    const started = await startServer({
      promiseFailure: () =>
        new Promise((resolve) => {
          release = () => resolve({ accepted: true });
          called();
        }),
    });
    const answer = call(started, "POST", "/promise-failure", { exit_status: 1 });
    await declared;
    const closing = started.server.close();
    release();
    expect((await answer).status).toBe(200);
    await closing;
  });
});
