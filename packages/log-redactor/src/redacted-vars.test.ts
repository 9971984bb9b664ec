import { matchRedactedVars, shortRedactedVarsWarning } from "./redacted-vars.js";

it("matches whole names, measures values in bytes, skips empty values", () => {
  const result = matchRedactedVars(["*_TOKEN", "*_SECRET"], {
    GITHUB_TOKEN: "ghp_secretvalue",
    MY_TOKEN_FILE: "/path/to/file",
    SHORT_SECRET: "ééé",
    TINY_SECRET: "abc",
    EMPTY_TOKEN: "",
  });
  expect(result.matched).toEqual([
    { name: "GITHUB_TOKEN", value: "ghp_secretvalue" },
    { name: "SHORT_SECRET", value: "ééé" },
  ]);
  expect(result.short).toEqual(["TINY_SECRET"]);
  expect(result.warning).toBe("Some variables have values below minimum length (6 bytes) and will not be redacted: TINY_SECRET");
});

it("fails the whole scan on one malformed pattern, even if others match", () => {
  expect(() => matchRedactedVars(["*_TOKEN", "[oops"], [["GITHUB_TOKEN", "ghp_secretvalue"]])).toThrow(
    expect.objectContaining({ code: "REDACTED_VARS_PATTERN" }),
  );
});

it("formats the warning with every name", () => {
  expect(shortRedactedVarsWarning(["A", "B"])).toBe("Some variables have values below minimum length (6 bytes) and will not be redacted: A, B");
});
