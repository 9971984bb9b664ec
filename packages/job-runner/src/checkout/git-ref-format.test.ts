import { describe, expect, it } from "@jest/globals";
import { isValidGitRef } from "./git-ref-format.js";

describe("isValidGitRef", () => {
  it.each(["FETCH_HEAD", "0123abc", "main", "feature/x", "v1.0", "refs/pull/7/head", "@{u", "a@b"])("accepts %s", (ref) => {
    expect(isValidGitRef(ref)).toBe(true);
  });

  it.each(["", "a..b", "with space", "a~1", "a^", "a:b", "ends.", "@", "back\\slash", "-f", "--orphan", "tab\there", "del\x7f"])(
    "rejects %j",
    (ref) => {
      expect(isValidGitRef(ref)).toBe(false);
    },
  );
});
