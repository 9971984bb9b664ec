import { describe, expect, it } from "@jest/globals";
import { IdleMonitor } from "./idle-monitor.js";

describe("IdleMonitor", () => {
  it("exits only when every worker has been idle for the timeout; busy resets, dead counts as idle", () => {
    let now = 0;
    const monitor = new IdleMonitor(1000, 2, () => now);
    monitor.markIdle(1);
    now = 2000;
    expect(monitor.shouldExit()).toBe(false); // worker 2 not seen yet: busy
    monitor.markIdle(2);
    now = 2500;
    expect(monitor.shouldExit()).toBe(false);
    now = 3000;
    expect(monitor.shouldExit()).toBe(true);
    monitor.markBusy(2);
    expect(monitor.shouldExit()).toBe(false);
    monitor.markDead(2);
    expect(monitor.shouldExit()).toBe(true);
  });

  it("exitAt: when the last worker to go idle reaches the timeout; never while one is busy", () => {
    let now = 0;
    const monitor = new IdleMonitor(1000, 2, () => now);
    monitor.markIdle(1);
    expect(monitor.exitAt()).toBe(Number.POSITIVE_INFINITY);
    now = 300;
    monitor.markIdle(2);
    expect(monitor.exitAt()).toBe(1300);
    monitor.markBusy(1);
    expect(monitor.exitAt()).toBe(Number.POSITIVE_INFINITY);
    now = 500;
    monitor.markIdle(1);
    expect(monitor.exitAt()).toBe(1500);
  });
});
