import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";
import type { ServerCore } from "./server-core.js";
import type { AgentRecord, BuildRecord, JobRecord } from "./store.js";

/** Who is calling: the registration token, an agent's access token or a job's token. */
export type Principal =
  | { readonly kind: "registration" }
  | { readonly kind: "agent"; readonly agent: AgentRecord }
  | { readonly kind: "job"; readonly job: JobRecord };

/**
 * What a route demands.
 * - `registration`: the registration token (register only).
 * - `agent`: an agent access token.
 * - `agent-or-job`: an agent token, or a job token standing for the agent running that job
 *   (`buildkite-agent pause|stop|resume` run inside jobs with the job token).
 * - `any`: any valid token (`GET token`).
 * - `job`: the `:job` in the path, with that job's token or the token of the agent it is assigned to.
 * - `build`: the `:build` in the path, with a token of a job in it or of an agent holding one of its jobs.
 * - `none`: no token (artifact storage, which is authorised by its signed form fields instead).
 */
export type AuthKind = "registration" | "agent" | "agent-or-job" | "any" | "job" | "build" | "none";

/** The bearer token of a request (`Authorization: Token <t>`; `Bearer` is tolerated). */
export function requestToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves the token to a principal; 401 when missing, unknown or revoked. */
export function authenticate(core: ServerCore, req: IncomingMessage, kind: AuthKind): Principal {
  const token = requestToken(req);
  if (token === undefined) throw unauthorized("No access token given; send an `Authorization: Token <token>` header");
  if (kind === "registration" || kind === "any") {
    if (sameSecret(token, core.settings.registrationToken)) return { kind: "registration" };
    if (kind === "registration") throw unauthorized("Invalid registration token");
  }
  const record = core.store.tokens.get(token);
  if (record === undefined) throw unauthorized("Invalid access token");
  if (record.revoked) throw unauthorized("This access token was revoked because its agent was marked lost");
  if (record.kind === "agent") {
    const agent = core.store.agents.get(record.subjectId);
    if (agent === undefined) throw unauthorized("Invalid access token");
    return { kind: "agent", agent };
  }
  const job = core.store.jobs.get(record.subjectId);
  if (job === undefined) throw unauthorized("Invalid access token");
  if (kind === "agent") throw unauthorized("This call needs an agent access token, not a job token");
  return { kind: "job", job };
}

/** The agent a principal stands for (`agent-or-job` routes). */
export function principalAgent(core: ServerCore, principal: Principal): AgentRecord {
  if (principal.kind === "agent") return principal.agent;
  if (principal.kind === "job" && principal.job.agentId !== undefined) {
    const agent = core.store.agents.get(principal.job.agentId);
    if (agent !== undefined) return agent;
  }
  throw unauthorized("This token does not belong to an agent");
}

/** Whether the principal may act on `job`; 401 otherwise. */
export function authorizeJob(principal: Principal, job: JobRecord): void {
  if (principal.kind === "job" && principal.job.id === job.id) return;
  if (principal.kind === "agent" && job.agentId === principal.agent.id) return;
  throw unauthorized(`This access token can't be used for job ${job.id}`);
}

/** Whether the principal may act on `build`; 401 otherwise. */
export function authorizeBuild(core: ServerCore, principal: Principal, build: BuildRecord): void {
  if (principal.kind === "job" && principal.job.buildId === build.id) return;
  if (principal.kind === "agent") {
    for (const job of core.store.jobs.values()) {
      if (job.buildId === build.id && job.agentId === principal.agent.id) return;
    }
  }
  throw unauthorized(`This access token can't be used for build ${build.id}`);
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
