import type { GoJsonValue } from "@agent/api-client";

/** A Job API answer before encoding: an HTTP status and a JSON body. */
export interface JobApiReply {
  readonly status: number;
  readonly body: GoJsonValue;
  /** Extra response headers (e.g. `Allow` on a 405). */
  readonly headers?: Readonly<Record<string, string>>;
}
