/** Nanoseconds per unit in Go's `time.ParseDuration`. */
const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3, // U+00B5 micro sign
  "μs": 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const COMPONENT = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;

/**
 * Go's `time.ParseDuration`, returning milliseconds, or `undefined` when Go would
 * return an error.
 */
function parseGoDurationMs(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let totalNs = 0;
  while (rest !== "") {
    const match = COMPONENT.exec(rest);
    if (!match) return undefined;
    const [whole, int = "", frac, unit = ""] = match;
    // Go needs a digit on one side of the dot: ".5s" and "5.s" parse, "." does not.
    if (int === "" && (frac === undefined || frac === "")) return undefined;
    const scale = UNIT_NS[unit];
    if (scale === undefined) return undefined;
    totalNs += Number(`${int || "0"}.${frac || "0"}`) * scale;
    rest = rest.slice(whole.length);
  }
  return (sign * totalNs) / 1e6;
}

/**
 * The delay a `Retry-After` header asks for, read the way the real agent reads it:
 * the value with `s` appended, parsed as a Go duration. So `3` is 3 s and `1.5` is
 * 1.5 s; an HTTP-date, an empty value or anything else Go refuses is ignored
 * (`undefined`). A quirk kept on purpose: `2m` becomes `2ms`.
 */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  return parseGoDurationMs(`${value}s`);
}
