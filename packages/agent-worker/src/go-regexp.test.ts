import { describe, expect, it } from "@jest/globals";
import { MAX_MATCHED_LENGTH, compileGoRegExp, translateGoRegExp } from "./go-regexp.js";

describe("Go (RE2) allow-list patterns", () => {
  it("anchors \\A…\\z to the whole value", () => {
    const re = compileGoRegExp("\\Agit@github\\.com:org/.*\\z");
    expect(re.test("git@github.com:org/repo.git")).toBe(true);
    // Untranslated, JavaScript reads \A as "A" and \z as "z": this one would match.
    expect(re.test("Agit@github.com:org/x.gitz")).toBe(false);
    expect(re.test("xgit@github.com:org/repo.git")).toBe(false);
    expect(re.goSource).toBe("\\Agit@github\\.com:org/.*\\z");
  });

  it.each([
    // [name, Go pattern, JavaScript source, flags]
    ["\\A and \\z", "\\Aa\\z", "^a$", ""],
    ["a leading (?i)", "(?i)^abc$", "^abc$", "i"],
    ["leading flag groups combined", "(?is)(?m)a", "a", "ism"],
    // Under (?m) ^ and $ match at lines; \A and \z must not.
    ["\\A and \\z under (?m)", "(?m)\\Aa\\z", "(?<![\\s\\S])a(?![\\s\\S])", "m"],
    ["(?P<name>", "(?P<org>[a-z]+)/", "(?<org>[a-z]+)/", ""],
    ["(?<name> and (?:", "(?<org>x)(?:y)", "(?<org>x)(?:y)", ""],
    ["[[:alpha:]]", "^[[:alpha:]]+$", "^[A-Za-z]+$", ""],
    ["POSIX classes mixed in a class", "[^[:digit:][:space:]_]", "[^0-9\\t\\n\\v\\f\\r _]", ""],
    ["[[:punct:]]", "[[:punct:]]", "[\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E]", ""],
    // Go's \s is ASCII and has no \v.
    ["\\s", "a\\sb[\\s]", "a[\\t\\n\\f\\r ]b[\\t\\n\\f\\r ]", ""],
    ["\\S", "\\S", "[^\\t\\n\\f\\r ]", ""],
    ["\\Q…\\E", "\\Qa.b*\\E+", "a\\.b\\*+", ""],
    ["\\x{…} and \\a", "\\x{41}\\x42\\a", "\\u0041\\x42\\x07", ""],
    // In Go a ] first in a class is literal; in JavaScript [] is an empty class.
    ["] first in a class", "[]a][^]b]", "[\\]a][^\\]b]", ""],
    ["everything else as is", "^git@github\\.com:(acme|org)/[a-z-]+\\.git$", "^git@github\\.com:(acme|org)/[a-z-]+\\.git$", ""],
  ])("translates %s", (_name, go, source, flags) => {
    expect(translateGoRegExp(go)).toEqual({ source, flags });
  });

  // Regression: `[\s-.]` became `[\t\n\f\r -.]`, a range from space to `.` taking in `$()&`.
  it.each([
    ["^[\\w\\s-.]+$", "a-b .c", "a$(b)"],
    ["^[[:word:]-~]+$", "a-~", "a{b}|"],
    ["^[[:alnum:][:space:]-_.]+$", "a -_.", "a;b"],
  ])("reads a - after an expanded class as itself: %s", (go, allowed, refused) => {
    const re = compileGoRegExp(go);
    expect(re.test(allowed)).toBe(true);
    expect(re.test(refused)).toBe(false);
  });

  it.each([
    ["a{1001}", /"a\{1001\}" is not a valid regular expression: \{1001\} repeats more than Go's limit of 1000/],
    ["a{2,1001}", /repeats more than Go's limit/],
    ["[\\Qa]\\E]", /\\Q inside a class is not translated here/],
  ])("refuses %s as Go does", (go, message) => {
    expect(() => compileGoRegExp(go)).toThrow(message);
  });

  it("matches no value longer than MAX_MATCHED_LENGTH, so a backtracking pattern cannot stall the agent", () => {
    const re = compileGoRegExp("^github\\.com/.*/.*/.*\\.git$");
    const long = `github.com/${"/".repeat(MAX_MATCHED_LENGTH)}x`;
    expect(re.test(long)).toBe(false);
    expect(re.test(`github.com/a/b/${"c".repeat(MAX_MATCHED_LENGTH - 30)}.git`)).toBe(true);
  });

  it("matches like Go for the translated constructs", () => {
    expect(compileGoRegExp("(?i)^GITHUB\\.com/").test("github.com/x")).toBe(true);
    expect(compileGoRegExp("^[[:upper:]_]+$").test("MY_VAR")).toBe(true);
    expect(compileGoRegExp("^[[:upper:]_]+$").test("my_var")).toBe(false);
    expect(compileGoRegExp("^a\\sb$").test("a\u00a0b")).toBe(false);
    expect(compileGoRegExp("^[]x]+$").test("]x]")).toBe(true);
    expect(compileGoRegExp("(?P<org>[a-z]+)/").exec("acme/app")?.groups).toEqual({ org: "acme" });
  });

  it.each([
    ["a lookahead", "a(?=b)", /"a\(\?=b\)" is not a valid regular expression: a lookaround .* is not supported by Go's regexp/],
    ["a backreference", "(a)\\1", /"\(a\)\\\\1" is not a valid regular expression: \\1 \(octal or a backreference\) is not supported/],
    ["\\k", "(?<x>a)\\k<x>", /\\k is not a Go escape/],
    ["an unknown escape", "\\e", /\\e is not a Go escape/],
    ["\\p{…}", "\\p{Greek}", /\\p \(Unicode classes\) is not translated here/],
    ["(?U)", "(?U)a+", /the flag group \(\?U\) sets a flag JavaScript has no equivalent for/],
    ["a flag group not at the start", "a(?i)b", /the group \(\?i\) is supported here only as leading/],
    ["a scoped flag group", "(?i:a)", /the group \(\?i:a\) is supported here only as leading/],
    ["a negated POSIX class", "[[:^alpha:]]", /\[:\^alpha:\] \(a negated POSIX class\) is not translated here/],
    ["an unknown POSIX class", "[[:nope:]]", /\[:nope:\] is not a POSIX class/],
    ["a syntax error", "(", /^"\(" is not a valid regular expression$/],
  ])("refuses %s with a one-line error naming the pattern", (_name, pattern, message) => {
    let thrown: unknown;
    try {
      compileGoRegExp(pattern);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "AGENT_INVALID_OPTION", message: expect.stringMatching(message) });
    expect((thrown as Error).message).not.toContain("\n");
  });
});
