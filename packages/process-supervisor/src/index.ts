export { startProcess } from "./start-process.js";
export type { SupervisedProcess } from "./supervised-process.js";
export type { StartProcessOptions, CancelReason } from "./options.js";
export type { ExitStatus } from "./exit-status.js";
export { ProcessError, type ProcessErrorCode } from "./errors.js";
export type { Logger, LogFields } from "./logger.js";
