import { randomUUID } from "node:crypto";
import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import { object, optString, str, type ResponseSchema } from "./response-schema.js";

/** `POST steps/{key-or-id}/export` body; each field omitted when empty. */
export interface StepGetRequest {
  readonly attribute?: string;
  readonly buildId?: string;
  /** e.g. `json`. */
  readonly format?: string;
}

/** `PUT steps/{key-or-id}` body; each field omitted when empty/false. */
export interface StepUpdateRequest {
  /** Fixed across retries so the server applies the change once. @default a new random UUID */
  readonly idempotencyUuid?: string;
  readonly buildId?: string;
  readonly attribute: string;
  readonly value: string;
  readonly append?: boolean;
}

/** `POST steps/{key-or-id}/cancel` body; every field is always sent. */
export interface StepCancelRequest {
  readonly buildId: string;
  readonly force: boolean;
  /** Seconds. */
  readonly forceGracePeriod: number;
}

const outputResponse: ResponseSchema<string> = {
  schema: object({ output: optString }),
  map: (json) => str(json, "output"),
};

const uuidResponse: ResponseSchema<string> = {
  schema: object({ uuid: optString }),
  map: (json) => str(json, "uuid"),
};

/** `POST steps/{key-or-id}/export` → the attribute's value (`output`); 10 attempts 5 s apart. */
export async function getStep(
  core: ClientCore,
  stepIdOrKey: string,
  request: StepGetRequest,
  options: CallOptions = {},
): Promise<string> {
  const { data } = await exchange(core, {
    call: "getStep",
    method: "POST",
    path: `steps/${railsPathEscape(stepIdOrKey)}/export`,
    json: {
      attribute: request.attribute || undefined,
      build_id: request.buildId || undefined,
      format: request.format || undefined,
    },
    response: outputResponse,
    signal: options.signal,
  });
  return data;
}

/** `PUT steps/{key-or-id}`; 10 attempts 5 s apart with one idempotency UUID. */
export async function updateStep(
  core: ClientCore,
  stepIdOrKey: string,
  request: StepUpdateRequest,
  options: CallOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "updateStep",
    method: "PUT",
    path: `steps/${railsPathEscape(stepIdOrKey)}`,
    json: {
      idempotency_uuid: request.idempotencyUuid || randomUUID(),
      build_id: request.buildId || undefined,
      attribute: request.attribute || undefined,
      value: request.value || undefined,
      append: request.append ? true : undefined,
    },
    signal: options.signal,
  });
}

/** `POST steps/{key-or-id}/cancel` → the step's `uuid`; 10 attempts 5 s apart. */
export async function cancelStep(
  core: ClientCore,
  stepIdOrKey: string,
  request: StepCancelRequest,
  options: CallOptions = {},
): Promise<string> {
  const { data } = await exchange(core, {
    call: "cancelStep",
    method: "POST",
    path: `steps/${railsPathEscape(stepIdOrKey)}/cancel`,
    json: { build_id: request.buildId, force: request.force, force_grace_period: request.forceGracePeriod },
    response: uuidResponse,
    signal: options.signal,
  });
  return data;
}
