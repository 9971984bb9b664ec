export { startAgentPool } from "./agent-pool.js";
export type { AgentPool, AgentPoolResult, StopMode } from "./agent-pool.js";
export type { AgentPoolEvents, AgentPoolEventName } from "./pool-events.js";
export type { AgentPoolOptions, Executor } from "./options.js";
export type { Clock } from "./clock.js";
export { AgentWorkerError } from "./errors.js";
export type { AgentWorkerErrorCode } from "./errors.js";
export { silentLogger } from "./logger.js";
export type { Logger, LogFields } from "./logger.js";
