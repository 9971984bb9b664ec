import { describe, expect, it } from "@jest/globals";
import { classifyFetchFailure } from "./git-fetch.js";

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
  ])("exit %d with %j ⇒ %s", (exitCode, output, code) => {
    expect(classifyFetchFailure(exitCode, output)).toBe(code);
  });
});
