import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { goQueryString, railsPathEscape } from "./path-escape.js";

/** `POST jobs/{job}/annotations` body; every field is omitted when empty/false/0. */
export interface Annotation {
  /** Markdown/HTML body (the CLI checks the 1 MiB limit after redaction). */
  readonly body?: string;
  readonly context?: string;
  /** `success`, `info`, `warning` or `error` (checked server-side). */
  readonly style?: string;
  readonly append?: boolean;
  /** 1–10; the server's default is 3. */
  readonly priority?: number;
  /** `build` or `job`. */
  readonly scope?: string;
}

/** Options for {@link removeAnnotation}. */
export interface RemoveAnnotationOptions extends CallOptions {
  /** Sent as `?scope=`. @default "build" */
  readonly scope?: string;
}

/** `POST jobs/{job}/annotations`; 5 attempts 1 s apart plus jitter. */
export async function createAnnotation(
  core: ClientCore,
  jobId: string,
  annotation: Annotation,
  options: CallOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "createAnnotation",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/annotations`,
    json: {
      body: annotation.body || undefined,
      context: annotation.context || undefined,
      style: annotation.style || undefined,
      append: annotation.append ? true : undefined,
      priority: annotation.priority || undefined,
      scope: annotation.scope || undefined,
    },
    signal: options.signal,
  });
}

/** `DELETE jobs/{job}/annotations/{context}?scope=…`; 5 attempts 1 s apart plus jitter. */
export async function removeAnnotation(
  core: ClientCore,
  jobId: string,
  context: string,
  options: RemoveAnnotationOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "removeAnnotation",
    method: "DELETE",
    path: `jobs/${railsPathEscape(jobId)}/annotations/${railsPathEscape(context)}?${goQueryString({
      scope: options.scope ?? "build",
    })}`,
    signal: options.signal,
  });
}
