import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request, Agent } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { AgentApiServer } from "../src/index.js";

function count(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

/** Waits (bounded) for closing client sockets to finish closing. */
async function socketsGone(): Promise<number> {
  for (let i = 0; i < 100 && count("TCPSocketWrap") > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return count("TCPSocketWrap");
}

describe("close", () => {
  it("ends keep-alive sockets, in-flight delays and timers, removes its files, and frees the port", async () => {
    const timersBefore = count("Timeout");
    const parent = mkdtempSync(path.join(tmpdir(), "close-test-"));
    const server = new AgentApiServer({ registrationToken: "r", lostAgentCheckIntervalMs: 50, tempDir: parent });
    const { endpoint, port } = await server.listen();
    expect(readdirSync(parent)).toHaveLength(1);
    // An idle keep-alive connection, plus one request stuck in an injected delay.
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request(`${endpoint}/token`, { agent, headers: { Authorization: "Token r" } }, (res) => {
        res.resume();
        res.on("end", resolve);
      })
        .on("error", reject)
        .end();
    });
    const idleSocketClosed = new Promise<void>((resolve) => {
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.once("close", () => resolve());
    });
    server.injectFault({ route: "token", fault: { kind: "delay", ms: 60_000 } });
    const stuck = new Promise<string>((resolve) => {
      request(`${endpoint}/token`, { headers: { Authorization: "Token r" } }, () => resolve("answered"))
        .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"))
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(2000);
    await idleSocketClosed;
    expect(await stuck).toBe("ECONNRESET");
    agent.destroy();
    const refused = await new Promise<string>((resolve) => {
      request({ host: "127.0.0.1", port, path: "/v3/token" }, () => resolve("answered"))
        .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"))
        .end();
    });
    expect(refused).toBe("ECONNREFUSED");
    expect(readdirSync(parent)).toEqual([]);
    rmSync(parent, { recursive: true, force: true });
    expect(count("TCPServerWrap")).toBe(0);
    expect(await socketsGone()).toBe(0);
    // The sweep interval and the injected 60 s delay are gone.
    expect(count("Timeout")).toBeLessThanOrEqual(timersBefore);
    await server.close();
  });

  it("refuses a second listen and reports the endpoint only while listening", async () => {
    const server = new AgentApiServer();
    expect(() => server.endpoint).toThrow(expect.objectContaining({ code: "SERVER_STATE" }));
    await server.listen();
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3$/);
    await expect(server.listen()).rejects.toMatchObject({ code: "SERVER_STATE" });
    await server.close();
  });
});
