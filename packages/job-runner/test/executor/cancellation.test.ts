import path from "node:path";
import { processesWith, runInProcess, sandbox, waitFor } from "./harness.js";

// A distinctive sleep length marks this file's processes in the process table.
const SLEEP = "sleep 29.731";

describe("cancellation in each phase (in process)", () => {
  it.each([
    ["environment", "the agent environment hook"],
    ["pre-command", "the agent pre-command hook"],
    ["command", "the command"],
    ["post-command", "the agent post-command hook"],
  ])("aborting while %s sleeps kills it and still runs pre-exit", async (phase) => {
    const box = sandbox();
    const sleeper = `echo "sleeping in ${phase}"\n${SLEEP}\necho "${phase} woke up"\n`;
    for (const name of ["environment", "pre-command", "post-command", "pre-exit"]) {
      box.write(
        path.join(box.hooksPath, name),
        name === phase ? sleeper : `echo "${name} cancelled=\${BUILDKITE_JOB_CANCELLED:-no}"\n`,
      );
    }
    const controller = new AbortController();
    let seen = "";
    const run = runInProcess(
      box,
      {
        ...box.env,
        BUILDKITE_CANCEL_GRACE_PERIOD: "3",
        BUILDKITE_COMMAND: phase === "command" ? sleeper : "echo command-ran",
      },
      { signal: controller.signal, onOutput: (text) => (seen = text) },
    );
    await waitFor(() => seen.includes(`sleeping in ${phase}`), 10_000, `the ${phase} to start`);
    await waitFor(() => processesWith(SLEEP).length > 0, 5_000, "the sleep to start");
    const started = Date.now();
    controller.abort();
    const result = await run;
    // Far below the 29.7 s sleep (so it was killed, not waited for), far above the
    // 3 s grace period even on a loaded 2-core machine.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.cancelled).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain("# Received cancellation signal, interrupting");
    expect(result.log).not.toContain(`\n${phase} woke up`);
    if (phase === "post-command") {
      // post-command runs within the grace period: killed when it ends (pre-exit then has no time left).
      expect(result.log).toContain("the agent post-command hook was killed by SIGTERM");
    } else {
      expect(result.log).toContain("pre-exit cancelled=true");
    }
    if (phase === "command") expect(result.log).toContain("post-command cancelled=true");
    if (phase !== "post-command") expect(result.log).not.toContain("\ncommand-ran");
    expect(processesWith(SLEEP)).toEqual([]);
  }, 60_000); // the bounded waits above add up to more than the default 30 s
});
