import { describe, expect, it } from "@jest/globals";
import { commandLine, displayUrl, lastLine } from "./git-command.js";

describe("commandLine", () => {
  it.each([
    ["a URL's password masked", ["clone", "--", "https://x-access-token:SECRET@github.com/o/r.git", "."], "git clone -- https://x-access-token:xxxxx@github.com/o/r.git ."],
    // Was "kept (Go's url.Redacted)": url.Redacted keeps it, but over https the user is
    // usually a token (https://TOKEN@github.com), and the real agent masks nothing in
    // a prompt at all, so there is no upstream form to match; plugins already hid it.
    ["an https user without password masked (a token)", ["remote", "set-url", "origin", "https://ghp_TOKEN@host/r"], "git remote set-url origin https://xxxxx@host/r"],
    ["an scp-style address untouched", ["clone", "--", "git@github.com:o/r.git", "."], "git clone -- git@github.com:o/r.git ."],
    ["a refspec untouched and quoted", ["fetch", "--", "origin", "+refs/heads/*:refs/remotes/origin/*"], 'git fetch -- origin "+refs/heads/*:refs/remotes/origin/*"'],
  ])("shows %s", (_name, args, expected) => {
    expect(commandLine("git", args)).toBe(expected);
  });
});

describe("displayUrl", () => {
  it.each([
    ["a password masked, the user kept", "https://x-access-token:SECRET@github.com/o/r", "https://x-access-token:xxxxx@github.com/o/r"],
    ["an http(s) user alone masked", "HTTP://TOKEN@host:8080/r", "HTTP://xxxxx@host:8080/r"],
    // Regression guard: a non-greedy split at the first `@` would show "b".
    ["a user holding an @ masked whole", "https://a@b@host/r", "https://xxxxx@host/r"],
    ["an ssh login kept", "ssh://git@host/r", "ssh://git@host/r"],
    ["an ssh password masked", "ssh://git:pw@host/r", "ssh://git:xxxxx@host/r"],
    ["an @ in the path untouched", "https://host/r@v1", "https://host/r@v1"],
    ["a word that is not a URL untouched", "refs/heads/main", "refs/heads/main"],
  ])("%s", (_name, url, expected) => {
    expect(displayUrl(url)).toBe(expected);
  });
});

describe("lastLine", () => {
  it.each([
    ["the last non-empty line, CRLF or not", "one\r\ntwo\r\n\r\n", "two"],
    ["URLs with their passwords masked", "fatal: unable to access 'https://u:SECRET@host/r/': nope\n", "fatal: unable to access 'https://u:xxxxx@host/r/': nope"],
    ["a token written as the user masked", "fatal: unable to access 'https://ghp_TOKEN@host/r/': nope\n", "fatal: unable to access 'https://xxxxx@host/r/': nope"],
    ["nothing for no output", undefined, ""],
  ])("gives %s", (_name, output, expected) => {
    expect(lastLine(output)).toBe(expected);
  });
});
