import { describe, expect, it } from "@jest/globals";
import type { AgentApiServer } from "@agent/agent-api-server";
import { captureLogger, jobFinished, startPool, startRewritingProxy, startServer, stripTimestamps } from "./harness.js";

/**
 * A real HTTP proxy in front of `server` that answers the first `PUT …/accept` itself,
 * 200 with an HTML page (as a captive portal or misconfigured proxy would), and passes
 * everything else through. Returns its endpoint and the number of accepts it answered.
 */
async function startPageProxy(server: AgentApiServer): Promise<{ endpoint: string; pages: () => number }> {
  let pages = 0;
  const endpoint = await startRewritingProxy(
    server,
    () => undefined,
    (req, res) => {
      if (req.method !== "PUT" || !req.url!.endsWith("/accept") || pages > 0) return false;
      pages += 1;
      req.resume();
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Please log in to the proxy</body></html>");
      return true;
    },
  );
  return { endpoint, pages: () => pages };
}

describe("accepting a job", () => {
  // Regression: any unusable accept answer failed the job (start, "Error running job",
  // finish -1); Go gives up a body that is not JSON at all and pings again.
  it("gives up a job whose accept answer is not JSON (a proxy page), then accepts it at the next ping", async () => {
    const server = await startServer();
    const proxy = await startPageProxy(server);
    const job = server.createJob(server.createBuild().id, { command: "echo ran" });
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, { endpoint: proxy.endpoint, logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, signalReason: undefined });
    expect(proxy.pages()).toBe(1);
    expect(stripTimestamps(await server.jobLog(job.id))).toBe("ran\n");
    expect(lines.some((line) => line.startsWith(`warn: failed to accept job ${job.id}, pinging again: PUT `) && line.includes("body is not JSON"))).toBe(
      true,
    );
    await pool.stop("graceful");
  });

  it("still fails a job whose accept answer is JSON the schema refuses, saying why in its log", async () => {
    const server = await startServer();
    const endpoint = await startRewritingProxy(server, (url, json) => {
      if (url.endsWith("/accept")) json["env"] = "not a map";
    });
    const job = server.createJob(server.createBuild().id, { command: "echo should-not-run" });
    startPool(server, { endpoint });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "process_run_error" });
    expect(stripTimestamps(await server.jobLog(job.id))).toMatch(
      /^Error running job: the job payload from Buildkite is unusable: PUT \S+\/accept: unusable response to acceptJob: field "env"/,
    );
  });
});
