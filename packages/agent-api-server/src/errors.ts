/**
 * Stable codes for what the embedding program did wrong or what failed around the
 * server (never for an HTTP client's bad request: those are answered on the wire).
 * - `SERVER_OPTION_INVALID`: a constructor or method option is out of range.
 * - `SERVER_STATE`: `listen` twice, `endpoint` before `listen`, …
 * - `SERVER_UNKNOWN`: a programmatic call named a build, job or agent that does not exist.
 * - `SERVER_TRANSITION`: a programmatic state change is illegal in the job's state.
 * - `SERVER_IO`: the server's own storage (its temp dir) failed.
 * - `SERVER_PIPELINE`: an uploaded pipeline that passed the schema cannot be applied
 *   (too many jobs, an oversized matrix, an empty secret name, plugins of the wrong
 *   shape); the upload is rejected with the message.
 */
export type AgentApiServerErrorCode =
  | "SERVER_OPTION_INVALID"
  | "SERVER_STATE"
  | "SERVER_UNKNOWN"
  | "SERVER_TRANSITION"
  | "SERVER_IO"
  | "SERVER_PIPELINE";

/** The one error class this package throws; branch on `code`. */
export class AgentApiServerError extends Error {
  override readonly name = "AgentApiServerError";
  readonly code: AgentApiServerErrorCode;

  constructor(code: AgentApiServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * An answer to send instead of the handler's normal reply: `status` and a
 * `{"message": …}` body, the shape Buildkite uses for every error. Thrown by route
 * handlers and caught by the request dispatcher; never escapes the package.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}
