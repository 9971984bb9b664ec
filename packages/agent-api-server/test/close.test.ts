import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request, Agent } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHook } from "node:async_hooks";
import { AgentApiServer } from "../src/index.js";

function count(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

/**
 * Records the timers the server's own code creates and not yet fired or cleared.
 * Counting all active timers instead is flaky: Jest keeps timers of its own.
 */
function trackServerTimers(): { live(): Promise<string[]> } {
  const live = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (type !== "Timeout") return;
      // Only timers our code sets itself: Node's HTTP date cache and Jest set their own.
      const stack = new Error().stack ?? "";
      const caller = /at set(?:Timeout|Interval) \(node:timers[^\n]*\n([^\n]*)/.exec(stack)?.[1] ?? "";
      if (caller.includes("/agent-api-server/src/")) live.set(asyncId, stack);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return {
    async live() {
      // Destroy hooks run on a later tick than clearTimeout.
      await new Promise((resolve) => setImmediate(resolve));
      hook.disable();
      return [...live.values()];
    },
  };
}

/** Waits (bounded) for closing client sockets to finish closing. */
async function socketsGone(): Promise<number> {
  for (let i = 0; i < 100 && count("TCPSocketWrap") > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return count("TCPSocketWrap");
}

describe("close", () => {
  it("ends keep-alive sockets, in-flight delays and timers, removes its files, and frees the port", async () => {
    const timers = trackServerTimers();
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
    const delay = server.injectFault({ route: "token", fault: { kind: "delay", ms: 60_000 } });
    const stuck = new Promise<string>((resolve) => {
      request(`${endpoint}/token`, { headers: { Authorization: "Token r" } }, () => resolve("answered"))
        .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"))
        .end();
    });
    // Close only once the request is inside the delay, however slow the machine.
    for (let i = 0; i < 500 && delay.hits === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(delay.hits).toBe(1);

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
    expect(await timers.live()).toEqual([]);
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

describe("close racing listen", () => {
  // Regression: close() during listen()'s await found no server yet, marked itself
  // closed, and listen() then started a server, a timer and a temp dir nobody closed.
  it("leaves no server, timer or temp dir behind", async () => {
    const timers = trackServerTimers();
    const parent = mkdtempSync(path.join(tmpdir(), "close-race-"));
    try {
      const server = new AgentApiServer({ tempDir: parent, lostAgentCheckIntervalMs: 50 });
      const listening = server.listen().catch((error: unknown) => error);
      await server.close();
      const outcome = await listening;
      const endpoint = typeof outcome === "object" && outcome !== null && "endpoint" in outcome ? String(outcome.endpoint) : undefined;
      if (endpoint !== undefined) {
        const answer = await fetch(`${endpoint}/token`).then(() => "answered", () => "refused");
        expect(answer).toBe("refused");
      }
      expect(readdirSync(parent)).toEqual([]);
      expect(await timers.live()).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("event observers", () => {
  // Regression: a `match` that threw on an already-logged event threw out of
  // waitForEvent itself instead of rejecting the promise it returns.
  it("a match throwing on a past event rejects the returned promise", async () => {
    const server = new AgentApiServer();
    try {
      server.createBuild();
      let waiting: Promise<unknown> | undefined;
      expect(() => {
        waiting = server.waitForEvent("build.created", {
          match: () => {
            throw new Error("match bug");
          },
        });
      }).not.toThrow();
      await expect(waiting).rejects.toThrow("match bug");
    } finally {
      await server.close();
    }
  });

  it("a throwing onEvent listener does not break requests, and a throwing match rejects its wait", async () => {
    const server = new AgentApiServer({ registrationToken: "r" });
    const { endpoint } = await server.listen();
    try {
      server.onEvent(() => {
        throw new Error("observer bug");
      });
      const waiting = server.waitForEvent("agent.registered", {
        match: () => {
          throw new Error("match bug");
        },
        signal: AbortSignal.timeout(5000),
      });
      const answer = await fetch(`${endpoint}/register`, {
        method: "POST",
        headers: { Authorization: "Token r", "Content-Type": "application/json" },
        body: JSON.stringify({ name: "a", hostname: "h" }),
      });
      expect(answer.status).toBe(200);
      await expect(waiting).rejects.toThrow("match bug");
    } finally {
      await server.close();
    }
  });
});
