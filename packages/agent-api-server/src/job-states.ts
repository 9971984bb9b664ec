import type { JobState } from "./store.js";

/** States in which a job holds an agent (it is the agent's current job). */
export const ACTIVE_STATES: ReadonlySet<JobState> = new Set(["accepted", "running", "canceling", "timing_out"]);

/** States a job never leaves. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(["finished", "canceled", "timed_out"]);
