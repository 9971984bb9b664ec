/**
 * Why an Agent API call failed. Callers branch on this (and on `status`), never on
 * the message text.
 *
 * - `API_HTTP_STATUS`: the server answered with a non-2xx status (`status` is set).
 * - `API_NETWORK`: no response: connection refused/reset, DNS, TLS, truncated body.
 * - `API_TIMEOUT`: a request exceeded its per-request timeout, or the call ran out
 *   of its overall deadline (finish 1 h, acquire 330 s, chunks 1 h).
 * - `API_BAD_RESPONSE`: a 2xx the agent cannot use: not JSON, too large, a required
 *   field missing or of the wrong type (`field` names it), a bad `Location`.
 * - `API_ABORTED`: the caller's `AbortSignal` fired.
 * - `API_INVALID_REQUEST`: the request itself could not be built (e.g. a pipeline
 *   that cannot be encoded as JSON); never retried.
 * - `PIPELINE_REJECTED`: an asynchronous pipeline upload ended `rejected`/`failed`.
 * - `PIPELINE_PENDING`: an asynchronous pipeline upload was still `pending` or
 *   `processing` when the status polls ran out.
 */
export type ApiErrorCode =
  | "API_HTTP_STATUS"
  | "API_NETWORK"
  | "API_TIMEOUT"
  | "API_BAD_RESPONSE"
  | "API_ABORTED"
  | "API_INVALID_REQUEST"
  | "PIPELINE_REJECTED"
  | "PIPELINE_PENDING";

/** The details an {@link ApiError} carries; every one is safe to log (no token, no headers). */
export interface ApiErrorDetails {
  readonly code: ApiErrorCode;
  /** The client method that failed, e.g. `finishJob`. */
  readonly call: string;
  /** HTTP method of the request. */
  readonly method: string;
  /** Path and query of the request URL (never scheme, host or credentials). */
  readonly path: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** The status line's reason phrase, when a response arrived. */
  readonly statusText?: string;
  /** The server's `{"message": "..."}` text for a non-2xx status, when present. */
  readonly serverMessage?: string;
  /** The response field that was unusable (`API_BAD_RESPONSE`), e.g. `job.id`. */
  readonly field?: string;
  /** A short, bounded, token-scrubbed prefix of an unparsable body (`API_BAD_RESPONSE`). */
  readonly bodyPrefix?: string;
  /** Node's error code for a transport failure (`ECONNRESET`, `ETIMEDOUT`, …). */
  readonly transportCode?: string;
  /** Whether the failure counts as retryable by the generic classification (§1.1). */
  readonly retryable?: boolean;
  /** Seconds the server asked us to wait (`Retry-After`, Go-duration seconds form only). */
  readonly retryAfterMs?: number;
}

/**
 * The one error class of this package. `message` is one line,
 * `<METHOD> <path>: <what went wrong>`; for a status it is the real agent's
 * `<METHOD> <path>: <status> <statusText>: <server message>` (only the path of
 * the URL, never its host or credentials). When a call made several attempts,
 * the error is the last attempt's, `attempts` says how many were made and the
 * message ends with `(after <n> attempts)`.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: ApiErrorCode;
  readonly call: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly statusText: string | undefined;
  readonly serverMessage: string | undefined;
  readonly field: string | undefined;
  readonly bodyPrefix: string | undefined;
  readonly transportCode: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** How many attempts the call made before giving up (1 when it never retried). */
  readonly attempts: number;

  constructor(details: ApiErrorDetails, reason: string, options?: { cause?: unknown; attempts?: number }) {
    const attempts = options?.attempts ?? 1;
    super(
      `${details.method} ${details.path}: ${reason}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.attempts = attempts;
    this.code = details.code;
    this.call = details.call;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.statusText = details.statusText;
    this.serverMessage = details.serverMessage;
    this.field = details.field;
    this.bodyPrefix = details.bodyPrefix;
    this.transportCode = details.transportCode;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.#reason = reason;
  }

  readonly #reason: string;

  /** This error again, saying it was the last of `attempts` attempts. */
  afterAttempts(attempts: number): ApiError {
    if (attempts === this.attempts) return this;
    const again = new ApiError(this, this.#reason, { cause: this.cause, attempts });
    again.stack = this.stack;
    return again;
  }
}

/**
 * The cause attached to `API_NETWORK`/`API_TIMEOUT` errors: a copy of the transport
 * error's message and code only. got's own errors carry the request options
 * (headers, hence the token) as enumerable properties, so they are never attached.
 */
export class TransportError extends Error {
  override readonly name = "TransportError";
  /** Node's error code, e.g. `ECONNRESET`. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}
