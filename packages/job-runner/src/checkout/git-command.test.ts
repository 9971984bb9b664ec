import { describe, expect, it } from "@jest/globals";
import { commandLine, lastLine } from "./git-command.js";

describe("commandLine", () => {
  it.each([
    ["a URL's password masked", ["clone", "--", "https://x-access-token:SECRET@github.com/o/r.git", "."], "git clone -- https://x-access-token:xxxxx@github.com/o/r.git ."],
    ["a user without password kept (Go's url.Redacted)", ["remote", "set-url", "origin", "https://user@host/r"], "git remote set-url origin https://user@host/r"],
    ["an scp-style address untouched", ["clone", "--", "git@github.com:o/r.git", "."], "git clone -- git@github.com:o/r.git ."],
    ["a refspec untouched and quoted", ["fetch", "--", "origin", "+refs/heads/*:refs/remotes/origin/*"], 'git fetch -- origin "+refs/heads/*:refs/remotes/origin/*"'],
  ])("shows %s", (_name, args, expected) => {
    expect(commandLine("git", args)).toBe(expected);
  });
});

describe("lastLine", () => {
  it.each([
    ["the last non-empty line, CRLF or not", "one\r\ntwo\r\n\r\n", "two"],
    ["URLs with their passwords masked", "fatal: unable to access 'https://u:SECRET@host/r/': nope\n", "fatal: unable to access 'https://u:xxxxx@host/r/': nope"],
    ["nothing for no output", undefined, ""],
  ])("gives %s", (_name, output, expected) => {
    expect(lastLine(output)).toBe(expected);
  });
});
