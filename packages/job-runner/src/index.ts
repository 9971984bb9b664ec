export { JobRunnerError } from "./errors.js";
export type { JobRunnerErrorCode } from "./errors.js";
export { JobLog } from "./job-log.js";
export type { JobLogOptions, LogSink } from "./job-log.js";
export { Environment } from "./environment.js";
export {
  PROTECTED_VARS,
  SECRET_PROTECTED_VARS,
  CHECKOUT_SCOPED_VARS,
  isChangeAllowed,
  isSecretTargetAllowed,
  isCheckoutLocked,
  isCheckoutLockedForSecrets,
} from "./protected-env.js";
export type { CheckoutOverrideMode } from "./protected-env.js";
export { createProcessRunner } from "./process-runner.js";
export type { ProcessRunner, ProcessRunnerOptions, RunOptions, RunResult } from "./process-runner.js";
export { silentLogger } from "./logger.js";
export type { Logger, LogFields } from "./logger.js";
export * from "./executor/index.js";
export * from "./hooks/index.js";
export * from "./plugins/index.js";
export * from "./checkout/index.js";
export * from "./job-api/index.js";
