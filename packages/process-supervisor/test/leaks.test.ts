import { createHook } from "node:async_hooks";
import { getEventListeners } from "node:events";
import fs from "node:fs";
import { finished } from "node:stream/promises";
import { startProcess } from "../src/index.js";
import { BASE_ENV, fixture, liveMembers, MODES, track } from "./helpers.js";

function openFds(): number {
  return fs.readdirSync("/proc/self/fd").length;
}

/**
 * Records the timers the supervisor's own code creates and not yet fired or
 * cleared. Counting all active timers instead is flaky: Jest and Node keep
 * timers of their own that come and go.
 */
function trackSupervisorTimers(): { live(): string[]; stop(): void } {
  const live = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (type !== "Timeout") return;
      // Only timers our code sets itself: Node's HTTP date cache and Jest set their own.
      const stack = new Error().stack ?? "";
      const caller = /at set(?:Timeout|Interval) \(node:timers[^\n]*\n([^\n]*)/.exec(stack)?.[1] ?? "";
      if (caller.includes("/process-supervisor/src/")) live.set(asyncId, stack);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return { live: () => [...live.values()], stop: () => hook.disable() };
}

it("200 processes in sequence leave no fd, listener, timer or process behind", async () => {
  const controller = new AbortController();
  const run = async (index: number) => {
    const child = await startProcess("/bin/sh", [fixture("exit-with.sh"), String(index % 3)], {
      cwd: "/tmp",
      env: BASE_ENV,
      pty: index % 2 === 0,
      signal: controller.signal,
    });
    child.output.resume();
    const [status] = await Promise.all([child.exited, finished(child.output)]);
    expect(status.exitCode).toBe(index % 3);
    // Every few runs, cancel a running one too: that path has timers of its own.
    if (index % 20 === 0) {
      const sleeper = await startProcess("/bin/sh", [fixture("sleeper.sh")], {
        cwd: "/tmp",
        env: BASE_ENV,
        pty: index % 40 === 0,
        signal: controller.signal,
        signalGracePeriodMs: 200,
        cancelGracePeriodMs: 1000,
      });
      sleeper.output.resume();
      await sleeper.cancel();
      await Promise.all([sleeper.exited, finished(sleeper.output)]);
      expect(liveMembers(sleeper.pid)).toEqual([]);
    }
    return child.pid;
  };
  // Warm up once: the first run loads node-pty and creates lazily-made handles.
  await run(0);
  await run(1);
  const fdsBefore = openFds();
  const timers = trackSupervisorTimers();
  const listenersBefore = getEventListeners(controller.signal, "abort").length;

  const pids: number[] = [];
  for (let index = 0; index < 200; index++) pids.push(await run(index));

  expect(openFds()).toBe(fdsBefore);
  expect(getEventListeners(controller.signal, "abort")).toHaveLength(listenersBefore);
  // Destroy hooks run on a later tick than clearTimeout.
  await new Promise((resolve) => setImmediate(resolve));
  timers.stop();
  expect(timers.live()).toEqual([]);
  expect(pids.flatMap((pid) => liveMembers(pid))).toEqual([]);
}, 60_000);

// Regression: node-pty's forkpty left each PTY master inheritable, so every process
// started while a job's PTY was open (another job, in either mode) held that job's
// terminal and could read or write it. Fixed by patches/node-pty@1.1.0.patch.
it.each(MODES)("a process started in $mode mode inherits no other job's PTY master", async ({ pty }) => {
  const holder = track(
    await startProcess("/bin/sh", [fixture("sleeper.sh")], { cwd: "/tmp", env: BASE_ENV, pty: true, signalGracePeriodMs: 200 }),
  );
  holder.output.resume();
  const lister = track(
    await startProcess("/bin/sh", ["-c", "ls -l /proc/$$/fd"], { cwd: "/tmp", env: BASE_ENV, pty }),
  );
  const chunks: Buffer[] = [];
  lister.output.on("data", (chunk: Buffer) => chunks.push(chunk));
  await Promise.all([lister.exited, finished(lister.output)]);
  const listing = Buffer.concat(chunks).toString();
  expect(listing).toContain("0 ->");
  expect(listing).not.toContain("/dev/ptmx");
  await holder.cancel();
  await holder.exited;
});
