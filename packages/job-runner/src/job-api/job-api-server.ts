import { rm } from "node:fs/promises";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { goJson } from "@agent/api-client";
import { goQuote } from "@agent/log-redactor";
import { JobRunnerError } from "../errors.js";
import type { Environment } from "../environment.js";
import type { JobLog } from "../job-log.js";
import { silentLogger, type Logger } from "../logger.js";
import type { CheckoutOverrideMode } from "../protected-env.js";
import { authorizationFailure } from "./authorization.js";
import { deleteEnv, getEnv, patchEnv, type EnvRouteContext } from "./env-handlers.js";
import { goDuration } from "./go-duration.js";
import { compareBytes } from "../byte-order.js";
import { generateJobApiToken } from "./job-api-token.js";
import type { JobApiReply } from "./job-api-reply.js";
import { PromiseFailureCoordinator, type PromiseFailureDeclarer } from "./promise-failure.js";
import { readRequestBody, RequestBodyTooLargeError } from "./read-request-body.js";
import { decodePromiseFailure, decodeRedaction, decodeWorkdir, PayloadError } from "./request-payloads.js";
import { JOB_API_ROUTE_PREFIX } from "./route-prefix.js";
import { prepareJobApiSocketPath } from "./socket-path.js";

/** Default cap of a request body; an env PATCH of a megabyte is already absurd. */
export const DEFAULT_JOB_API_MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link JobApiServer}. */
export interface JobApiServerOptions {
  /** The job's live environment; `PATCH`/`DELETE /env` change it in place. */
  readonly environment: Environment;
  /** The checkout-override mode (fixed at start): `strict` locks the checkout-scoped vars. */
  readonly mode: CheckoutOverrideMode;
  /** `--sockets-path`; the socket goes in its `job-api` subdirectory. */
  readonly socketsPath: string;
  /** Called with each value `POST /redactions` asks to redact (the redactor adds its Go-escaped form). */
  readonly onRedaction: (value: string) => void;
  /** Declares a promised failure upstream; see {@link PromiseFailureDeclarer}. */
  readonly promiseFailure: PromiseFailureDeclarer;
  /** The PID in the socket file name. @default process.pid */
  readonly pid?: number;
  /** Source of the socket file number, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Decides the socket path length limit. @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** Largest accepted request body; larger ones get 413. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** How long `close()` lets in-flight requests finish before cutting them off. @default 10000 */
  readonly closeGraceMs?: number;
  /**
   * With `debug`, each request is commented in the job log as
   * `Job API:\t<method>\t<path>\t<duration>`, as the real agent does in debug mode.
   */
  readonly jobLog?: JobLog;
  /** @default false */
  readonly debug?: boolean;
  /** @default silent */
  readonly logger?: Logger;
}

/** Where a started Job API listens: export these as `BUILDKITE_AGENT_JOB_API_SOCKET` and `…_TOKEN`. */
export interface JobApiEndpoint {
  readonly socketPath: string;
  readonly token: string;
}

type Handler = (body: string) => JobApiReply | Promise<JobApiReply>;

/**
 * The per-job Job API (local-apis.md §1): HTTP over a Unix socket that lets the
 * job's hooks and commands read and change the executor's environment, add
 * redactions, set the working directory and promise a failure.
 */
export class JobApiServer {
  readonly #options: JobApiServerOptions;
  readonly #logger: Logger;
  readonly #routes: ReadonlyMap<string, ReadonlyMap<string, Handler>>;
  readonly #closing = new AbortController();
  readonly #coordinator: PromiseFailureCoordinator;
  readonly #changed = new Set<string>();
  // Made up front, so no request can ever be checked against an empty token.
  readonly #token = generateJobApiToken();
  #pendingWorkdir: string | undefined;
  #server: Server | undefined;
  #endpoint: JobApiEndpoint | undefined;
  #state: "new" | "starting" | "started" | "closed" = "new";

  constructor(options: JobApiServerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#coordinator = new PromiseFailureCoordinator(options.promiseFailure, this.#closing.signal, this.#logger);
    const env: EnvRouteContext = {
      environment: options.environment,
      mode: options.mode,
      changed: (name) => this.#changed.add(name),
    };
    this.#routes = new Map<string, Map<string, Handler>>([
      [
        "/env",
        new Map<string, Handler>([
          ["GET", () => getEnv(env)],
          ["PATCH", (body) => patchEnv(env, body)],
          ["DELETE", (body) => deleteEnv(env, body)],
        ]),
      ],
      ["/workdir", new Map<string, Handler>([["PUT", (body) => this.#setWorkdir(body)]])],
      ["/redactions", new Map<string, Handler>([["POST", (body) => this.#createRedaction(body)]])],
      ["/promise-failure", new Map<string, Handler>([["POST", (body) => this.#promiseFailure(body)]])],
    ]);
  }

  /**
   * Creates the socket directory (0700) and starts listening.
   *
   * @throws JobRunnerError `JOB_API_SOCKET_DIR`, `JOB_API_SOCKET_PATH_TOO_LONG`,
   * `JOB_API_SOCKET_EXISTS`, `JOB_API_LISTEN`, `JOB_API_STATE` (started twice or after close)
   */
  async start(): Promise<JobApiEndpoint> {
    if (this.#state !== "new") throw new JobRunnerError("JOB_API_STATE", `Job API server cannot start: it is ${this.#state}`);
    this.#state = "starting";
    try {
      const socketPath = await prepareJobApiSocketPath({
        socketsPath: this.#options.socketsPath,
        pid: this.#options.pid ?? process.pid,
        random: this.#options.random ?? Math.random,
        platform: this.#options.platform ?? process.platform,
      });
      const server = createServer((request, response) => void this.#handle(request, response));
      await listen(server, socketPath);
      this.#server = server;
      this.#endpoint = { socketPath, token: this.#token };
      this.#state = "started";
      this.#logger.debug("Job API server listening", { socketPath });
      return this.#endpoint;
    } catch (error) {
      this.#state = "closed";
      throw error;
    }
  }

  /**
   * The working directory a `PUT /workdir` asked for since the last call, then
   * forgets it. The executor calls this after each unwrapped (binary/script)
   * hook and `cd`s there; wrapped shell hooks leave it pending.
   */
  takePendingWorkdir(): string | undefined {
    const workdir = this.#pendingWorkdir;
    this.#pendingWorkdir = undefined;
    return workdir;
  }

  /**
   * The names whose values `PATCH`/`DELETE /env` changed since the last call
   * (sorted), then forgets them. After a hook, the executor re-reads its settings
   * and logs `NAME is now "v"` for executor-setting vars among these that no
   * env diff reported.
   */
  takeChangedNames(): string[] {
    const names = [...this.#changed].sort(compareBytes);
    this.#changed.clear();
    return names;
  }

  /**
   * Stops listening, lets in-flight requests finish for up to `closeGraceMs`,
   * then cuts off what remains, aborts an upstream promise-failure declaration
   * and removes the socket file. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const server = this.#server;
    if (server === undefined) return;
    const closed = once(server, "close");
    server.close();
    server.closeIdleConnections();
    const grace = setTimeout(() => {
      this.#closing.abort(new JobRunnerError("JOB_API_CLOSED", "Job API server closed"));
      server.closeAllConnections();
    }, this.#options.closeGraceMs ?? 10_000);
    try {
      await closed;
    } finally {
      clearTimeout(grace);
      if (!this.#closing.signal.aborted) this.#closing.abort(new JobRunnerError("JOB_API_CLOSED", "Job API server closed"));
    }
    // libuv unlinks the socket it bound; this covers the file being left by a crash of that path.
    await rm(this.#endpoint?.socketPath ?? "", { force: true });
    this.#logger.debug("Job API server closed");
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = request.method ?? "GET";
    const pathname = (request.url ?? "/").split("?", 1)[0] as string;
    let reply: JobApiReply;
    try {
      reply = await this.#route(request, method, pathname);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) {
        response.setHeader("Connection", "close");
        reply = { status: 413, body: { error: error.message } };
      } else {
        this.#logger.error("Job API request failed", { method, path: pathname, error: (error as Error).message });
        reply = { status: 500, body: { error: "internal error" } };
      }
    }
    // A client that went away while waiting (promise-failure) gets no answer.
    if (!response.destroyed) {
      response.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      response.end(goJson(reply.body));
    }
    if (this.#options.debug === true && this.#options.jobLog !== undefined) {
      this.#options.jobLog.comment(`Job API:\t${method}\t${pathname}\t${goDuration(process.hrtime.bigint() - started)}`);
    }
  }

  async #route(request: IncomingMessage, method: string, pathname: string): Promise<JobApiReply> {
    const failure = authorizationFailure(request.headers.authorization, this.#token);
    if (failure !== undefined) return { status: 401, body: { error: failure } };

    const handlers = pathname.startsWith(`${JOB_API_ROUTE_PREFIX}/`)
      ? this.#routes.get(pathname.slice(JOB_API_ROUTE_PREFIX.length))
      : undefined;
    if (handlers === undefined) return { status: 404, body: { error: `no such route: ${method} ${pathname}` } };
    const handler = handlers.get(method);
    if (handler === undefined) {
      return {
        status: 405,
        body: { error: `method ${method} not allowed on ${pathname}` },
        headers: { Allow: [...handlers.keys()].join(", ") },
      };
    }
    const body = method === "GET" ? "" : await readRequestBody(request, this.#options.maxBodyBytes ?? DEFAULT_JOB_API_MAX_BODY_BYTES);
    try {
      return await handler(body);
    } catch (error) {
      if (error instanceof PayloadError) {
        return { status: 400, body: { error: `failed to decode request body: ${error.message}` } };
      }
      throw error;
    }
  }

  #setWorkdir(body: string): JobApiReply {
    const workdir = decodeWorkdir(body);
    if (workdir === "") return { status: 422, body: { error: "workdir must not be empty" } };
    // The server does not stat the path: `workdir set` resolves and checks it in the caller's cwd.
    if (!path.posix.isAbsolute(workdir)) {
      return { status: 422, body: { error: `workdir must be an absolute path, got "${goQuote(workdir)}"` } };
    }
    this.#pendingWorkdir = workdir;
    return { status: 200, body: { workdir } };
  }

  #createRedaction(body: string): JobApiReply {
    const value = decodeRedaction(body);
    this.#options.onRedaction(value);
    return { status: 201, body: { redacted: value } };
  }

  async #promiseFailure(body: string): Promise<JobApiReply> {
    const { exitStatus, reason } = decodePromiseFailure(body);
    if (exitStatus <= 0) return { status: 400, body: { error: "exit_status must be a positive integer" } };
    const outcome = await this.#coordinator.declare(exitStatus, reason);
    return { status: 200, body: { ...outcome } };
  }
}

async function listen(server: Server, socketPath: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw new JobRunnerError("JOB_API_LISTEN", `Couldn't listen on the Job API socket ${socketPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
