import type { ApiClient } from "@agent/api-client";
import type { Environment } from "../environment.js";
import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import { isSecretTargetAllowed, type CheckoutOverrideMode } from "../protected-env.js";

interface SecretConfig {
  readonly key: string;
  readonly environmentVariable: string;
}

function parseSecretsConfig(text: string): SecretConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JobRunnerError("JOB_SECRETS_CONFIG", "BUILDKITE_SECRETS_CONFIG is not valid JSON");
  }
  if (!Array.isArray(parsed)) throw new JobRunnerError("JOB_SECRETS_CONFIG", "BUILDKITE_SECRETS_CONFIG is not a JSON array");
  return parsed.map((entry: unknown, index) => {
    const record = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof record.key !== "string" || record.key === "") {
      throw new JobRunnerError("JOB_SECRETS_CONFIG", `BUILDKITE_SECRETS_CONFIG[${index}] has no "key"`);
    }
    const name = record.environment_variable;
    return { key: record.key, environmentVariable: typeof name === "string" ? name : "" };
  });
}

/**
 * Pipeline `secrets:` (setUp step 6): fetches every secret through the Agent API
 * (10 at a time, each with the client's retries), redacts each value, and exports
 * those with an `environment_variable`. Any failure fails set-up.
 */
export async function prepareSecrets(options: {
  readonly configText: string;
  readonly jobId: string;
  readonly client: Pick<ApiClient, "getSecrets">;
  readonly environment: Environment;
  readonly mode: CheckoutOverrideMode;
  readonly log: JobLog;
  readonly redact: (values: readonly string[]) => void;
  readonly signal?: AbortSignal;
}): Promise<void> {
  const configs = parseSecretsConfig(options.configText);
  if (configs.length === 0) return;
  options.log.header("Preparing secrets");
  for (const { environmentVariable: name } of configs) {
    if (name !== "" && !isSecretTargetAllowed(name, options.mode)) {
      throw new JobRunnerError("JOB_SECRET_PROTECTED", `secrets may not set the protected environment variable ${name}`);
    }
  }
  const result = await options.client.getSecrets(
    options.jobId,
    configs.map((config) => config.key),
    { signal: options.signal },
  );
  options.redact(result.secrets.map((secret) => secret.value));
  if (result.errors.length > 0) {
    const keys = result.errors.map((failure) => failure.key).join(", ");
    throw new JobRunnerError("JOB_SECRETS_FETCH", `failed to fetch secrets: ${keys}`, { cause: result.errors[0]?.error });
  }
  const values = new Map(result.secrets.map((secret) => [secret.key, secret.value]));
  for (const { key, environmentVariable: name } of configs) {
    if (name === "") continue;
    const overwritten = options.environment.has(name);
    options.environment.set(name, values.get(key) ?? "");
    options.log.comment(`Secret ${key} added as environment variable ${name}${overwritten ? " (overwritten)" : ""}`);
  }
}
