import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { formatRfc3339NanoLocal } from "./go-time.js";
import { object, optString, str, type ResponseSchema } from "./response-schema.js";

/** `POST heartbeat` answer. */
export interface Heartbeat {
  /** What we sent: local time with offset, RFC3339Nano. */
  readonly sentAt: string;
  /** When the server received it; `""` when not given. */
  readonly receivedAt: string;
}

/** Options for {@link heartbeat}. */
export interface HeartbeatOptions extends CallOptions {
  /** The time to report. @default now */
  readonly sentAt?: Date;
}

const heartbeatResponse: ResponseSchema<{ sentAt: string; receivedAt: string }> = {
  schema: object({ sent_at: optString, received_at: optString }),
  map: (json) => ({ sentAt: str(json, "sent_at"), receivedAt: str(json, "received_at") }),
};

/**
 * `POST heartbeat` with `{"sent_at": <local RFC3339Nano>}`. 10 attempts 5 s apart
 * without jitter; every transport error is retried, a non-retryable status (or
 * an unusable body) is not, and the worker treats that as unrecoverable.
 */
export async function heartbeat(core: ClientCore, options: HeartbeatOptions = {}): Promise<Heartbeat> {
  const sentAt = formatRfc3339NanoLocal(options.sentAt ?? new Date());
  const { data } = await exchange(core, {
    call: "heartbeat",
    method: "POST",
    path: "heartbeat",
    json: { sent_at: sentAt },
    response: heartbeatResponse,
    signal: options.signal,
  });
  // Go decodes the answer over the request, so a missing sent_at keeps ours.
  return { sentAt: data.sentAt || sentAt, receivedAt: data.receivedAt };
}
