import type { Logger } from "./logger.js";

/** What an {@link AgentPool} reports, by event name. `spawnIndex` is the worker's 1-based index. */
export interface AgentPoolEvents {
  /** A worker registered (`POST register`). */
  registered: { spawnIndex: number; agentId: string; name: string };
  /** A worker connected (`POST connect`) and starts pinging. */
  connected: { spawnIndex: number; agentId: string };
  /** A ping answered; `action` as sent (`""` for idle), `jobId` when it carried a job. */
  "ping-action": { spawnIndex: number; action: string; jobId?: string };
  /** A heartbeat was accepted. */
  heartbeat: { spawnIndex: number };
  "job-accepted": { spawnIndex: number; jobId: string };
  "job-started": { spawnIndex: number; jobId: string };
  "job-finished": {
    spawnIndex: number;
    jobId: string;
    exitStatus: number;
    signal?: string;
    signalReason?: string;
    chunksFailedCount: number;
  };
  /** A worker disconnected (`POST disconnect` sent). */
  disconnected: { spawnIndex: number; agentId: string };
  /** A stop was requested: `graceful`, `forceful`, or `immediate` (the third request). */
  stopping: { mode: "graceful" | "forceful" | "immediate" };
  /** Something failed that the operator should know about (the pool may go on). */
  error: { spawnIndex?: number; error: Error };
}

/** An event name of {@link AgentPoolEvents}. */
export type AgentPoolEventName = keyof AgentPoolEvents;

/**
 * A small typed emitter. Unlike Node's EventEmitter an `error` event without
 * listeners does not throw, and a throwing listener is logged, not propagated
 * into the agent loop.
 */
export class PoolEmitter {
  readonly #listeners = new Map<AgentPoolEventName, Set<(payload: never) => void>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  on<E extends AgentPoolEventName>(event: E, listener: (payload: AgentPoolEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends AgentPoolEventName>(event: E, payload: AgentPoolEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (payload: AgentPoolEvents[E]) => void)(payload);
      } catch (error) {
        this.#logger.error(`an agent pool "${event}" listener threw: ${(error as Error).message}`);
      }
    }
  }
}
