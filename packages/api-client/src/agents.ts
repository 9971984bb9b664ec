import type { CallOptions } from "./call-options.js";
import { exchange, rememberSecret, type ClientCore } from "./exchange.js";
import {
  field,
  num,
  object,
  optString,
  optStringArray,
  optStringMap,
  str,
  stringMap,
  strings,
  type JsonSchema,
  type ResponseSchema,
} from "./response-schema.js";

/** `POST register` body (Go `AgentRegisterRequest`). */
export interface RegisterRequest {
  /** `--name` with `%spawn` already replaced; other placeholders are expanded server-side. */
  readonly name: string;
  readonly hostname: string;
  /** Multi-line OS version dump. */
  readonly os: string;
  /** Go's arch name (`amd64`, `arm64`…); see `goArch`. */
  readonly arch: string;
  readonly scriptEvalEnabled: boolean;
  /** True only in acquire-job mode. */
  readonly ignoreInDispatches: boolean;
  /** Omitted when empty. */
  readonly priority?: string;
  /** e.g. `3.137.0`. */
  readonly version: string;
  /** Build number, `x` for dev builds. */
  readonly build: string;
  /** Tags, `key=value`. Sent as `meta_data`. */
  readonly tags: readonly string[];
  /** Omitted when 0 or absent. */
  readonly pid?: number;
  /** Omitted when empty. */
  readonly machineId?: string;
  /** Feature words, in the real agent's order. */
  readonly features: readonly string[];
}

/** Tracing settings a registration may carry. */
export interface AgentTracing {
  readonly backend: string;
  readonly propagateTraceparent: boolean;
  readonly exporter?: {
    readonly endpoint: string;
    readonly protocol: string;
    readonly headers: Readonly<Record<string, string>>;
  };
}

/** `POST register` answer (Go `AgentRegisterResponse`). */
export interface RegisterResponse {
  /** The agent's UUID (`id`). */
  readonly id: string;
  readonly name: string;
  /** The agent access token for every later call. Never logged. */
  readonly accessToken: string;
  /** Endpoint to switch to; `""` = keep the current one. */
  readonly endpoint: string;
  /** `Buildkite-*` headers to send on every later request; `undefined` when absent/null. */
  readonly requestHeaders: Readonly<Record<string, string>> | undefined;
  /** Seconds; at least 1. */
  readonly pingInterval: number;
  /** Seconds; `1` when the server sends 0 or nothing. */
  readonly jobStatusInterval: number;
  /** Seconds; at least 1. */
  readonly heartbeatInterval: number;
  /** Tags as the server recorded them (`meta_data`). */
  readonly tags: readonly string[];
  readonly tracing: AgentTracing | undefined;
}

/** `POST stop` body. */
export interface StopRequest {
  /** Stop even if a job is running. Omitted when false (`{}` is sent). */
  readonly force?: boolean;
}

/** `POST pause` body. */
export interface PauseRequest {
  /** Omitted when empty. */
  readonly note?: string;
  /** Omitted when 0. */
  readonly timeoutInMinutes?: number;
}

const tracingSchema = object({
  backend: optString,
  propagate_traceparent: { type: ["boolean", "null"] },
  exporter: object({ endpoint: optString, protocol: optString, headers: optStringMap }),
});

// Ping and heartbeat intervals drive tickers: 0 would spin or crash, so a
// registration without them is unusable. job_status_interval has a 1 s fallback.
const interval: JsonSchema = { type: "integer", minimum: 1 };

const registerResponse: ResponseSchema<RegisterResponse> = {
  schema: object(
    {
      id: optString,
      name: optString,
      access_token: { type: "string", minLength: 1 },
      endpoint: optString,
      request_headers: optStringMap,
      ping_interval: interval,
      job_status_interval: { type: ["integer", "null"] },
      heartbeat_interval: interval,
      meta_data: optStringArray,
      tracing: tracingSchema,
    },
    ["access_token", "ping_interval", "heartbeat_interval"],
    false,
  ),
  map: (json) => {
    const headers = field(json, "request_headers");
    const tracing = field(json, "tracing");
    const exporter = field(tracing, "exporter");
    const jobStatusInterval = num(json, "job_status_interval");
    return {
      id: str(json, "id"),
      name: str(json, "name"),
      accessToken: str(json, "access_token"),
      endpoint: str(json, "endpoint"),
      requestHeaders: headers === null || headers === undefined ? undefined : stringMap(json, "request_headers"),
      pingInterval: num(json, "ping_interval"),
      jobStatusInterval: jobStatusInterval > 0 ? jobStatusInterval : 1,
      heartbeatInterval: num(json, "heartbeat_interval"),
      tags: strings(json, "meta_data"),
      tracing:
        tracing === null || tracing === undefined
          ? undefined
          : {
              backend: str(tracing, "backend"),
              propagateTraceparent: field(tracing, "propagate_traceparent") === true,
              ...(exporter === null || exporter === undefined
                ? {}
                : {
                    exporter: {
                      endpoint: str(exporter, "endpoint"),
                      protocol: str(exporter, "protocol"),
                      headers: stringMap(exporter, "headers"),
                    },
                  }),
            },
    };
  },
};

/** `POST register` with the registration token; 30 attempts, 10 s apart. */
export async function register(
  core: ClientCore,
  request: RegisterRequest,
  options: CallOptions = {},
): Promise<RegisterResponse> {
  const json = {
    name: request.name,
    hostname: request.hostname,
    os: request.os,
    arch: request.arch,
    script_eval_enabled: request.scriptEvalEnabled,
    ignore_in_dispatches: request.ignoreInDispatches,
    priority: request.priority || undefined,
    version: request.version,
    build: request.build,
    meta_data: request.tags,
    pid: request.pid || undefined,
    machine_id: request.machineId || undefined,
    features: request.features,
  };
  const { data } = await exchange(core, {
    call: "register",
    method: "POST",
    path: "register",
    json,
    response: registerResponse,
    sensitiveBody: true,
    signal: options.signal,
  });
  rememberSecret(core.shared, data.accessToken);
  return data;
}

/** `POST connect`, no body; 10 attempts 5 s apart, retrying every error. */
export async function connect(core: ClientCore, options: CallOptions = {}): Promise<void> {
  await exchange(core, { call: "connect", method: "POST", path: "connect", signal: options.signal });
}

/** `POST disconnect`, no body; 4 attempts 1 s apart, retrying every error. */
export async function disconnect(core: ClientCore, options: CallOptions = {}): Promise<void> {
  await exchange(core, { call: "disconnect", method: "POST", path: "disconnect", signal: options.signal });
}

/** `POST stop` (`buildkite-agent stop`): `{"force":true}` or `{}`. */
export async function stop(core: ClientCore, request: StopRequest = {}, options: CallOptions = {}): Promise<void> {
  await exchange(core, {
    call: "stop",
    method: "POST",
    path: "stop",
    json: { force: request.force || undefined },
    signal: options.signal,
  });
}

/** `POST pause` (`buildkite-agent pause`). */
export async function pause(core: ClientCore, request: PauseRequest = {}, options: CallOptions = {}): Promise<void> {
  await exchange(core, {
    call: "pause",
    method: "POST",
    path: "pause",
    json: { note: request.note || undefined, timeout_in_minutes: request.timeoutInMinutes || undefined },
    signal: options.signal,
  });
}

/** `POST resume`, no body. */
export async function resume(core: ClientCore, options: CallOptions = {}): Promise<void> {
  await exchange(core, { call: "resume", method: "POST", path: "resume", signal: options.signal });
}
