import { request } from "node:http";
import { call, registerAgent, startServer } from "./harness.js";

describe("fault injection", () => {
  it("answers an injected status with Retry-After for the next N matching requests only", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    const handle = server.injectFault({ route: "ping", method: "GET", times: 2, fault: { kind: "status", status: 503, retryAfter: 3, message: "busy" } });
    for (let i = 0; i < 2; i++) {
      const answer = await call(endpoint, "GET", "ping", { token });
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("3");
      expect(answer.json).toEqual({ message: "busy" });
    }
    expect((await call(endpoint, "GET", "ping", { token })).status).toBe(200);
    expect(handle.hits).toBe(2);
  });

  it("applies only to the named route and method", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    server.injectFault({ route: "heartbeat", method: "POST", fault: { kind: "status", status: 500 } });
    expect((await call(endpoint, "GET", "ping", { token })).status).toBe(200);
    expect((await call(endpoint, "POST", "heartbeat", { token, body: { sent_at: "x" } })).status).toBe(500);
    expect((await call(endpoint, "POST", "heartbeat", { token, body: { sent_at: "x" } })).status).toBe(500);
    server.clearFaults();
    expect((await call(endpoint, "POST", "heartbeat", { token, body: { sent_at: "x" } })).status).toBe(200);
  });

  it("delays a request, then handles it normally", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    server.injectFault({ route: "ping", times: 1, fault: { kind: "delay", ms: 150 } });
    const started = performance.now();
    const answer = await call(endpoint, "GET", "ping", { token });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.json.action).toBe("idle");
  });

  it("drops the connection without an answer", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    server.injectFault({ route: "ping", times: 1, fault: { kind: "drop" } });
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = request(`${endpoint}/ping`, { headers: { Authorization: `Token ${token}` } }, () => reject(new Error("got an answer")));
      req.on("error", resolve);
      req.end();
    });
    expect(error.code).toBe("ECONNRESET");
    expect((await call(endpoint, "GET", "ping", { token })).status).toBe(200);
    expect(server.requests().find((r) => r.fault === "drop")).toMatchObject({ route: "ping", status: 0 });
  });

  it("answers a malformed JSON body with 200", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    server.injectFault({ route: "ping", times: 1, fault: { kind: "malformed" } });
    const answer = await call(endpoint, "GET", "ping", { token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/json/);
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  it("answers an HTML error page like a load balancer", async () => {
    const { server, endpoint } = await startServer();
    server.injectFault({ route: "agents.register", times: 1, fault: { kind: "html" } });
    const answer = await call(endpoint, "POST", "register", { token: "reg-token", body: {} });
    expect(answer.status).toBe(502);
    expect(answer.headers.get("content-type")).toMatch(/text\/html/);
    expect(answer.text).toMatch(/<html>/);
  });

  it("can delay and then fail", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    server.injectFault({ route: "ping", times: 1, fault: { kind: "delay", ms: 50, then: { kind: "status", status: 429 } } });
    expect((await call(endpoint, "GET", "ping", { token })).status).toBe(429);
  });
});

describe("request log", () => {
  it("records method, route, path, status and header names (never values), in order", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    await call(endpoint, "GET", "ping", { token, headers: { "X-Custom": "secret-value" } });
    await call(endpoint, "GET", "nowhere", { token });
    const log = server.requests();
    expect(log.map((r) => [r.method, r.route, r.path, r.status])).toEqual([
      ["POST", "agents.register", "/v3/register", 200],
      ["POST", "agents.connect", "/v3/connect", 200],
      ["GET", "ping", "/v3/ping", 200],
      ["GET", "unknown", "/v3/nowhere", 404],
    ]);
    expect(log[2]!.headerNames).toEqual(expect.arrayContaining(["authorization", "x-custom"]));
    expect(JSON.stringify(log)).not.toContain(token);
    expect(JSON.stringify(log)).not.toContain("secret-value");
  });
});
