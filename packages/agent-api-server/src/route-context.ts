import type { IncomingMessage, ServerResponse } from "node:http";
import type { Principal } from "./auth.js";
import type { ServerCore } from "./server-core.js";
import type { AgentRecord, BuildRecord, JobRecord } from "./store.js";

/** What a route handler is given. Resources named in the path are already resolved and authorised. */
export interface RouteContext {
  readonly core: ServerCore;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly principal: Principal | undefined;
  /** The path's `:job` (job routes), or throws. */
  job(): JobRecord;
  /** The path's `:build` (build routes), or throws. */
  build(): BuildRecord;
  /** The calling agent (agent routes, or a job token's agent), or throws. */
  agent(): AgentRecord;
  /** The request body parsed as JSON (`undefined` when empty), capped at `maxBodyBytes`. */
  json(): Promise<unknown>;
  /** The raw request body, capped at `maxBodyBytes`. */
  raw(): Promise<Buffer>;
}

/** A handler's answer: status, JSON body (omitted = no body) and extra headers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `"handled"` means the handler wrote the response itself (file downloads). */
export type Handler = (ctx: RouteContext) => Promise<Reply | "handled">;
