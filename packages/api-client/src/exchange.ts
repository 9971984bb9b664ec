import { ApiError, TransportError, type ApiErrorCode, type ApiErrorDetails } from "./errors.js";
import { HttpTransport, TransportFailure, type HttpResponse } from "./http-transport.js";
import { encodeJsonBody } from "./go-json.js";
import type { KnownSecrets, RememberOptions } from "./known-secrets.js";
import type { Logger } from "./logger.js";
import { joinUrlPath } from "./path-escape.js";
import { checkSchema, type ResponseSchema } from "./response-schema.js";
import { retry, type RetryClock } from "./retrier.js";
import { parseRetryAfter } from "./retry-after.js";
import { RETRY_POLICIES, type CallName } from "./retry-policy.js";

/** Largest JSON body we parse: far above any real answer, low enough not to exhaust memory. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** How much of an unparsable body an error quotes. */
const BODY_PREFIX_CHARS = 100;
/** How much of a server's error message an error keeps. */
const SERVER_MESSAGE_CHARS = 500;
/**
 * How much server text is scrubbed before it is cut: far more than any message an
 * error keeps plus the longest secret (a PEM key is ~3 KB). A longer text loses the
 * window's tail too (see {@link dropCutSecret}), since collapsing whitespace can
 * bring the window's edge into what an error quotes.
 */
const SCRUB_WINDOW_CHARS = 64 * 1024;

/**
 * Node error codes that match the real agent's list of retryable transport errors
 * (§1.1): refused, reset, timed out, no such host, TLS handshake failure, and a
 * body cut short (Go's `unexpected EOF`).
 */
const RETRYABLE_TRANSPORT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
]);

/**
 * State shared by a client and every client derived from it (`withToken`,
 * `withEndpoint`): the socket pool, and every token and secret value any of them
 * has seen, so a server echoing one back in a message never gets it into an error
 * or a log.
 */
export interface SharedState {
  readonly transport: HttpTransport;
  readonly secrets: KnownSecrets;
}

/**
 * Remembers a token or secret value so that server text echoing it is scrubbed;
 * `anyLength` for pipeline secrets, which are scrubbed however short.
 */
export function rememberSecret(shared: SharedState, secret: string, options?: RememberOptions): void {
  shared.secrets.remember(secret, options);
}

/** One client's settings, as the resource modules see them. */
export interface ClientCore {
  readonly endpoint: string;
  readonly token: string;
  readonly userAgent: string;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly clock: RetryClock;
  readonly shared: SharedState;
  /**
   * This client's token and those of the clients it was derived from: scrubbed
   * from every message whatever the remembered values' LRU has forgotten.
   */
  readonly ownTokens: readonly string[];
  /** The `Buildkite-*` headers added to every request; replaced by ping/registration. */
  requestHeaders: Readonly<Record<string, string>>;
}

/** Where a call went, as errors and logs show it. */
export interface CallSite {
  readonly call: string;
  readonly method: string;
  /** Path and query of the URL. */
  readonly path: string;
}

/** A successful exchange: status, headers and the mapped body. */
export interface ExchangeResult<T> {
  readonly site: CallSite;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly data: T;
}

/** One call: the request to send each attempt and what its answer must look like. */
export interface Exchange<T> {
  readonly call: CallName;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Relative to the endpoint, already escaped, query included. */
  readonly path: string;
  /** A JSON body (encoded once, re-sent on every attempt). */
  readonly json?: unknown;
  /** A raw body with its own headers (log chunks). */
  readonly raw?: { readonly body: Buffer; readonly headers: Readonly<Record<string, string>> };
  /** Extra headers for attempt `n` (e.g. `X-Buildkite-Backoff-Sequence`). */
  readonly headers?: (attempt: number) => Readonly<Record<string, string>>;
  /** Shape of the 2xx body; without one the body is drained and ignored, as Go does. */
  readonly response?: ResponseSchema<T>;
  /** Never quote this call's body in errors (it may carry tokens or secret values). */
  readonly sensitiveBody?: boolean;
  /** Checks a 2xx inside the attempt (so a failure there is retried by the policy). */
  readonly check?: (result: ExchangeResult<T>) => void;
  /** Overrides the policy's rule for particular errors. */
  readonly decide?: (error: ApiError) => boolean | undefined;
  /** Codes of expected polling states: their retries log at info, not warn. @default none */
  readonly infoRetryCodes?: readonly ApiErrorCode[];
  readonly signal: AbortSignal | undefined;
}

/** Replaces every known token and secret value in server-provided text. */
function scrub(core: ClientCore, text: string): string {
  return core.shared.secrets.scrub(text, core.ownTokens);
}

/**
 * The start of server-provided text, scrubbed before it is cut (so a multi-line
 * secret still matches, and a cut cannot leave the start of a secret behind). Only
 * the first SCRUB_WINDOW_CHARS are scrubbed: this bounds the work a hostile body
 * can cause. A secret straddling that window's edge is no whole match there, so
 * when the text is longer the window's tail that may hold its start is dropped.
 */
function scrubbedPrefix(core: ClientCore, text: string, maxChars: number): string {
  const scrubbed = scrub(core, text.slice(0, SCRUB_WINDOW_CHARS));
  if (text.length <= SCRUB_WINDOW_CHARS) return scrubbed.slice(0, maxChars);
  return dropCutSecret(scrubbed, core.shared.secrets.longestForm(core.ownTokens)).slice(0, maxChars);
}

/** The whitespace a multi-line secret's line breaks match a run of (the log redactor's). */
const MATCHER_WHITESPACE = new Set(["\t", "\n", "\v", "\f", "\r", " "]);

/**
 * `scrubbed` without the tail that could be the start of a secret cut at its end: a
 * partial match holds fewer than `longest` non-whitespace characters (a multi-line
 * secret matches across whitespace runs of any length, so counting plain characters
 * would not do), so dropping back to the `longest`-th non-whitespace character from
 * the end removes all of it, however much whitespace collapsing would later squeeze out.
 */
function dropCutSecret(scrubbed: string, longest: number): string {
  let end = scrubbed.length;
  for (let seen = 0; end > 0 && seen < longest; end--) {
    if (!MATCHER_WHITESPACE.has(scrubbed[end - 1]!)) seen++;
  }
  return scrubbed.slice(0, end);
}

/**
 * A server's message as an error quotes it: scrubbed first, then whitespace runs
 * collapsed (one line), then cut to 500 characters.
 */
export function quoteServerMessage(core: ClientCore, message: string): string {
  return scrubbedPrefix(core, message, SCRUB_WINDOW_CHARS).replace(/\s+/g, " ").slice(0, SERVER_MESSAGE_CHARS);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The request path shown in errors and logs: path and query, no scheme, host or credentials. */
function displayPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Runs one call: builds, sends, checks and retries it as its policy says. */
export async function exchange<T>(core: ClientCore, spec: Exchange<T>): Promise<ExchangeResult<T>> {
  const policy = RETRY_POLICIES[spec.call];
  const url = joinUrlPath(core.endpoint, spec.path);
  const path = displayPath(url);
  const where: CallSite = { call: spec.call, method: spec.method, path };

  let body: Buffer | undefined = spec.raw?.body;
  if (spec.json !== undefined) {
    try {
      body = encodeJsonBody(spec.json);
    } catch (error) {
      throw new ApiError({ ...where, code: "API_INVALID_REQUEST" }, "request body cannot be encoded as JSON", {
        cause: error,
      });
    }
  }

  return retry(
    {
      ...where,
      policy,
      signal: spec.signal,
      ...(spec.decide ? { decide: spec.decide } : {}),
      ...(spec.infoRetryCodes ? { infoRetryCodes: spec.infoRetryCodes } : {}),
      attempt: async ({ attempt, remainingMs }) => {
        const headers: Record<string, string> = { "User-Agent": core.userAgent, "Accept-Encoding": "gzip" };
        if (core.token !== "") headers["Authorization"] = `Token ${core.token}`;
        if (remainingMs !== undefined && policy.deadlineHeader !== false && Math.floor(remainingMs) > 0) {
          headers["Buildkite-Timeout-Milliseconds"] = String(Math.floor(remainingMs));
        }
        Object.assign(headers, core.requestHeaders, spec.headers?.(attempt));
        if (spec.json !== undefined) headers["Content-Type"] = "application/json";
        if (spec.raw) Object.assign(headers, spec.raw.headers);

        const early = policy.earlyAttemptTimeout;
        let timeoutMs = early && attempt < early.attempts ? early.timeoutMs : core.timeoutMs;
        if (remainingMs !== undefined) timeoutMs = Math.max(1, Math.min(timeoutMs, Math.ceil(remainingMs)));
        const signal = spec.signal ?? new AbortController().signal;

        let response: HttpResponse;
        try {
          response = await core.shared.transport.send({
            method: spec.method,
            url,
            headers,
            ...(body !== undefined ? { body } : {}),
            timeoutMs,
            signal,
            maxBodyBytes: MAX_JSON_BYTES,
            wantBody: spec.response !== undefined,
          });
        } catch (error) {
          core.logger.debug(`${spec.method} ${path} failed`, { call: spec.call, attempt });
          throw transportError(core, where, error, signal);
        }
        core.logger.debug(`${spec.method} ${path} ${response.status}`, {
          call: spec.call,
          attempt,
          status: response.status,
          requestHeaders: Object.keys(headers),
        });
        const result = parseResponse(core, where, spec, response);
        spec.check?.(result);
        return result;
      },
    },
    core.clock,
    core.logger,
  );
}

function transportError(
  core: ClientCore,
  where: CallSite,
  error: unknown,
  signal: AbortSignal,
): ApiError {
  if (!(error instanceof TransportFailure)) throw error;
  const cause = new TransportError(scrub(core, error.message), error.code);
  switch (error.kind) {
    case "aborted":
      // As for an abort between attempts: the cause is the caller's reason.
      return new ApiError({ ...where, code: "API_ABORTED" }, "aborted", { cause: signal.reason });
    case "timeout":
      return new ApiError(
        { ...where, code: "API_TIMEOUT", transportCode: error.code ?? "ETIMEDOUT", retryable: true },
        `request timed out (${cause.message})`,
        { cause },
      );
    case "too-large":
      return new ApiError(
        { ...where, code: "API_BAD_RESPONSE", field: "(body)" },
        `unusable response to ${where.call}: ${error.message}`,
      );
    case "network": {
      const retryable = error.code !== undefined && RETRYABLE_TRANSPORT_CODES.has(error.code);
      return new ApiError(
        { ...where, code: "API_NETWORK", ...(error.code ? { transportCode: error.code } : {}), retryable },
        cause.message,
        { cause },
      );
    }
  }
}

function parseResponse<T>(
  core: ClientCore,
  where: CallSite,
  spec: Exchange<T>,
  response: HttpResponse,
): ExchangeResult<T> {
  const { status, statusText } = response;
  const retryAfterMs = parseRetryAfter(firstHeader(response.headers["retry-after"]));
  const base: Omit<ApiErrorDetails, "code"> = {
    ...where,
    status,
    statusText,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  if (status < 200 || status > 299) {
    const serverMessage = errorMessage(core, response.body);
    throw new ApiError(
      { ...base, code: "API_HTTP_STATUS", ...(serverMessage ? { serverMessage } : {}) },
      `${status} ${statusText}${serverMessage ? `: ${serverMessage}` : ""}`,
    );
  }
  if (!spec.response) return { site: where, status, headers: response.headers, data: undefined as T };

  const text = response.body.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the body, so it is not kept as the cause.
    const quotable = !spec.sensitiveBody && !/^\s*[[{"]/.test(text);
    const bodyPrefix = quotable ? scrubbedPrefix(core, text, BODY_PREFIX_CHARS) : undefined;
    throw new ApiError(
      { ...base, code: "API_BAD_RESPONSE", field: "(body)", ...(bodyPrefix !== undefined ? { bodyPrefix } : {}) },
      `unusable response to ${where.call}: body is not JSON` +
        (bodyPrefix !== undefined ? ` (starts ${JSON.stringify(bodyPrefix)})` : ""),
    );
  }
  const violation = checkSchema(spec.response.schema, json);
  if (violation) {
    throw new ApiError(
      { ...base, code: "API_BAD_RESPONSE", field: violation.field },
      `unusable response to ${where.call}: field ${JSON.stringify(violation.field)} ${violation.problem}`,
    );
  }
  return { site: where, status, headers: response.headers, data: spec.response.map(json) };
}

/** The server's `{"message": "..."}`, best-effort, bounded and scrubbed. */
function errorMessage(core: ClientCore, body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    const message = (parsed as { message?: unknown } | null)?.message;
    if (typeof message !== "string" || message === "") return undefined;
    return quoteServerMessage(core, message);
  } catch {
    return undefined;
  }
}
