import { describe, expect, it } from "@jest/globals";
import type { Clock } from "./clock.js";
import { jobStatusTicks } from "./job-status-ticks.js";

/** A virtual clock: sleeping advances time at once; jitter is always `jitter`. */
function virtualClock(jitter: number): Clock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    monotonic: () => clock.time,
    random: () => jitter,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

/** When the first `count` polls happen, each poll taking `pollMs`. */
async function pollTimes(clock: ReturnType<typeof virtualClock>, intervalMs: number, pollMs: number, count: number): Promise<number[]> {
  const times: number[] = [];
  const controller = new AbortController();
  for await (const _ of jobStatusTicks(clock, intervalMs, controller.signal)) {
    times.push(clock.time);
    if (times.length === count) break;
    clock.time += pollMs;
  }
  return times;
}

describe("job state poll cadence", () => {
  // Regression: polls were `interval + jitter` after each other (500, 2000, 3500…),
  // drifting by the jitter; Go polls once per ticker tick, jittered within it.
  it("polls once per job_status_interval tick, jittered within the tick", async () => {
    expect(await pollTimes(virtualClock(0.5), 1000, 0, 4)).toEqual([500, 1500, 2500, 3500]);
    expect(await pollTimes(virtualClock(0.9), 1000, 50, 3)).toEqual([900, 1900, 2900]);
    expect(await pollTimes(virtualClock(0), 2000, 0, 3)).toEqual([0, 2000, 4000]);
  });

  it("takes a tick that passed during a slow poll at once and drops the rest, as a Go ticker", async () => {
    // Poll 1 at 500 ends at 1700 (tick 1000 pending: taken at once, +500 jitter); poll 2
    // at 2200 ends at 3400 (tick 2000 pending, 3000 dropped): poll 3 at 3900.
    expect(await pollTimes(virtualClock(0.5), 1000, 1200, 3)).toEqual([500, 2200, 3900]);
  });

  it("ends when the signal aborts, during the tick wait or the jitter", async () => {
    const clock = virtualClock(0.5);
    const controller = new AbortController();
    const sleep = clock.sleep;
    let sleeps = 0;
    clock.sleep = async (ms: number) => {
      if (++sleeps === 3) controller.abort();
      await sleep(ms);
    };
    const ticks: number[] = [];
    for await (const _ of jobStatusTicks(clock, 1000, controller.signal)) ticks.push(clock.time);
    expect(ticks).toEqual([500]);
  });
});
