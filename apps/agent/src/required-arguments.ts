import type { CommandDefinition } from "@agent/config";
import { PROGRAM } from "./help.js";

/**
 * The Go config loader's message for the first argument it requires
 * (`missingLabel` in the definition) that is missing or empty —
 * `Missing meta-data key. See: \`buildkite-agent meta-data get --help\`` — or
 * undefined when all are there.
 */
export function missingArgumentMessage(definition: CommandDefinition, args: readonly string[]): string | undefined {
  const index = definition.args.findIndex((arg, position) => arg.missingLabel !== undefined && (args[position] ?? "") === "");
  if (index === -1) return undefined;
  return `Missing ${definition.args[index]!.missingLabel}. See: \`${PROGRAM} ${definition.path.join(" ")} --help\``;
}
