import { randomBytes } from "node:crypto";
import { pauseAgent, resumeAgent, stopAgent } from "../agent-control.js";
import { principalAgent } from "../auth.js";
import {
  objectBody,
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalStrings,
  requiredString,
} from "../body-fields.js";
import { nextJobFor } from "../dispatch.js";
import { jobJson } from "../job-json.js";
import { assignJob, requeueOfferedJobs } from "../job-transitions.js";
import type { Handler, RouteContext } from "../route-context.js";
import { stableUuid } from "../stable-uuid.js";
import type { AgentRecord } from "../store.js";

/** Session calls: register, connect, ping, heartbeat, stop/pause/resume, disconnect, token. */
export const agentHandlers = {
  "agents.register": async (ctx) => {
    const { core } = ctx;
    const body = objectBody(await ctx.json());
    const hostname = optionalString(body, "hostname") ?? "";
    const pid = optionalInteger(body, "pid", 0, Number.MAX_SAFE_INTEGER);
    const metaData = optionalStrings(body, "meta_data") ?? [];
    const id = core.newId();
    const agent: AgentRecord = {
      id,
      name: agentName(optionalString(body, "name") ?? "", hostname, pid, id),
      hostname,
      os: optionalString(body, "os") ?? "",
      arch: optionalString(body, "arch") ?? "",
      version: optionalString(body, "version") ?? "",
      build: optionalString(body, "build") ?? "",
      pid,
      machineId: optionalString(body, "machine_id"),
      priority: optionalString(body, "priority"),
      metaData,
      features: optionalStrings(body, "features") ?? [],
      scriptEvalEnabled: optionalBoolean(body, "script_eval_enabled") ?? true,
      ignoreInDispatches: optionalBoolean(body, "ignore_in_dispatches") ?? false,
      accessToken: core.newToken("bkaa"),
      connectionState: "registered",
      registeredAt: core.now(),
      lastHeartbeatAt: core.now(),
      paused: undefined,
      stopRequested: undefined,
    };
    core.store.agents.set(agent.id, agent);
    core.store.tokens.set(agent.accessToken, { token: agent.accessToken, kind: "agent", subjectId: id, revoked: false });
    core.emit("agent.registered", { agentId: id, name: agent.name });
    const { intervals } = core.settings;
    return {
      status: 200,
      body: {
        id,
        name: agent.name,
        access_token: agent.accessToken,
        endpoint: core.endpoint,
        request_headers: core.settings.requestHeaders,
        ping_interval: intervals.ping,
        job_status_interval: intervals.jobStatus,
        heartbeat_interval: intervals.heartbeat,
        meta_data: metaData,
      },
    };
  },

  "agents.connect": async (ctx) => {
    const agent = ctx.agent();
    agent.connectionState = "connected";
    agent.lastHeartbeatAt = ctx.core.now();
    ctx.core.store.agents.set(agent.id, agent);
    ctx.core.emit("agent.connected", { agentId: agent.id });
    return { status: 200, body: { id: agent.id, connection_state: "connected" } };
  },

  "agents.disconnect": async (ctx) => {
    const agent = ctx.agent();
    agent.connectionState = "disconnected";
    ctx.core.store.agents.set(agent.id, agent);
    requeueOfferedJobs(ctx.core, agent);
    ctx.core.emit("agent.disconnected", { agentId: agent.id });
    return { status: 200, body: { id: agent.id, connection_state: "disconnected" } };
  },

  ping: async (ctx) => {
    const { core } = ctx;
    const agent = ctx.agent();
    const extra = Object.keys(core.settings.requestHeaders).length > 0 ? { request_headers: core.settings.requestHeaders } : {};
    if (agent.paused?.until !== undefined && core.now() >= agent.paused.until) {
      agent.paused = undefined;
      core.store.agents.set(agent.id, agent);
      core.emit("agent.resumed", { agentId: agent.id });
    }
    if (agent.stopRequested !== undefined) {
      return { status: 200, body: { action: "disconnect", message: "Agent stop requested", ...extra } };
    }
    if (agent.paused !== undefined) {
      return { status: 200, body: { action: "pause", message: agent.paused.note ?? "", ...extra } };
    }
    const job = agent.ignoreInDispatches ? undefined : nextJobFor(core, agent);
    if (job === undefined) return { status: 200, body: { action: "idle", message: "", ...extra } };
    if (job.state === "scheduled") assignJob(core, job, agent);
    return { status: 200, body: { action: "", message: "", job: jobJson(core, job), ...extra } };
  },

  heartbeat: async (ctx) => {
    const { core } = ctx;
    const agent = ctx.agent();
    const sentAt = requiredString(objectBody(await ctx.json()), "sent_at");
    agent.lastHeartbeatAt = core.now();
    core.store.agents.set(agent.id, agent);
    core.emit("agent.heartbeat", { agentId: agent.id, sentAt });
    return { status: 200, body: { sent_at: sentAt, received_at: core.timestamp() } };
  },

  "agents.stop": async (ctx) => {
    const agent = principalAgent(ctx.core, ctx.principal!);
    stopAgent(ctx.core, agent, optionalBoolean(objectBody(await ctx.json(), true), "force") ?? false);
    return { status: 200, body: {} };
  },

  "agents.pause": async (ctx) => {
    const agent = principalAgent(ctx.core, ctx.principal!);
    const body = objectBody(await ctx.json(), true);
    const timeoutInMinutes = optionalInteger(body, "timeout_in_minutes", 0, 525_600);
    pauseAgent(ctx.core, agent, optionalString(body, "note"), timeoutInMinutes);
    return { status: 200, body: {} };
  },

  "agents.resume": async (ctx) => {
    resumeAgent(ctx.core, principalAgent(ctx.core, ctx.principal!));
    return { status: 200, body: {} };
  },

  token: async (ctx) => tokenIdentity(ctx),
} satisfies Record<string, Handler>;

function tokenIdentity(ctx: RouteContext): { status: number; body: Record<string, string> } {
  const { core, principal } = ctx;
  const org = core.settings.organizationSlug;
  let queue = "";
  let subject = "registration";
  let description = "Agent registration token";
  if (principal?.kind === "agent") {
    subject = principal.agent.id;
    description = `Agent access token for ${principal.agent.name}`;
    queue = queueOf(principal.agent.metaData);
  } else if (principal?.kind === "job") {
    subject = principal.job.id;
    description = `Job token for job ${principal.job.id}`;
  }
  return {
    status: 200,
    body: {
      uuid: stableUuid(`token:${subject}`),
      description,
      token_type: principal?.kind ?? "registration",
      organization_slug: org,
      organization_uuid: stableUuid(`org:${org}`),
      cluster_uuid: "",
      cluster_name: "",
      organization_queue_uuid: queue === "" ? "" : stableUuid(`queue:${queue}`),
      organization_queue_key: queue,
    },
  };
}

function queueOf(tags: readonly string[]): string {
  const tag = tags.find((t) => t.startsWith("queue="));
  return tag === undefined ? "default" : tag.slice("queue=".length);
}

/**
 * The agent sends `%hostname`, `%pid` and `%random` literally and expects the server
 * to expand them (agent-api.md §2.1); an empty name falls back to the hostname.
 */
function agentName(name: string, hostname: string, pid: number | undefined, id: string): string {
  const base = name === "" ? hostname || `agent-${id.slice(0, 8)}` : name;
  return base
    .replaceAll("%hostname", hostname)
    .replaceAll("%pid", pid === undefined ? "" : String(pid))
    .replaceAll("%random", () => randomName(8));
}

function randomName(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}
