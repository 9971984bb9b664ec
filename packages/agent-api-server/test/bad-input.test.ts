import { connect } from "node:net";
import { call, registerAgent, runningJob, startServer } from "./harness.js";

describe("bad input", () => {
  it("answers 400 for a body that is not JSON", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    const answer = await call(endpoint, "POST", "heartbeat", { token, body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ message: expect.stringMatching(/not valid JSON/) });
  });

  // Regression: the answer carried V8's parse message, which quotes the body (here
  // the start of a token) back to whoever sent it and into any log of the answer.
  it("does not quote the body in its 400", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    const answer = await call(endpoint, "POST", "heartbeat", { token, body: "nope bkaa_secret_value_1", headers: { "Content-Type": "application/json" } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ message: "Request body is not valid JSON" });
  });

  it.each([
    ["an array body", "register", ["x"]],
    ["a wrong field type", "register", { name: 5 }],
    ["meta_data that is not a list of strings", "register", { meta_data: "queue=x" }],
  ])("answers 422 for %s", async (_name, path, body) => {
    const { endpoint } = await startServer();
    const answer = await call(endpoint, "POST", path, { token: "reg-token", body });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: expect.any(String) });
  });

  it("answers 404 with a message for an unknown route and for a known path with the wrong method", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    for (const [method, path] of [["GET", "nope"], ["DELETE", "ping"]] as const) {
      const answer = await call(endpoint, method, path, { token });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ message: expect.any(String) });
    }
  });

  it("answers 413 for an oversize body and keeps serving", async () => {
    const { server, endpoint } = await startServer({ maxBodyBytes: 64 * 1024 });
    const { job } = await runningJob(server, endpoint);
    const big = { body: "x".repeat(100 * 1024) };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/annotations`, { token: job.token, body: big });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ message: expect.stringMatching(/larger than/) });
    expect((await call(endpoint, "GET", `jobs/${job.id}`, { token: job.token })).status).toBe(200);
  });

  it("answers 413 for an oversize chunked body with no Content-Length", async () => {
    const { server, endpoint } = await startServer({ maxBodyBytes: 16 * 1024 });
    const { job } = await runningJob(server, endpoint);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(8 * 1024));
        controller.close();
      },
    });
    const res = await fetch(`${endpoint}/jobs/${job.id}/chunks?sequence=1&offset=0&size=10`, {
      method: "POST",
      headers: { Authorization: `Token ${job.token}` },
      body: stream,
      duplex: "half",
      signal: AbortSignal.timeout(5000),
    } as RequestInit);
    expect(res.status).toBe(413);
    await res.text();
  });

  it("answers 400 to a request line it cannot parse, without crashing", async () => {
    const { endpoint } = await startServer();
    const url = new URL(endpoint);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
      socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const { token } = await registerAgent(endpoint);
    expect((await call(endpoint, "GET", "ping", { token })).status).toBe(200);
  });

  it("does not crash on a malformed percent-escape in a path", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    const answer = await call(endpoint, "GET", "jobs/%E0%A4%A", { token });
    expect(answer.status).toBe(404);
  });

  it("decodes the agent's %2E escaping of dots in ids", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint, { command: "x", key: "build.linux" });
    const answer = await call(endpoint, "POST", "steps/build%2Elinux/export", { token: job.token, body: { attribute: "key" } });
    expect(answer.json).toEqual({ output: "build.linux" });
  });
});
