import { readFileSync } from "node:fs";
import { interpolate, interpolationIdentifiers, PipelineError } from "../src/index.js";

interface Case {
  name: string;
  input: string;
  env: Record<string, string>;
  expected?: string;
  error?: boolean;
  errorContains?: string;
  errorExact?: boolean;
}

// buildkite/interpolate v0.1.5's own vectors (../shared/conformance/interpolation).
const vectors = JSON.parse(readFileSync(new URL("../../../../shared/conformance/interpolation/cases.json", import.meta.url), "utf8")) as {
  cases: Case[];
  identifierCases: { name: string; input: string; identifiers: string[] }[];
  parseCases: { name: string; input: string; computedWithEmptyEnv: { output?: string; error?: boolean; errorContains?: string } }[];
};

function interpolationError(run: () => unknown): PipelineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe("PIPELINE_INTERPOLATION");
    return error as PipelineError;
  }
  throw new Error("expected an interpolation error");
}

describe("interpolate (conformance cases)", () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.error) {
      const error = interpolationError(() => interpolate(c.input, c.env));
      if (c.errorExact) expect(error.message).toBe(c.errorContains);
      else expect(error.message).toContain(c.errorContains);
    } else {
      expect(interpolate(c.input, c.env)).toBe(c.expected);
    }
  });
});

describe("interpolationIdentifiers (conformance identifierCases)", () => {
  it.each(vectors.identifierCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(interpolationIdentifiers(c.input)).toEqual(c.identifiers);
  });
});

describe("interpolate with an empty env (conformance parseCases)", () => {
  it.each(vectors.parseCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.computedWithEmptyEnv.error) {
      expect(interpolationError(() => interpolate(c.input, {})).message).toContain(c.computedWithEmptyEnv.errorContains);
    } else {
      expect(interpolate(c.input, {})).toBe(c.computedWithEmptyEnv.output);
    }
  });
});

// Our own table. Expected values follow interpolate v0.1.5's parser (read, not guessed):
// each row names the subtlety it pins.
const env = { A: "alpha", B: "", LONG: "0123456789", UNI: "héllo", NUM1: "one", Ünï: "unicode-name" };
const table: [string, string, string][] = [
  ["plain text passes through", "no variables here", "no variables here"],
  ["bare name", "$A", "alpha"],
  ["braced name", "${A}", "alpha"],
  ["name runs to the first non-identifier character", "$A-x", "alpha-x"],
  ["underscore continues a name", "$A_B", ""],
  ["digits continue a name", "$NUM1x", ""],
  ["name with digits", "$NUM1", "one"],
  ["unicode letters make a name", "$Ünï", "unicode-name"],
  ["unset is empty", "[$NOPE]", "[]"],
  ["empty is empty", "[$B]", "[]"],
  [":- default when unset", "${NOPE:-d}", "d"],
  [":- default when empty", "${B:-d}", "d"],
  [":- keeps a set value", "${A:-d}", "alpha"],
  ["- default only when unset", "${NOPE-d}", "d"],
  ["- keeps an empty value", "[${B-d}]", "[]"],
  ["nested default two deep", "${X:-${Y:-c}}", "c"],
  ["nested default picks the first set", "${X:-${A:-c}}", "alpha"],
  ["nested default three deep", "${X:-${Y:-${Z:-deep}}}", "deep"],
  ["default with text around a nested expansion", "${X:-pre ${A} post}", "pre alpha post"],
  ["default ends at the first }", "${X:-a}b}", "ab}"],
  ["empty default", "[${X:-}]", "[]"],
  ["substring offset", "${LONG:3}", "3456789"],
  ["substring offset and length", "${LONG:2:3}", "234"],
  ["substring negative offset needs a space", "${LONG: -3}", "789"],
  ["substring negative offset and length", "${LONG: -4:2}", "67"],
  ["substring negative length counts from the end", "${LONG:1:-1}", "12345678"],
  ["substring offset past the end", "[${LONG:99}]", "[]"],
  ["substring length past the end", "${LONG:8:99}", "89"],
  ["substring negative offset before the start", "${LONG: -99:2}", "01"],
  ["substring end before start", "[${LONG:5:-9}]", "[]"],
  ["substring with spaces around numbers", "${LONG: 2 : 2 }", "23"],
  ["substring counts UTF-8 bytes", "${UNI:0:3}", "hé"],
  ["substring of unset", "[${NOPE:1:2}]", "[]"],
  ["$$ escapes a name", "$$A", "$A"],
  ["\\$ escapes a name", "\\$A", "$A"],
  ["$$ escapes a brace", "$${A}", "${A}"],
  ["\\$ escapes a brace", "\\${A:-x}", "${A:-x}"],
  ["escape only covers the $: the rest is parsed", "$${X:-$A}", "${X:-alpha}"],
  ["double backslash stays two backslashes", "\\\\$A", "\\\\alpha"],
  ["lone backslash stays", "a\\b", "a\\b"],
  ["$ before a non-letter stays", "cost: $5", "cost: $5"],
  ["$_X stays literal", "$_X", "$_X"],
  ["$( stays literal", "$(date)", "$(date)"],
  ["trailing $ stays", "end$", "end$"],
  ["$$ at the end gives one $", "end$$", "end$"],
  ["no second round of expansion", "${Q}", "$A"],
  ["required and set", "${A?}", "alpha"],
  ["required and empty passes", "[${B?}]", "[]"],
  ["regex anchor via $$", "/^x$$/", "/^x$/"],
  ["emoji text", "🦀 $A 🏖", "🦀 alpha 🏖"],
];

describe("interpolate (our table)", () => {
  it.each(table)("%s: %s", (_why, input, expected) => {
    expect(interpolate(input, { ...env, Q: "$A" })).toBe(expected);
  });

  it("is case-sensitive unless asked (the agent on Windows upper-cases names)", () => {
    expect(interpolate("$a", { A: "x" })).toBe("");
    expect(interpolate("$a", { A: "x" }, { caseInsensitive: true })).toBe("x");
  });

  it("reads a Map as well as a record", () => {
    expect(interpolate("$A ${B-unset}", new Map([["A", "m"]]))).toBe("m unset");
  });
});

const errors: [string, string, string][] = [
  ["required, unset, no message", "${X?}", "$X: not set"],
  ["required, unset, with message", "${X?please set X}", "$X: please set X"],
  ["required message is interpolated", "${X?need $A}", "$X: need alpha"],
  ["${_X} is malformed", "${_X}", "Expected identifier to start with a letter, got _"],
  ["${1} is malformed", "${1}", "Expected identifier to start with a letter, got 1"],
  ["empty braces", "${}", "Expected identifier to start with a letter, got }"],
  ["unterminated brace", "${A", "Expected an operator, got \uFFFD"],
  ["bad operator", "${A+x}", "Expected an operator, got +"],
  ["unterminated default", "${A:-x", "Expected brace expansion to end with }, got \uFFFD"],
  [":? is a substring offset, not a required check", "${X:?msg}", 'Unable to parse offset: strconv.Atoi: parsing "?msg": invalid syntax'],
  ["bad substring length", "${X:1:z}", 'Unable to parse length: strconv.Atoi: parsing "z": invalid syntax'],
  ["offset out of range", "${X:99999999999999999999}", 'Unable to parse offset: strconv.Atoi: parsing "99999999999999999999": value out of range'],
];

describe("interpolate errors (our table)", () => {
  it.each(errors)("%s: %s", (_why, input, message) => {
    expect(interpolationError(() => interpolate(input, { A: "alpha" })).message).toBe(message);
  });
});

describe("interpolate on hostile input", () => {
  // Every escape looks ahead over the rest of the text; re-parsing that per escape took
  // exponential time (a 200-byte string never finished).
  it("handles nested escaped expansions in linear time", () => {
    const input = "$${X:-".repeat(40) + "}".repeat(40);
    expect(interpolate(input, {})).toBe("${X:-".repeat(40) + "}".repeat(40));
    // Each escape hides the expansion from its `{` to the first `}`.
    const firstClose = input.indexOf("}") + 1;
    expect(interpolationIdentifiers(input)).toEqual(Array.from({ length: 40 }, (_, i) => `$${input.slice(6 * i + 2, firstClose)}`));
  }, 20_000);

  it("expands defaults nested 1000 deep, and refuses deeper nesting with an interpolation error", () => {
    const nested = (depth: number) => "${A:-".repeat(depth) + "x" + "}".repeat(depth);
    expect(interpolate(nested(1000), {})).toBe("x");
    for (const depth of [1001, 100_000]) {
      expect(interpolationError(() => interpolate(nested(depth), {})).message).toBe("expansions are nested more than 1000 deep");
      expect(interpolationError(() => interpolationIdentifiers(nested(depth))).message).toBe("expansions are nested more than 1000 deep");
    }
    // Escaped nesting is only text to interpolate, but its identifiers are looked for.
    const escaped = "$${A:-".repeat(100_000);
    expect(interpolate(escaped, {})).toBe("${A:-".repeat(100_000));
    expect(interpolationError(() => interpolationIdentifiers(escaped)).message).toBe("expansions are nested more than 1000 deep");
  });
});
