import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { quoteShellWord, splitShellWords } from "../../src/checkout/index.js";

interface Cases {
  splitPosixCases: Array<{ name: string; input: string; expected: string[] }>;
  quotePosixCases: Array<{ name: string; input: string; expected: string }>;
  splitBatchCases: Array<{ name: string }>;
  quoteBatchCases: Array<{ name: string }>;
}

const cases = JSON.parse(
  readFileSync(new URL("../../../../../shared/conformance/shellwords/cases.json", import.meta.url), "utf8"),
) as Cases;

describe("shellwords conformance (POSIX)", () => {
  it("has every POSIX vector", () => {
    expect(cases.splitPosixCases).toHaveLength(7);
    expect(cases.quotePosixCases).toHaveLength(5);
  });

  it.each(cases.splitPosixCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(splitShellWords(c.input)).toEqual(c.expected);
  });

  it.each(cases.quotePosixCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(quoteShellWord(c.input)).toBe(c.expected);
  });
});

// splitBatchCases / quoteBatchCases are Windows `cmd` rules (`^` escapes, `""`
// inside quotes); job-runner runs POSIX shells only and refuses CMD.EXE.
describe("shellwords conformance (Windows batch)", () => {
  it.skip.each([...cases.splitBatchCases, ...cases.quoteBatchCases].map((c) => [c.name] as const))(
    "%s (skipped: batch rules; job-runner is POSIX only)",
    () => undefined,
  );
});

describe("splitShellWords", () => {
  it.each([
    ["empty input", "", []],
    ["only separators", " \t\n ", []],
    ["an empty quoted word is kept", `git -c "" x`, ["git", "-c", "", "x"]],
    ["newlines and tabs separate", "-v\n--prune\t--tags", ["-v", "--prune", "--tags"]],
    ["a trailing backslash is dropped", "a\\", ["a"]],
  ])("%s", (_name, input, expected) => {
    expect(splitShellWords(input)).toEqual(expected);
  });

  it.each([`-v "--depth 1`, "-v '--depth"])("rejects the unterminated quote in %s with CHECKOUT_FLAGS_INVALID", (input) => {
    expect(() => splitShellWords(input)).toThrow(expect.objectContaining({ code: "CHECKOUT_FLAGS_INVALID" }));
  });
});

describe("quoteShellWord", () => {
  it.each(["", "plain", "with space", "it's", 'say "hi"', "$HOME", "a\\b", "*.txt", "x;y", "back`tick`"])(
    "round-trips %j through splitShellWords",
    (word) => {
      expect(splitShellWords(quoteShellWord(word))).toEqual([word]);
    },
  );
});
