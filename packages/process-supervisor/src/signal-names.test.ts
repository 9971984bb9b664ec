import { isSignalName, signalName } from "./signal-names.js";

describe("signalName", () => {
  it.each([
    [15, "SIGTERM"],
    [9, "SIGKILL"],
    [2, "SIGINT"],
    // Aliases share a number; the agent (Go) prints SIGABRT and SIGIO.
    [6, "SIGABRT"],
    [29, "SIGIO"],
    // Real-time signals have no name in Node: keep the number rather than lose it.
    [40, "SIG40"],
  ])("%d is %s", (signo, name) => {
    expect(signalName(signo)).toBe(name);
  });
});

describe("isSignalName", () => {
  it.each([
    ["SIGTERM", true],
    ["SIGKILL", true],
    ["TERM", false],
    ["sigterm", false],
    ["toString", false],
    [15, false],
  ])("%p → %p", (value, expected) => {
    expect(isSignalName(value)).toBe(expected);
  });
});
