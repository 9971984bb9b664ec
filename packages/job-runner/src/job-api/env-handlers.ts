import { CHECKOUT_SCOPED_VARS, isChangeAllowed, type CheckoutOverrideMode } from "../protected-env.js";
import type { Environment } from "../environment.js";
import { compareBytes } from "../byte-order.js";
import type { JobApiReply } from "./job-api-reply.js";
import { decodeEnvDelete, decodeEnvPatch } from "./request-payloads.js";

/** What the env routes work on. */
export interface EnvRouteContext {
  readonly environment: Environment;
  readonly mode: CheckoutOverrideMode;
  /** Called for each name whose value the request actually changed. */
  readonly changed: (name: string) => void;
}

const sorted = (names: string[]): string[] => names.sort(compareBytes);

/** `GET /env`: the executor's whole live environment. */
export function getEnv(context: EnvRouteContext): JobApiReply {
  return { status: 200, body: { env: new Map(Object.entries(context.environment.toObject())) } };
}

/** `PATCH /env`: sets every variable or, if any is refused, none. */
export function patchEnv(context: EnvRouteContext, body: string): JobApiReply {
  const { entries } = decodeEnvPatch(body);
  const refused = protectedMessage(
    entries.map(([name]) => name),
    context.mode,
  );
  if (refused !== undefined) return { status: 422, body: { error: refused } };
  const nulls = entries.filter(([, value]) => value === null).map(([name]) => name);
  if (nulls.length > 0) {
    return {
      status: 422,
      body: {
        error: `removing environment variables (ie setting them to null) is not permitted on this endpoint. The following keys were set to null: [${nulls.join(" ")}]`,
      },
    };
  }
  const added: string[] = [];
  const updated: string[] = [];
  for (const [name, value] of entries) {
    const previous = context.environment.get(name);
    // "updated" means the name existed, even when the value is the same.
    (previous === undefined ? added : updated).push(name);
    context.environment.set(name, value as string);
    if (previous !== value) context.changed(name);
  }
  return { status: 200, body: { added: sorted(added), updated: sorted(updated) } };
}

/** `DELETE /env`: removes the names that exist, or none if any is refused. */
export function deleteEnv(context: EnvRouteContext, body: string): JobApiReply {
  const keys = decodeEnvDelete(body);
  const refused = protectedMessage(keys, context.mode);
  if (refused !== undefined) return { status: 422, body: { error: refused } };
  const deleted: string[] = [];
  for (const name of keys) {
    if (context.environment.delete(name)) {
      deleted.push(name);
      context.changed(name);
    }
  }
  return { status: 200, body: { deleted: sorted(deleted) } };
}

/**
 * The 422 message for the names a job may not change, in request order, or
 * undefined if all are allowed; says why when the checkout-override mode is the reason.
 */
function protectedMessage(names: readonly string[], mode: CheckoutOverrideMode): string | undefined {
  const refused = names.filter((name) => !isChangeAllowed(name, mode));
  if (refused.length === 0) return undefined;
  const message = `the following environment variables are protected, and cannot be modified: [${refused.join(" ")}]`;
  const checkoutLocked = refused.some((name) => CHECKOUT_SCOPED_VARS.has(name));
  return checkoutLocked
    ? `${message}. Checkout-related variables are locked because BUILDKITE_CHECKOUT_OVERRIDE_MODE=${mode}`
    : message;
}
