import { describe, expect, it } from "@jest/globals";
import { JobLog } from "../job-log.js";
import type { RunResult } from "../process-runner.js";
import type { GitContext } from "./git-command.js";
import { classifyFetchFailure, gitFetch, gitFetchWithRetry } from "./git-fetch.js";

describe("classifyFetchFailure", () => {
  it.each([
    [128, "fatal: bad object 0123", "CHECKOUT_FETCH_BAD_OBJECT"],
    [128, "fatal: couldn't find remote ref abc12", "CHECKOUT_FETCH_BAD_REFERENCE"],
    // git before 2.21 capitalised it.
    [128, "fatal: Couldn't find remote ref abc12", "CHECKOUT_FETCH_BAD_REFERENCE"],
    [128, "fatal: remote error: upload-pack: not our ref 0123", "CHECKOUT_FETCH_REF_NOT_ON_REMOTE"],
    [128, "error: Server does not allow request for unadvertised object 0123", "CHECKOUT_FETCH_REF_NOT_ON_REMOTE"],
    [128, "fatal: unable to access 'https://x/': Could not resolve host: x", "CHECKOUT_FETCH_BROKEN"],
    [1, "error: some local problem", "CHECKOUT_FETCH_FAILED"],
    // Through a PTY every line ends in \r\n.
    [128, "remote: Counting objects\r\nfatal: couldn't find remote ref abc12\r\n", "CHECKOUT_FETCH_BAD_REFERENCE"],
    [128, "fatal: bad object 0123\r\n", "CHECKOUT_FETCH_BAD_OBJECT"],
    // The real agent checks a missing ref before a bad object (git.go gitFetch).
    [128, "fatal: bad object 0123\nfatal: couldn't find remote ref abc12", "CHECKOUT_FETCH_BAD_REFERENCE"],
    [128, "fatal: bad object 0123\nfatal: remote error: upload-pack: not our ref 0123", "CHECKOUT_FETCH_REF_NOT_ON_REMOTE"],
  ])("exit %d with %j ⇒ %s", (exitCode, output, code) => {
    expect(classifyFetchFailure(exitCode, output)).toBe(code);
  });
});

/** A git that answers every fetch with `result`, recording each argv. */
function fakeGit(result: RunResult): { context: GitContext; calls: string[][]; log: () => string } {
  const calls: string[][] = [];
  const lines: string[] = [];
  const context: GitContext = {
    runner: async (_command, args) => {
      calls.push([...args]);
      return result;
    },
    log: new JobLog({ write: (text: string) => lines.push(text) }, { ansi: false }),
    cwd: "/nonexistent",
    env: () => ({}),
  };
  return { context, calls, log: () => lines.join("") };
}

describe("gitFetchWithRetry", () => {
  // Regression: every failure was retried 10 times and then thrown as
  // CHECKOUT_FETCH_RETRIES_EXHAUSTED, which stops the checkout, so a broken clone
  // was never wiped and re-cloned as the real agent does after retrier.Break().
  it.each([
    ["exit 128", "fatal: the remote end hung up unexpectedly", "CHECKOUT_FETCH_BROKEN"],
    ["a bad object", "fatal: bad object 0123", "CHECKOUT_FETCH_BAD_OBJECT"],
    ["not our ref", "fatal: remote error: upload-pack: not our ref 0123", "CHECKOUT_FETCH_REF_NOT_ON_REMOTE"],
  ])("gives up at once on %s, with its own code (the checkout loop then wipes)", async (_name, output, code) => {
    const { context, calls } = fakeGit({ exitCode: 128, output });
    const sleeps: number[] = [];
    const timing = { random: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
    await expect(gitFetchWithRetry(context, [], ["refs/pull/7/head"], timing)).rejects.toMatchObject({ code });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("retries a missing remote ref 10 times, then stops the checkout", async () => {
    const { context, calls, log } = fakeGit({ exitCode: 128, output: "fatal: couldn't find remote ref refs/pull/7/head" });
    const sleeps: number[] = [];
    const timing = { random: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
    await expect(gitFetchWithRetry(context, [], ["refs/pull/7/head"], timing)).rejects.toMatchObject({
      code: "CHECKOUT_FETCH_RETRIES_EXHAUSTED",
      cause: expect.objectContaining({ code: "CHECKOUT_FETCH_BAD_REFERENCE" }),
    });
    expect(calls).toHaveLength(10);
    expect(sleeps).toHaveLength(9);
    expect(log()).toContain("(Attempt 1/10 Retrying in 1s)");
  });
});

describe("gitFetch", () => {
  // Regression: refspecs were shell-split here a second time, so a custom refspec
  // quoted to keep an apostrophe failed as an unterminated quote.
  it("passes each refspec as one argument", async () => {
    const { context, calls } = fakeGit({ exitCode: 0 });
    await gitFetch(context, ["-v"], ["refs/heads/it's", "refs/tags/a b"]);
    expect(calls).toEqual([["fetch", "-v", "--", "origin", "refs/heads/it's", "refs/tags/a b"]]);
  });
});
