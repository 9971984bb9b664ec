import { toExitStatus } from "./exit-status.js";

describe("toExitStatus", () => {
  it.each([
    ["an exit code", { code: 42, signal: null }, undefined, { exitCode: 42, strayProcesses: 0 }],
    ["a signal death: -1, as the agent's wait status", { code: null, signal: "SIGTERM" }, undefined, { exitCode: -1, signal: "SIGTERM", strayProcesses: 0 }],
    ["a cancelled exit keeps its code", { code: 0, signal: null }, "cancel", { exitCode: 0, signalReason: "cancel", strayProcesses: 0 }],
    ["a cancelled signal death", { code: null, signal: "SIGKILL" }, "agent_stop", { exitCode: -1, signal: "SIGKILL", signalReason: "agent_stop", strayProcesses: 0 }],
  ] as const)("%s", (_, raw, reason, expected) => {
    expect(toExitStatus(raw, reason, 0)).toEqual(expected);
  });
});
