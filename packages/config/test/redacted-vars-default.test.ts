import { describe, expect, it } from "@jest/globals";
import { DEFAULT_REDACTED_VARS } from "@agent/log-redactor";
import { startCommand } from "../src/index.js";

// The agent has one list (clicommand/global.go); here the setting's default and
// the redactor's default (used when a library caller gives no list) must not drift.
describe("redacted-vars default", () => {
  it("is the redactor's DEFAULT_REDACTED_VARS", () => {
    const setting = startCommand.settings.find((candidate) => candidate.name === "redacted-vars");
    expect(setting?.default).toEqual([...DEFAULT_REDACTED_VARS]);
  });
});
