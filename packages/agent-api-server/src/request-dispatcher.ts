import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { sweepLostAgents } from "./agent-liveness.js";
import { authenticate, authorizeBuild, authorizeJob, principalAgent, type Principal } from "./auth.js";
import { AgentApiServerError, HttpError } from "./errors.js";
import type { FaultAction } from "./faults.js";
import { parseJson, readBody } from "./request-body.js";
import type { Reply, RouteContext } from "./route-context.js";
import { matchRoute } from "./route-table.js";
import type { ServerCore } from "./server-core.js";
import type { AgentRecord, BuildRecord, JobRecord } from "./store.js";

/** How often (clock ms) requests trigger a lost-agent sweep; the interval timer covers idle servers. */
const SWEEP_EVERY_MS = 1000;

/**
 * Turns HTTP requests into route calls: match, apply injected faults, authenticate,
 * resolve path resources, run the handler, answer JSON, log the request. Never
 * throws: every failure becomes an answer (or, for a broken socket, nothing).
 */
export class RequestDispatcher {
  readonly #core: ServerCore;
  readonly #closing: AbortSignal;
  readonly #inflight = new Set<Promise<void>>();
  #seq = 0;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(core: ServerCore, closing: AbortSignal) {
    this.#core = core;
    this.#closing = closing;
  }

  /** The `request` listener for `http.createServer`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const done: Promise<void> = this.#handle(req, res).finally(() => this.#inflight.delete(done));
    this.#inflight.add(done);
  };

  /** Resolves when every request being handled has finished (after sockets are closed). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const core = this.#core;
    const started = performance.now();
    const arrived = core.now();
    const seq = ++this.#seq;
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    let routeName = "unknown";
    let faultKind: string | undefined;
    res.once("close", () => {
      core.recordRequest({
        seq,
        time: arrived,
        method,
        route: routeName,
        path: rawUrl,
        status: res.headersSent ? res.statusCode : 0,
        headerNames: headerNames(req),
        fault: faultKind,
        durationMs: performance.now() - started,
      });
    });
    try {
      const url = new URL(rawUrl, "http://server.invalid");
      const match = matchRoute(method, url.pathname);
      routeName = match?.route.spec.name ?? "unknown";
      let fault: FaultAction | undefined = core.faults.take(routeName, method);
      if (fault !== undefined) {
        faultKind = fault.kind;
        if (fault.kind === "delay") {
          await sleep(fault.ms, undefined, { signal: this.#closing });
          fault = fault.then;
        }
        if (fault !== undefined) {
          applyFault(req, res, fault);
          return;
        }
      }
      if (match === undefined) throw new HttpError(404, `No route for ${method} ${url.pathname}`);
      this.#maybeSweep();
      const { spec } = match.route;
      const principal = spec.auth === "none" ? undefined : authenticate(core, req, spec.auth);
      const job = match.params["job"] === undefined ? undefined : findJob(core, match.params["job"]);
      const build = match.params["build"] === undefined ? undefined : findBuild(core, match.params["build"]);
      if (spec.auth === "job" && job !== undefined) authorizeJob(principal!, job);
      if (spec.auth === "build" && build !== undefined) authorizeBuild(core, principal!, build);
      const ctx = makeContext(core, req, res, match.params, url.searchParams, principal, job, build);
      const reply = await match.route.handler(ctx);
      if (reply !== "handled") send(req, res, reply);
    } catch (error) {
      this.#fail(req, res, error);
    }
  }

  #maybeSweep(): void {
    const now = this.#core.now();
    if (now - this.#lastSweep < SWEEP_EVERY_MS && now >= this.#lastSweep) return;
    this.#lastSweep = now;
    sweepLostAgents(this.#core);
  }

  #fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent || res.destroyed || req.socket.destroyed) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      send(req, res, { status: error.status, body: { message: error.message }, headers: error.headers });
    } else if (error instanceof AgentApiServerError && (error.code === "SERVER_TRANSITION" || error.code === "SERVER_UNKNOWN")) {
      send(req, res, { status: error.code === "SERVER_TRANSITION" ? 422 : 404, body: { message: error.message } });
    } else if (this.#closing.aborted || req.destroyed) {
      res.destroy();
    } else {
      this.#core.logger.error("request handler failed", { method: req.method, error: String(error) });
      send(req, res, { status: 500, body: { message: "Internal server error" } });
    }
  }
}

function findJob(core: ServerCore, id: string): JobRecord {
  const job = core.store.jobs.get(id);
  if (job === undefined) throw new HttpError(404, `No job found with id ${id.slice(0, 100)}`);
  return job;
}

function findBuild(core: ServerCore, id: string): BuildRecord {
  const build = core.store.builds.get(id);
  if (build === undefined) throw new HttpError(404, `No build found with id ${id.slice(0, 100)}`);
  return build;
}

function makeContext(
  core: ServerCore,
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  query: URLSearchParams,
  principal: Principal | undefined,
  job: JobRecord | undefined,
  build: BuildRecord | undefined,
): RouteContext {
  let body: Promise<Buffer> | undefined;
  const raw = () => (body ??= readBody(req, core.settings.maxBodyBytes));
  return {
    core,
    req,
    res,
    params,
    query,
    principal,
    job: () => job ?? missing("job"),
    build: () => build ?? missing("build"),
    agent: (): AgentRecord => {
      if (principal === undefined) return missing("agent");
      return principalAgent(core, principal);
    },
    raw,
    json: async () => parseJson(await raw()),
  };
}

function missing(what: string): never {
  throw new Error(`route has no ${what}: the routing table and the handler disagree`);
}

/**
 * Writes a JSON reply. The unread rest of a request body is read and discarded, so
 * a client still sending (an artifact refused after its form fields) can finish and
 * read the answer; only after a 413 is the connection closed instead, because that
 * body is the one thing not worth reading.
 */
function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  discardRest(req, headers, reply.status);
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function applyFault(req: IncomingMessage, res: ServerResponse, fault: Exclude<FaultAction, { kind: "delay" }>): void {
  if (fault.kind === "drop") {
    req.socket.destroy();
    return;
  }
  if (fault.kind === "status") {
    const headers: Record<string, string> = { ...fault.headers };
    if (fault.retryAfter !== undefined) headers["Retry-After"] = String(fault.retryAfter);
    send(req, res, { status: fault.status, body: { message: fault.message ?? `Injected fault: ${fault.status}` }, headers });
    return;
  }
  const html = fault.kind === "html";
  const text = html
    ? "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    : '{"message": "truncat';
  const headers: Record<string, string> = {
    "Content-Type": html ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
  };
  const status = fault.status ?? (html ? 502 : 200);
  discardRest(req, headers, status);
  res.writeHead(status, headers);
  res.end(text);
}

function discardRest(req: IncomingMessage, headers: Record<string, string>, status: number): void {
  if (req.complete) return;
  if (status === 413) headers["Connection"] = "close";
  req.resume();
}

function headerNames(req: IncomingMessage): string[] {
  const names: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
