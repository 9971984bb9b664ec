import { randomUUID } from "node:crypto";
import type { CallOptions } from "./call-options.js";
import { ApiError } from "./errors.js";
import { exchange, quoteServerMessage, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import { sleepUnlessAborted } from "./retrier.js";
import { parseRetryAfter } from "./retry-after.js";
import { object, optString, str, type ResponseSchema } from "./response-schema.js";

/** `POST jobs/{job}/pipelines?async=true` body. */
export interface PipelineUpload {
  /** The parsed pipeline (`steps`, `env`, …), sent as JSON as-is. */
  readonly pipeline: unknown;
  /** Replace the build's pipeline; omitted when false. */
  readonly replace?: boolean;
  /** Identifies the upload; constant across retries. @default a new random UUID */
  readonly uuid?: string;
}

/** How a pipeline upload ended (every failure is thrown instead). */
export interface PipelineUploadResult {
  readonly uuid: string;
  /** True when the server accepted it asynchronously (202) and we polled until `applied`. */
  readonly async: boolean;
}

/** `1 s`: the wait after a 202 when the server sends no usable `Retry-After`. */
const DEFAULT_WAIT_AFTER_UPLOAD_MS = 1000;
/** The status URL a 202 must point at. */
const LOCATION = /jobs\/([^/]+)\/pipelines\/([^/]+)/;

const statusResponse: ResponseSchema<{ state: string; message: string }> = {
  schema: object({ state: optString, message: optString }),
  map: (json) => ({ state: str(json, "state"), message: str(json, "message") }),
};

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Uploads a pipeline the way the real agent does:
 * 1. `POST jobs/{job}/pipelines?async=true` with `{"uuid","pipeline","replace"?}` and
 *    `X-Buildkite-Backoff-Sequence`; 60 attempts 5 s apart (a 202 without
 *    `Location` is retried too).
 * 2. Any 2xx but 202 means done. On 202: wait `Retry-After` seconds (default 1 s);
 *    `Location` must name `jobs/<jobId>/pipelines/<uuid>` of this upload, else
 *    `API_BAD_RESPONSE` (field `Location`).
 * 3. Poll `GET jobs/{job}/pipelines/{uuid}` (60 attempts 5 s apart, each wait
 *    overridden by `Retry-After`) until `applied`. `rejected`/`failed` ⇒
 *    `PIPELINE_REJECTED` with the server's message; an unknown state ⇒
 *    `API_BAD_RESPONSE`; 422 ⇒ stop; polls exhausted while pending ⇒ `PIPELINE_PENDING`.
 */
export async function uploadPipeline(
  core: ClientCore,
  jobId: string,
  upload: PipelineUpload,
  options: CallOptions = {},
): Promise<PipelineUploadResult> {
  const uuid = upload.uuid ?? randomUUID();
  const escapedJob = railsPathEscape(jobId);
  const posted = await exchange(core, {
    call: "uploadPipeline",
    method: "POST",
    path: `jobs/${escapedJob}/pipelines?async=true`,
    json: { uuid, pipeline: upload.pipeline, replace: upload.replace ? true : undefined },
    headers: (attempt) => ({ "X-Buildkite-Backoff-Sequence": String(attempt) }),
    check: ({ site, status, headers }) => {
      if (status === 202 && !header(headers["location"])) {
        throw new ApiError(
          { ...site, code: "API_BAD_RESPONSE", status, field: "Location" },
          "unusable response to uploadPipeline: 202 Accepted without a Location header",
        );
      }
    },
    // The real agent retries a 202 without Location like a transient failure.
    decide: (error) => (error.field === "Location" ? true : undefined),
    signal: options.signal,
  });
  if (posted.status !== 202) return { uuid, async: false };

  const waitMs = parseRetryAfter(header(posted.headers["retry-after"])) ?? DEFAULT_WAIT_AFTER_UPLOAD_MS;
  await sleepUnlessAborted(
    core.clock,
    Math.max(0, waitMs),
    options.signal,
    () => new ApiError({ ...posted.site, code: "API_ABORTED" }, "aborted", { cause: options.signal?.reason }),
  );

  const location = header(posted.headers["location"]) ?? "";
  const match = LOCATION.exec(location);
  const problem = !match
    ? "cannot find jobs/<job>/pipelines/<uuid> in it"
    : match[1] !== jobId
      ? `its job ID does not match ${jobId}`
      : match[2] !== uuid
        ? `its upload UUID does not match ${uuid}`
        : undefined;
  if (problem) {
    throw new ApiError(
      { ...posted.site, code: "API_BAD_RESPONSE", status: 202, field: "Location" },
      `unusable response to uploadPipeline: Location header: ${problem}`,
    );
  }

  await exchange(core, {
    call: "pipelineUploadStatus",
    method: "GET",
    path: `jobs/${escapedJob}/pipelines/${railsPathEscape(uuid)}`,
    headers: (attempt) => ({ "X-Buildkite-Backoff-Sequence": String(attempt) }),
    response: statusResponse,
    check: ({ site, status, headers, data }) => {
      const retryAfterMs = parseRetryAfter(header(headers["retry-after"]));
      const where = { ...site, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      switch (data.state) {
        case "applied":
          return;
        case "pending":
        case "processing":
          throw new ApiError({ ...where, code: "PIPELINE_PENDING" }, `pipeline upload not yet applied: ${data.state}`);
        case "rejected":
        case "failed": {
          const serverMessage = quoteServerMessage(core, data.message);
          throw new ApiError(
            { ...where, code: "PIPELINE_REJECTED", serverMessage },
            `pipeline upload ${data.state}: ${serverMessage}`,
          );
        }
        default:
          throw new ApiError(
            { ...where, code: "API_BAD_RESPONSE", field: "state" },
            `unusable response to pipelineUploadStatus: unexpected pipeline upload state ${JSON.stringify(data.state)}`,
          );
      }
    },
    // Still pending is a poll, not a failure: the real agent logs it at info.
    infoRetryCodes: ["PIPELINE_PENDING"],
    decide: (error) => {
      if (error.code === "PIPELINE_PENDING") return true;
      if (error.code === "PIPELINE_REJECTED" || error.field === "state") return false;
      return undefined;
    },
    signal: options.signal,
  });
  return { uuid, async: true };
}
