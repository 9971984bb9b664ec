import { headerLineKind, isHeaderExpansionLine, isHeaderLine } from "./header-lines.js";

describe("headerLineKind", () => {
  // The one-pass check with its first-byte shortcut must agree with the two separate checks.
  it.each([
    "--- Running command",
    "+++ :docker: Build",
    "~~~ Preparing",
    "\x1b[1;33m--- \x1b[0mcoloured",
    "\x1b[0m^^^ +++ rest",
    "^^^ +++",
    "^^^ ---",
    "---\ttab",
    "---",
    "-- two",
    "+x",
    "~",
    "^",
    "\x1b[31mplain red",
    "\x1b]not a colour code --- x",
    "",
    "plain",
    " --- indented",
  ])("%j", (line) => {
    const bytes = Buffer.from(line);
    const expected = isHeaderLine(bytes) ? "header" : isHeaderExpansionLine(bytes) ? "expansion" : undefined;
    expect(headerLineKind(bytes)).toBe(expected);
  });

  it("agrees with the separate checks on every short line over the interesting bytes", () => {
    const alphabet = ["-", "+", "~", "^", " ", "\t", "\x1b", "[", "0", "m", "a"];
    let checked = 0;
    const mismatches: string[] = [];
    const visit = (prefix: string, depth: number): void => {
      const bytes = Buffer.from(prefix, "latin1");
      const expected = isHeaderLine(bytes) ? "header" : isHeaderExpansionLine(bytes) ? "expansion" : undefined;
      if (headerLineKind(bytes) !== expected) mismatches.push(prefix);
      checked++;
      if (depth < 4) for (const c of alphabet) visit(prefix + c, depth + 1);
    };
    visit("", 0);
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  });
});
