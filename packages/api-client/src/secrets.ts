import type { CallOptions } from "./call-options.js";
import { ApiError } from "./errors.js";
import { exchange, rememberSecret, type ClientCore } from "./exchange.js";
import { goQueryString, railsPathEscape } from "./path-escape.js";
import { object, optString, str, type ResponseSchema } from "./response-schema.js";

/** A secret's value. Never logged. */
export interface Secret {
  readonly key: string;
  readonly value: string;
  readonly uuid: string;
}

/** How many secrets are fetched at once, as in the real agent. */
export const SECRETS_CONCURRENCY = 10;

const secretResponse: ResponseSchema<Secret> = {
  schema: object({ key: optString, value: { type: "string" }, uuid: optString }, ["value"], false),
  map: (json) => ({ key: str(json, "key"), value: str(json, "value"), uuid: str(json, "uuid") }),
};

/**
 * `GET jobs/{job}/secrets?key=<key>`. 3 attempts, Exponential(2 s) with jitter in
 * [-1 s, 5 s); only 429/5xx and retryable transport errors are retried.
 */
export async function getSecret(
  core: ClientCore,
  jobId: string,
  key: string,
  options: CallOptions = {},
): Promise<Secret> {
  const { data } = await exchange(core, {
    call: "getSecret",
    method: "GET",
    path: `jobs/${railsPathEscape(jobId)}/secrets?${goQueryString({ key })}`,
    response: secretResponse,
    sensitiveBody: true,
    signal: options.signal,
  });
  // Pipeline secrets are redacted however short (logs-and-redaction §4.1).
  rememberSecret(core.shared, data.value, { anyLength: true });
  return data;
}

/** What {@link getSecrets} returns: the secrets fetched and every key that failed. */
export interface SecretsResult {
  readonly secrets: readonly Secret[];
  /** One `ApiError` per failed key, in `keys` order; empty when all succeeded. */
  readonly errors: readonly { readonly key: string; readonly error: ApiError }[];
}

/**
 * Fetches `keys` with {@link getSecret}, at most {@link SECRETS_CONCURRENCY} at a
 * time, each with its own retries. Returns every secret fetched and every
 * failure (the real agent fails the job if any key failed, listing them all).
 */
export async function getSecrets(
  core: ClientCore,
  jobId: string,
  keys: readonly string[],
  options: CallOptions = {},
): Promise<SecretsResult> {
  const results: ({ secret: Secret } | { error: ApiError })[] = new Array(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const index = next++;
      try {
        results[index] = { secret: await getSecret(core, jobId, keys[index]!, options) };
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        results[index] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SECRETS_CONCURRENCY, keys.length) }, worker));
  return {
    secrets: results.flatMap((r) => ("secret" in r ? [r.secret] : [])),
    errors: results.flatMap((r, i) => ("error" in r ? [{ key: keys[i]!, error: r.error }] : [])),
  };
}
