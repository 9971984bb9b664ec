import { describe, expect, it } from "@jest/globals";
import { normaliseFlagSyntax, type FlagArity } from "./flag-syntax.js";

const arities: Record<string, FlagArity> = { debug: "bool", "no-pty": "bool", token: "value", tags: "value" };
const normalise = (...args: string[]): string[] => normaliseFlagSyntax(args, (name) => arities[name]);

describe("normaliseFlagSyntax", () => {
  it.each([
    ["one or two dashes name the same flag", ["-token", "x", "--token", "y"], ["--token=x", "--token=y"]],
    ["a bare bool flag is true", ["--debug"], ["--debug=true"]],
    // yargs would read `--debug false` as debug=false; Go never lets a bool flag take the next argument.
    ["a bool flag never takes the next argument", ["--debug", "false", "x"], ["--debug=true", "false", "x"]],
    ["a bool flag's explicit value is kept as typed", ["-no-pty=1", "--debug=banana"], ["--no-pty=1", "--debug=banana"]],
    ["a value flag takes the next argument even if it looks like a flag", ["--token", "--debug"], ["--token=--debug"]],
    ["`=` values are kept whole", ["--tags=a=b,c=d"], ["--tags=a=b,c=d"]],
    ["an empty value is a value", ["--token="], ["--token="]],
    ["unknown flags pass through, with two dashes", ["-bogus", "--other=1"], ["--bogus", "--other=1"]],
    ["`--` ends the flags", ["--", "--debug", "-x"], ["--", "--debug", "-x"]],
    ["`-` alone and plain words are positional", ["-", "upload", "*.log"], ["-", "upload", "*.log"]],
  ])("%s", (_name, args, expected) => {
    expect(normalise(...args)).toEqual(expected);
  });

  it("rejects a value flag at the end of the line as Go does", () => {
    expect(() => normalise("start", "--token")).toThrow(expect.objectContaining({ code: "CLI_USAGE", message: "flag needs an argument: -token" }));
  });
});
