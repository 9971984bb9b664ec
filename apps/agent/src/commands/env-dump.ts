import type { envDumpCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { writeOutput } from "./command-output.js";
import { goJsonStringMap } from "./go-json.js";

/**
 * `buildkite-agent env dump`: prints this process's environment as one JSON
 * object, keys sorted, no HTML escaping (clicommand/env_dump.go). Any format
 * but `json-pretty` prints compact JSON, as the real agent does. No Job API.
 */
export async function run(context: CommandContext<typeof envDumpCommand>): Promise<number> {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(context.env)) if (value !== undefined) entries.push([name, value]);
  await writeOutput(context.stdout, goJsonStringMap(entries, context.config.format === "json-pretty"));
  return 0;
}
