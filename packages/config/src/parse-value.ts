/**
 * Parsers for setting values with Go's semantics, because users' existing config
 * files and env vars were written for the Go agent.
 */

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool`; `undefined` when the text is not a boolean. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/** Go's `strconv.Atoi` for the range a JS number holds exactly; `undefined` when invalid. */
export function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Go's `time.ParseDuration` (`300ms`, `1.5h`, `2h45m`, `-10s`, `0`), in milliseconds;
 * `undefined` when invalid. A bare number other than 0 needs a unit, as in Go.
 */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([+-]?)(.*)$/.exec(text);
  const sign = match?.[1] === "-" ? -1 : 1;
  const body = match?.[2] ?? "";
  if (body === "0") return 0;
  if (body === "") return undefined;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const piece = part.exec(body);
    if (!piece) return undefined;
    total += Number(piece[1]) * DURATION_UNITS_MS[piece[2]!]!;
    index = part.lastIndex;
  }
  return sign * total;
}

/**
 * The agent's list normalisation: every item is split again on `,`, pieces that
 * are empty are dropped, the rest trimmed. The emptiness test comes before the
 * trim, so a whitespace-only piece becomes `""` (cliconfig/loader.go).
 */
export function normaliseList(items: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    for (const piece of item.split(",")) {
      if (piece !== "") out.push(piece.trim());
    }
  }
  return out;
}

/** How urfave/cli reads a list flag from its env var: split on `,`, each piece trimmed. */
export function splitEnvList(text: string): string[] {
  return text.split(",").map((piece) => piece.trim());
}
