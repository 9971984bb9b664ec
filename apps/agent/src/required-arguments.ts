import { PROGRAM } from "./help.js";

/**
 * The positional arguments the Go agent's config loader insists on (an
 * `arg:N` field tagged `validate:"required"` in clicommand/*.go, v3.137), by
 * command, with the label its message uses. Other commands check their
 * arguments themselves, each in its own words (the `lock` commands print their
 * help), so that stays with their implementations.
 */
export const REQUIRED_ARGUMENT_LABELS: Readonly<Record<string, readonly string[]>> = {
  "artifact download": ["artifact search query", "artifact download path"],
  "artifact search": ["artifact search query"],
  "artifact shasum": ["artifact search query"],
  "artifact upload": ["upload paths"],
  "job promise-failure": ["exit status"],
  "job update": ["attribute"],
  "meta-data exists": ["meta-data key"],
  "meta-data get": ["meta-data key"],
  "meta-data set": ["meta-data key"],
  "step update": ["attribute"],
};

/**
 * The Go loader's message for the first required argument that is missing or
 * empty — `Missing meta-data key. See: \`buildkite-agent meta-data get --help\`` —
 * or undefined when all are there.
 */
export function missingArgumentMessage(path: readonly string[], args: readonly string[]): string | undefined {
  const key = path.join(" ");
  const labels = Object.hasOwn(REQUIRED_ARGUMENT_LABELS, key) ? REQUIRED_ARGUMENT_LABELS[key]! : [];
  const index = labels.findIndex((_, position) => (args[position] ?? "") === "");
  return index === -1 ? undefined : `Missing ${labels[index]}. See: \`${PROGRAM} ${key} --help\``;
}
