import { goJson } from "@agent/api-client";
import type { envDumpCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { writeOutput } from "./command-output.js";

/**
 * `buildkite-agent env dump`: prints this process's environment as one JSON
 * object, keys sorted, no HTML escaping (clicommand/env_dump.go). Any format
 * but `json-pretty` prints compact JSON, as the real agent does. No Job API.
 */
export async function run(context: CommandContext<typeof envDumpCommand>): Promise<number> {
  const env = new Map<string, string>();
  for (const [name, value] of Object.entries(context.env)) if (value !== undefined) env.set(name, value);
  const indent = context.config.format === "json-pretty" ? "  " : "";
  await writeOutput(context.stdout, goJson(env, { escapeHtml: false, indent }));
  return 0;
}
