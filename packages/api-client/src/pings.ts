import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { serverRequestHeaders } from "./request-headers.js";
import { field, object, optString, optStringMap, str, stringMap, type ResponseSchema } from "./response-schema.js";

/**
 * What a ping tells the agent to do. The real agent treats `""`, `"idle"` and any
 * unknown word alike, so they all arrive here as `idle`.
 */
export type PingAction = "idle" | "pause" | "disconnect";

/** `GET ping` answer (Go `Ping`). */
export interface Ping {
  readonly action: PingAction;
  /** Logged at info by the agent when non-empty. */
  readonly message: string;
  /** A job to accept and run; only its `id` is used. */
  readonly job: { readonly id: string } | undefined;
  /** Endpoint to try switching to; `""` = none. */
  readonly endpoint: string;
  /**
   * The `Buildkite-*` headers the server asked for (other names dropped), already
   * applied to the client that pinged; `undefined` when absent/null (the stored
   * set is kept).
   */
  readonly requestHeaders: Readonly<Record<string, string>> | undefined;
}

const pingResponse: ResponseSchema<Ping> = {
  schema: object({
    action: optString,
    message: optString,
    // A job without an id cannot be accepted: that is an unusable ping.
    job: object({ id: { type: "string", minLength: 1 } }, ["id"]),
    endpoint: optString,
    request_headers: optStringMap,
  }),
  map: (json) => {
    const action = str(json, "action");
    const job = field(json, "job");
    const headers = field(json, "request_headers");
    return {
      action: action === "pause" || action === "disconnect" ? action : "idle",
      message: str(json, "message"),
      job: job === null || job === undefined ? undefined : { id: str(job, "id") },
      endpoint: str(json, "endpoint"),
      requestHeaders:
        headers === null || headers === undefined ? undefined : serverRequestHeaders(stringMap(json, "request_headers")),
    };
  },
};

/**
 * `GET ping`, one attempt (the ping loop is the retry). A non-null
 * `request_headers` map replaces the client's server-specified headers (an
 * empty map clears them).
 */
export async function ping(core: ClientCore, options: CallOptions = {}): Promise<Ping> {
  const { data } = await exchange(core, {
    call: "ping",
    method: "GET",
    path: "ping",
    response: pingResponse,
    signal: options.signal,
  });
  if (data.requestHeaders !== undefined) core.requestHeaders = data.requestHeaders;
  return data;
}
