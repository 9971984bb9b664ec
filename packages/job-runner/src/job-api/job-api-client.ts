import { stat } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { JobRunnerError } from "../errors.js";
import { JOB_API_ROUTE_PREFIX } from "./route-prefix.js";

/** Options of {@link JobApiClient}. */
export interface JobApiClientOptions {
  /** `BUILDKITE_AGENT_JOB_API_SOCKET`. */
  readonly socketPath: string;
  /** `BUILDKITE_AGENT_JOB_API_TOKEN`. */
  readonly token: string;
  /** Limit of each call but `promiseFailure`. @default 30000 */
  readonly timeoutMs?: number;
  /** Limit of `promiseFailure`, which waits for the upstream call and its retries. @default 600000 */
  readonly promiseFailureTimeoutMs?: number;
  /** Largest response body read (a huge environment); more fails the call. @default 64 MiB */
  readonly maxResponseBytes?: number;
}

/** Per-call options. */
export interface JobApiCallOptions {
  /** Aborting rejects the call with `signal.reason` and drops the connection. */
  readonly signal?: AbortSignal;
}

/** `PATCH /env` result: names added and names that already existed, each sorted. */
export interface EnvUpdateResult {
  readonly added: string[];
  readonly updated: string[];
}

/** `POST /promise-failure` result. */
export interface PromiseFailureResult {
  /** `declared`: this call asked Buildkite; `debounced`: an earlier call's result for the same exit status. */
  readonly outcome: "declared" | "debounced";
  /** Whether Buildkite accepted the promised failure. */
  readonly accepted: boolean;
  readonly upstreamStatus?: number;
  readonly error?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
// The upstream declaration retries 10 times with growing back-off.
const DEFAULT_PROMISE_FAILURE_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * A client of the Job API, for the in-job commands (`env get|set|unset`,
 * `redactor add`, `workdir set`, `job promise-failure`). Each call uses its own
 * connection, so nothing is left open between calls.
 */
export class JobApiClient {
  readonly #options: JobApiClientOptions;

  /** A client without checks; prefer {@link JobApiClient.connect} or {@link JobApiClient.fromEnv}. */
  constructor(options: JobApiClientOptions) {
    this.#options = options;
  }

  /**
   * A client for the socket and token a job is given in its environment.
   *
   * @param env the caller's environment (the CLI passes `process.env`).
   * @throws JobRunnerError `JOB_API_SOCKET_UNSET`, `JOB_API_TOKEN_UNSET`, and those of {@link JobApiClient.connect}
   */
  static async fromEnv(
    env: Readonly<Record<string, string | undefined>>,
    options: Omit<JobApiClientOptions, "socketPath" | "token"> & JobApiCallOptions = {},
  ): Promise<JobApiClient> {
    const socketPath = env.BUILDKITE_AGENT_JOB_API_SOCKET ?? "";
    if (socketPath === "") {
      throw new JobRunnerError("JOB_API_SOCKET_UNSET", "BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined");
    }
    const token = env.BUILDKITE_AGENT_JOB_API_TOKEN ?? "";
    if (token === "") throw new JobRunnerError("JOB_API_TOKEN_UNSET", "BUILDKITE_AGENT_JOB_API_TOKEN empty or undefined");
    return JobApiClient.connect({ ...options, socketPath, token });
  }

  /**
   * A client after checking that `socketPath` is a socket and accepts a connection.
   *
   * @throws JobRunnerError `JOB_API_NOT_A_SOCKET`, `JOB_API_CONNECT`
   */
  static async connect(options: JobApiClientOptions & JobApiCallOptions): Promise<JobApiClient> {
    const { socketPath, signal } = options;
    let info;
    try {
      info = await stat(socketPath);
    } catch (error) {
      throw new JobRunnerError("JOB_API_CONNECT", `stat socket: ${(error as Error).message}`, { cause: error });
    }
    if (!info.isSocket()) throw new JobRunnerError("JOB_API_NOT_A_SOCKET", `"${socketPath}" is not a socket`);
    await testDial(socketPath, withTimeout(signal, options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    return new JobApiClient(options);
  }

  /** The executor's whole current environment. */
  async getEnv(options: JobApiCallOptions = {}): Promise<Record<string, string>> {
    const body = await this.#call("GET", "/env", undefined, options);
    const env = objectField(body, "env");
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== "string") throw badResponse(`env.${name} is not a string`);
      result[name] = value;
    }
    return result;
  }

  /**
   * Sets variables in the executor's environment; all or nothing.
   *
   * @throws JobRunnerError `JOB_API_STATUS` `API status 422: the following environment variables are protected…`
   */
  async patchEnv(vars: Readonly<Record<string, string>>, options: JobApiCallOptions = {}): Promise<EnvUpdateResult> {
    const body = await this.#call("PATCH", "/env", { env: vars }, options);
    return { added: stringList(body, "added"), updated: stringList(body, "updated") };
  }

  /** Removes variables; returns those that existed, sorted. */
  async deleteEnv(keys: readonly string[], options: JobApiCallOptions = {}): Promise<string[]> {
    const body = await this.#call("DELETE", "/env", { keys }, options);
    return stringList(body, "deleted");
  }

  /** Asks the executor to `cd` to `workdir` (absolute) after the current hook; returns it as recorded. */
  async setWorkdir(workdir: string, options: JobApiCallOptions = {}): Promise<string> {
    const body = await this.#call("PUT", "/workdir", { workdir }, options);
    return stringField(body, "workdir");
  }

  /** Adds `value` to the job log's redactions; returns it as recorded. */
  async redact(value: string, options: JobApiCallOptions = {}): Promise<string> {
    const body = await this.#call("POST", "/redactions", { redact: value }, options);
    return stringField(body, "redacted");
  }

  /** Promises that the job will fail with `exitStatus` (> 0); waits for Buildkite's answer. */
  async promiseFailure(exitStatus: number, reason?: string, options: JobApiCallOptions = {}): Promise<PromiseFailureResult> {
    const payload = reason === undefined || reason === "" ? { exit_status: exitStatus } : { exit_status: exitStatus, reason };
    const body = await this.#call("POST", "/promise-failure", payload, {
      ...options,
      timeoutMs: this.#options.promiseFailureTimeoutMs ?? DEFAULT_PROMISE_FAILURE_TIMEOUT_MS,
    });
    const outcome = stringField(body, "outcome");
    if (outcome !== "declared" && outcome !== "debounced") throw badResponse(`unknown outcome ${JSON.stringify(outcome)}`);
    const accepted = body.accepted;
    if (typeof accepted !== "boolean") throw badResponse("accepted is not a boolean");
    const upstreamStatus = body.upstream_status;
    const error = body.error;
    return {
      outcome,
      accepted,
      ...(typeof upstreamStatus === "number" ? { upstreamStatus } : {}),
      ...(typeof error === "string" ? { error } : {}),
    };
  }

  async #call(
    method: string,
    route: string,
    payload: unknown,
    options: JobApiCallOptions & { timeoutMs?: number },
  ): Promise<Record<string, unknown>> {
    const { signal } = options;
    signal?.throwIfAborted();
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const path = `${JOB_API_ROUTE_PREFIX}${route}`;
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload), "utf8");
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    let response: IncomingMessage;
    let text: string;
    try {
      response = await send(this.#options.socketPath, method, path, this.#options.token, data, combined);
      text = await readResponse(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (deadline.aborted) {
        throw new JobRunnerError("JOB_API_TIMEOUT", `Job API ${method} ${path} timed out after ${timeoutMs} ms`, {
          cause: error,
        });
      }
      if (error instanceof JobRunnerError) throw error;
      throw new JobRunnerError("JOB_API_REQUEST", `Job API ${method} ${path} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const status = response.statusCode ?? 0;
    if (status >= 400 && status < 600) {
      let message: unknown;
      try {
        message = (JSON.parse(text) as { error?: unknown }).error;
      } catch (error) {
        throw new JobRunnerError("JOB_API_RESPONSE", `decoding error response: ${(error as Error).message}`, { cause: error });
      }
      throw new JobRunnerError("JOB_API_STATUS", `API status ${status}: ${typeof message === "string" ? message : ""}`);
    }
    try {
      const body: unknown = JSON.parse(text);
      if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error("not a JSON object");
      return body as Record<string, unknown>;
    } catch (error) {
      throw new JobRunnerError("JOB_API_RESPONSE", `decoding response: ${(error as Error).message}`, { cause: error });
    }
  }
}

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
}

async function testDial(socketPath: string, signal: AbortSignal): Promise<void> {
  try {
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ path: socketPath });
      const onAbort = (): void => {
        socket.destroy();
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        resolve();
      });
      socket.once("error", (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      });
    });
  } catch (error) {
    throw new JobRunnerError("JOB_API_CONNECT", `socket test connection: ${(error as Error).message}`, { cause: error });
  }
}

function send(
  socketPath: string,
  method: string,
  path: string,
  token: string,
  data: Buffer | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${token}` };
    if (data !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = data.length;
    }
    // agent: false ⇒ one connection per call, closed after it: no handle outlives a call.
    const request = httpRequest({ socketPath, method, path, headers, agent: false, signal }, resolve);
    request.once("error", reject);
    request.end(data);
  });
}

function readResponse(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        response.destroy(new JobRunnerError("JOB_API_RESPONSE", `Job API response larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.once("error", reject);
  });
}

function badResponse(detail: string): JobRunnerError {
  return new JobRunnerError("JOB_API_RESPONSE", `decoding response: ${detail}`);
}

function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = body[name];
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw badResponse(`${name} is not an object`);
  return value as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string") throw badResponse(`${name} is not a string`);
  return value;
}

function stringList(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  // Go encodes a nil slice as null.
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw badResponse(`${name} is not a list of strings`);
  return value as string[];
}
