import { readFileSync } from "node:fs";
import { getEventListeners } from "node:events";
import { startProcess, type StartProcessOptions } from "../src/index.js";
import { BASE_ENV, fixture, liveMembers, MODES, Recorder, track, within } from "./helpers.js";

// Small grace periods keep the suite fast; the timing tests allow this much
// scheduling noise on a loaded 2-core machine.
const GRACE_MS = 1000;
// Generous on purpose: timing belongs to the benchmark (grace + 4–5 ms there);
// this only proves SIGKILL comes after the grace period and well before the
// cancel grace period would cut the wait short, even on a loaded CI machine.
const TOLERANCE_MS = 1500;

describe.each(MODES)("cancellation ($mode)", ({ pty }) => {
  const start = (interpreter: string, script: string, args: string[] = [], extra: Partial<StartProcessOptions> = {}) =>
    startProcess(interpreter, [fixture(script), ...args], {
      cwd: "/tmp",
      env: BASE_ENV,
      pty,
      signalGracePeriodMs: GRACE_MS,
      cancelGracePeriodMs: GRACE_MS + 2000,
      ...extra,
    }).then(track);

  it("a process that dies of SIGTERM is reported killed by SIGTERM with reason cancel, before the grace period", async () => {
    const child = await start("/bin/sh", "sleeper.sh");
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    await within(child.cancel(), 5000, "cancel");
    // Dying of SIGTERM (not SIGKILL) is the proof it ended before the grace period.
    expect(await child.exited).toEqual({ exitCode: -1, signal: "SIGTERM", signalReason: "cancel", strayProcesses: 0 });
    expect(liveMembers(child.pid)).toEqual([]);
  });

  it("a process that traps the signal and exits keeps its exit code, with the reason", async () => {
    const child = await start("/bin/sh", "trap-and-exit.sh", ["TERM"]);
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    await within(child.cancel("agent_stop"), 5000, "cancel");
    expect(await child.exited).toEqual({ exitCode: 3, signalReason: "agent_stop", strayProcesses: 0 });
    expect((await output.done()).toString()).toContain("got TERM");
  });

  it("a process ignoring SIGTERM gets SIGKILL when the signal grace period ends", async () => {
    const child = await start("/bin/sh", "ignore-term.sh");
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    const started = performance.now();
    await within(child.cancel(), 5000, "cancel");
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(GRACE_MS - 5);
    expect(elapsed).toBeLessThan(GRACE_MS + TOLERANCE_MS);
    expect(await child.exited).toEqual({ exitCode: -1, signal: "SIGKILL", signalReason: "cancel", strayProcesses: 0 });
    expect(liveMembers(child.pid)).toEqual([]);
  });

  it("leaves nothing: background jobs, grandchildren, SIGTERM-ignorers and job-control groups of the session", async () => {
    const child = await start("/bin/bash", "family.sh");
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    // The tree is really there before we cancel: leader, 3 sleeps, subshell, sh, and job-control sleep.
    // "ready" can come before the last forks have happened: wait (bounded) for all of them.
    for (let tries = 0; tries < 60 && liveMembers(child.pid).length < 6; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(liveMembers(child.pid).length).toBeGreaterThanOrEqual(6);
    await within(child.cancel(), 5000, "cancel");
    expect(liveMembers(child.pid)).toEqual([]);
    await within(child.exited, 1000, "exit");
    await output.done();
  });

  it("cancelSignal SIGINT is what the group receives first", async () => {
    const child = await start("/bin/sh", "trap-and-exit.sh", ["INT"], { cancelSignal: "SIGINT" });
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    await within(child.cancel(), 5000, "cancel");
    expect(await child.exited).toMatchObject({ exitCode: 3, signalReason: "cancel" });
    expect((await output.done()).toString()).toContain("got INT");
    // sh starts background jobs with SIGINT ignored; the grace period's SIGKILL got them.
    expect(liveMembers(child.pid)).toEqual([]);
  });

  it("cancelSignal SIGKILL still interrupts with SIGTERM first, as the agent does", async () => {
    const child = await start("/bin/sh", "trap-and-exit.sh", ["TERM"], { cancelSignal: "SIGKILL" });
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    await within(child.cancel(), 5000, "cancel");
    expect(await child.exited).toMatchObject({ exitCode: 3, signalReason: "cancel" });
    expect((await output.done()).toString()).toContain("got TERM");
  });

  it("cancel is idempotent: repeated and concurrent calls share one cancellation; agent_stop wins", async () => {
    const child = await start("/bin/sh", "ignore-term.sh");
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    const first = child.cancel("cancel");
    const second = child.cancel("agent_stop");
    expect(second).toBe(first);
    await within(Promise.all([first, second, child.cancel()]), 5000, "cancel");
    expect(await child.exited).toMatchObject({ signal: "SIGKILL", signalReason: "agent_stop" });
  });

  it("cancel after a normal exit does nothing and does not change the status", async () => {
    const child = await start("/bin/sh", "exit-with.sh", ["7"]);
    new Recorder(child.output);
    expect(await within(child.exited, 5000, "exit")).toEqual({ exitCode: 7, strayProcesses: 0 });
    await within(child.cancel(), 1000, "cancel");
    await within(child.cancel("agent_stop"), 1000, "cancel");
    expect(await child.exited).toEqual({ exitCode: 7, strayProcesses: 0 });
  });

  it("aborting the signal cancels; an abort reason of agent_stop is reported as such", async () => {
    const controller = new AbortController();
    const child = await start("/bin/sh", "sleeper.sh", [], { signal: controller.signal });
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    controller.abort("agent_stop");
    expect(await within(child.exited, 5000, "exit")).toEqual({
      exitCode: -1,
      signal: "SIGTERM",
      signalReason: "agent_stop",
      strayProcesses: 0,
    });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  // Regression: an executor running its command in a session of its own (as the
  // bootstrap does) left that command running: it is in neither the executor's
  // group nor its session, and once the executor died it was nobody's descendant.
  it.each([
    ["ignores the cancel signal (killed at the end of the grace period)", "ignore-term", "SIGKILL"],
    ["dies of the cancel signal at once", "die", "SIGTERM"],
  ])("kills descendants in sessions of their own when the process %s", async (_, mode, signal) => {
    const child = await start("/bin/sh", "own-session-child.sh", [mode]);
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    const grandchild = Number(/grandchild=(\d+)/.exec(output.text)?.[1]);
    expect(grandchild).toBeGreaterThan(0);
    try {
      await within(child.cancel(), 5000, "cancel");
      expect((await child.exited).signal).toBe(signal);
      expect(isAlive(grandchild)).toBe(false);
    } finally {
      if (isAlive(grandchild)) process.kill(grandchild, "SIGKILL");
    }
  });

  it("an already aborted signal starts nothing and rejects with PROCESS_ABORTED", async () => {
    const reason = new Error("job was cancelled");
    await expect(
      startProcess("/bin/sh", [fixture("sleeper.sh")], { cwd: "/tmp", env: BASE_ENV, pty, signal: AbortSignal.abort(reason) }),
    ).rejects.toMatchObject({ code: "PROCESS_ABORTED", cause: reason });
  });
});

describe.each(MODES)("what is left when the process exits by itself ($mode)", ({ pty }) => {
  const start = (killGroupOnExit: boolean) =>
    startProcess("/bin/sh", [fixture("leave-background.sh")], {
      cwd: "/tmp",
      env: BASE_ENV,
      pty,
      killGroupOnExit,
      signalGracePeriodMs: GRACE_MS,
      cancelGracePeriodMs: GRACE_MS + 2000,
      outputDrainTimeoutMs: 200,
    }).then(track);

  it("by default, background jobs still running are reported and terminated before exited resolves", async () => {
    const child = await start(true);
    new Recorder(child.output);
    expect(await within(child.exited, 5000, "exit")).toEqual({ exitCode: 0, strayProcesses: 1 });
    expect(liveMembers(child.pid)).toEqual([]);
  });

  it("with killGroupOnExit: false they are reported and left running, and cancel() still ends them", async () => {
    const child = await start(false);
    const output = new Recorder(child.output);
    expect(await within(child.exited, 5000, "exit")).toEqual({ exitCode: 0, strayProcesses: 1 });
    const background = Number(/background (\d+)/.exec(output.text)?.[1]);
    expect(liveMembers(child.pid)).toEqual([background]);
    await within(child.cancel(), 5000, "cancel");
    expect(liveMembers(child.pid)).toEqual([]);
  });
});

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
