import type { Server } from "node:http";
import { AgentWorkerError } from "./errors.js";

/** What the health check needs to know about one worker. */
export interface WorkerHealth {
  readonly spawnIndex: number;
  readonly agentId: string;
  readonly status: string;
  readonly currentJobId: string | undefined;
  readonly lastHeartbeatError: string | undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Starts the `--health-check-addr` server (lifecycle.md §10): `/`,
 * `/agent/<spawn index>`, `/status.json`, `/status` and `/metrics`.
 * Resolves once listening; rejects with `AGENT_HEALTH_CHECK` when it cannot (the
 * pool logs that and carries on, as the agent does).
 */
export async function startHealthCheck(addr: string, workers: () => readonly WorkerHealth[]): Promise<Server> {
  const http = await import("node:http");
  const colon = addr.lastIndexOf(":");
  const host = colon > 0 ? addr.slice(0, colon) : undefined;
  const port = Number(colon >= 0 ? addr.slice(colon + 1) : addr);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AgentWorkerError("AGENT_HEALTH_CHECK", `health-check-addr ${JSON.stringify(addr)} is not host:port`);
  }
  const server = http.createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0]!;
    const list = workers();
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { "Content-Type": type });
      res.end(body);
    };
    if (url === "/") return send(200, "text/plain", "OK: Buildkite agent is running");
    const agent = /^\/agent\/(\d+)$/.exec(url);
    if (agent) {
      const worker = list.find((w) => w.spawnIndex === Number(agent[1]));
      if (worker === undefined) return send(404, "text/plain", `ERROR: no agent with spawn index ${agent[1]}`);
      if (worker.lastHeartbeatError !== undefined) {
        return send(500, "text/plain", `ERROR: last heartbeat failed: ${worker.lastHeartbeatError}`);
      }
      return send(200, "text/plain", "OK: Buildkite agent is running");
    }
    const busy = list.some((w) => w.status === "busy");
    if (url === "/status.json") {
      return send(
        200,
        "application/json",
        JSON.stringify({
          health: "ok",
          aggregate_status: busy ? "busy" : "idle",
          // As the agent's page: a worker is busy while it runs a job and idle otherwise
          // (paused or stopping included), and an empty job id is left out.
          workers: list.map((w) => ({
            status: w.status === "busy" ? "busy" : "idle",
            ...(w.currentJobId ? { current_job_id: w.currentJobId } : {}),
            id: w.agentId,
            spawn_index: w.spawnIndex,
          })),
        }),
      );
    }
    if (url === "/status") {
      const rows = list
        .map((w) => `<tr><td>${w.spawnIndex}</td><td>${escapeHtml(w.agentId)}</td><td>${w.status}</td><td>${escapeHtml(w.currentJobId ?? "")}</td></tr>`)
        .join("");
      return send(
        200,
        "text/html",
        `<!doctype html><title>Buildkite agent status</title><h1>Buildkite agent: ${busy ? "busy" : "idle"}</h1><table><tr><th>spawn</th><th>id</th><th>status</th><th>job</th></tr>${rows}</table>`,
      );
    }
    if (url === "/metrics") {
      const lines = ["# HELP buildkite_agent_workers Workers by status.", "# TYPE buildkite_agent_workers gauge"];
      for (const status of ["idle", "busy", "paused", "stopped"]) {
        lines.push(`buildkite_agent_workers{status="${status}"} ${list.filter((w) => w.status === status).length}`);
      }
      return send(200, "text/plain; version=0.0.4", `${lines.join("\n")}\n`);
    }
    return send(404, "text/plain", "ERROR: not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(new AgentWorkerError("AGENT_HEALTH_CHECK", `health check server could not listen on ${addr}: ${error.message}`, { cause: error })),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}
