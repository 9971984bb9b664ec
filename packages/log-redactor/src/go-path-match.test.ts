import { LogRedactorError } from "./errors.js";
import { goPathMatch } from "./go-path-match.js";

describe("goPathMatch (Go path.Match)", () => {
  it.each([
    ["*_TOKEN", "GITHUB_TOKEN", true],
    ["*_TOKEN", "TOKEN", false],
    ["*_TOKEN", "MY_TOKEN_FILE", false],
    ["*_TOKEN", "github_token", false],
    ["*_TOKEN", "_TOKEN", true],
    ["A?C", "ABC", true],
    ["A?C", "AC", false],
    ["[AB]_KEY", "B_KEY", true],
    ["[^AB]_KEY", "B_KEY", false],
    ["[^AB]_KEY", "C_KEY", true],
    ["[A-C]*", "BUILD", true],
    ["[A-C]*", "DEPLOY", false],
    ["\\*_KEY", "*_KEY", true],
    ["\\*_KEY", "A_KEY", false],
    ["[\\]]X", "]X", true],
    ["*", "a/b", false],
    ["a*b*c*d*e*f", "a".repeat(40) + "bcdef", true],
    ["a*a*a*a*a*b", "a".repeat(60), false],
    ["", "", true],
    ["SEKRET", "SEKRET", true],
  ])("%j vs %j → %s", (pattern, name, expected) => {
    expect(goPathMatch(pattern, name)).toBe(expected);
  });

  it.each(["[", "[]", "[^]", "[a-]", "abc\\", "[a", "x[\\", "*_TOKEN[", "[-a]"])("rejects malformed %j whatever the name", (pattern) => {
    expect.assertions(2);
    try {
      goPathMatch(pattern, "ANYTHING");
    } catch (error) {
      expect(error).toBeInstanceOf(LogRedactorError);
      expect((error as LogRedactorError).code).toBe("REDACTED_VARS_PATTERN");
    }
  });
});
