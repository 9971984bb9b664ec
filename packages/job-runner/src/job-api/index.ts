export { JobApiServer, DEFAULT_JOB_API_MAX_BODY_BYTES } from "./job-api-server.js";
export type { JobApiServerOptions, JobApiEndpoint } from "./job-api-server.js";
export { JOB_API_ROUTE_PREFIX } from "./route-prefix.js";
export { JobApiClient } from "./job-api-client.js";
export type {
  JobApiClientOptions,
  JobApiCallOptions,
  EnvUpdateResult,
  PromiseFailureResult,
} from "./job-api-client.js";
export type { PromiseFailureDeclarer, PromiseFailureDeclaration } from "./promise-failure.js";
export { readEnvSetInput, readEnvUnsetInput } from "./env-command-input.js";
export type { EnvInputFormat, EnvCommandInputOptions } from "./env-command-input.js";
export { formatEnvGet, formatEnvSetResult, formatEnvUnsetResult } from "./env-command-output.js";
export type { EnvGetFormat, EnvChangeOutputFormat, EnvGetOutput } from "./env-command-output.js";
