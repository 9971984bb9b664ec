export { Redactor, REDACTED } from "./redactor.js";
export type { RedactorOptions } from "./redactor.js";
export { RedactorStream, createRedactorStream } from "./redactor-stream.js";
export { redactString } from "./redact-string.js";
export type { RedactStringOptions } from "./redact-string.js";
export { MIN_BASE64_FORM_LENGTH } from "./needle-forms.js";
export { goQuote } from "./go-quote.js";
export {
  DEFAULT_REDACTED_VARS,
  REDACTED_VAR_MIN_LENGTH,
  matchRedactedVars,
  shortRedactedVarsWarning,
} from "./redacted-vars.js";
export type { EnvInput, EnvVar, RedactedVarsMatch } from "./redacted-vars.js";
export { goPathMatch } from "./go-path-match.js";
export { redactUrlCredentials, INVALID_URL, URL_PASSWORD_MASK } from "./url-credentials.js";
export { parseRedactorAddInput } from "./redactor-add-input.js";
export type { RedactorAddInputOptions } from "./redactor-add-input.js";
export { AnsiParser } from "./ansi-parser.js";
export { Timestamper, bkTimestamp } from "./timestamper.js";
export type { TimestamperOptions } from "./timestamper.js";
export { TimestamperStream, createTimestamperStream } from "./timestamper-stream.js";
export { LineTimestamper } from "./line-timestamper.js";
export type { LineTimestamperOptions } from "./line-timestamper.js";
export { LineTimestamperStream, createLineTimestamperStream } from "./line-timestamper-stream.js";
export { isHeaderLine, isHeaderExpansionLine } from "./header-lines.js";
export { HeaderTimeObserver } from "./header-time-observer.js";
export { HeaderTimeStream, createHeaderTimeStream } from "./header-time-stream.js";
export type { HeaderTime, HeaderTimeObserverOptions } from "./header-time-observer.js";
export { rfc3339Nano, rfc3339Seconds } from "./rfc3339.js";
export { LogChunker } from "./log-chunker.js";
export type { LogChunk, LogChunkerOptions } from "./log-chunker.js";
export { LogChunkStream, createLogChunkStream } from "./log-chunk-stream.js";
export type { LogChunkStreamOptions } from "./log-chunk-stream.js";
export type { StreamOptions } from "./stream-options.js";
export { LogRedactorError } from "./errors.js";
export type { LogRedactorErrorCode } from "./errors.js";
export { silentLogger } from "./logger.js";
export type { Logger, LogFields } from "./logger.js";
