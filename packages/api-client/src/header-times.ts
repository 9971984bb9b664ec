import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";

/**
 * `POST jobs/{id}/header_times` with `{"header_times": {"<index>": "<RFC3339Nano UTC>"…}}`,
 * indices counting from 0 across the whole job. 10 attempts 5 s apart; any 4xx
 * abandons the batch.
 */
export async function saveHeaderTimes(
  core: ClientCore,
  jobId: string,
  times: ReadonlyMap<number, string> | Readonly<Record<string, string>>,
  options: CallOptions = {},
): Promise<void> {
  const map: Record<string, string> =
    times instanceof Map
      ? Object.fromEntries([...times].map(([index, time]) => [String(index), time]))
      : { ...(times as Readonly<Record<string, string>>) };
  await exchange(core, {
    call: "saveHeaderTimes",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/header_times`,
    json: { header_times: new Map(Object.entries(map)) },
    signal: options.signal,
  });
}
