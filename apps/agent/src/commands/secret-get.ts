import { goJson } from "@agent/api-client";
import type { secretGetCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { writeOutput } from "./command-output.js";
import { addToJobRedactor } from "./job-api-redaction.js";

/**
 * `buildkite-agent secret get <key…>`: fetches Buildkite secrets (up to 10 at
 * a time, each with its own retries), adds every value to the job log's
 * redactor through the Job API unless `--skip-redaction`, then prints them:
 * one key in the `default` format ⇒ the value and a newline; several keys or
 * `json` ⇒ one JSON object; `env` ⇒ `KEY='value'` lines sorted by key
 * (clicommand/secret_get.go). Any key that cannot be fetched fails the command
 * before anything is printed, listing every failure.
 */
export async function run(context: CommandContext<typeof secretGetCommand>): Promise<number> {
  const { config } = context;
  const keys = context.args;
  if (keys.length === 0) throw new Error("at least one secret key must be provided");

  const { secrets, errors } = await withAgentApi(context, (client) => client.getSecrets(config.job, keys));
  if (errors.length > 0) {
    throw new Error(`Failed to fetch some secrets: ${errors.map(({ key, error }) => `secret "${key}": ${error.message}`).join("; ")}`);
  }

  if (!config.skipRedaction) {
    await addToJobRedactor(
      context.env,
      secrets.map((secret) => secret.value),
      {
        what: "secret",
        output: "secret values",
        outputAnyway: "the secret values",
        pronoun: "they",
        skipEnv: "BUILDKITE_AGENT_SECRET_GET_SKIP_SECRET_REDACTION",
        failed: "failed to redact secrets",
      },
      config.debug,
    );
  }

  // With no failures, `secrets` is in `keys` order; the requested spelling is the map key, as in Go.
  const byKey = new Map(keys.map((key, index) => [key, secrets[index]!.value] as const));
  let output: string;
  if (config.format === "env") {
    output = [...byKey]
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map(([key, value]) => `${key.toUpperCase()}=${shellQuote(value)}\n`)
      .join("");
  } else if (config.format === "json" || keys.length > 1) {
    output = goJson(byKey, { escapeHtml: false });
  } else {
    output = `${secrets[0]!.value}\n`;
  }
  await writeOutput(context.stdout, output);
  return 0;
}

/** A value for a POSIX shell: single-quoted, each `'` written as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
