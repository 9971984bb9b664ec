import type { CallOptions } from "./call-options.js";
import { exchange, rememberSecret, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import { object, str, type ResponseSchema } from "./response-schema.js";

const tokenResponse: ResponseSchema<string> = {
  // git-credentials-helper refuses an empty token, so it is unusable here already.
  schema: object({ token: { type: "string", minLength: 1 } }, ["token"], false),
  map: (json) => str(json, "token"),
};

/**
 * `POST jobs/{job}/repository_access_token` with `{"repo_url"}` → a short-lived
 * token for `git-credentials-helper`. 3 attempts 5 s apart; a non-retryable status
 * stops at once, every transport error is retried, and `Retry-After` is honoured
 * on 429/5xx.
 */
export async function repositoryAccessToken(
  core: ClientCore,
  jobId: string,
  repoUrl: string,
  options: CallOptions = {},
): Promise<string> {
  const { data } = await exchange(core, {
    call: "repositoryAccessToken",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/repository_access_token`,
    json: { repo_url: repoUrl || undefined },
    response: tokenResponse,
    sensitiveBody: true,
    signal: options.signal,
  });
  rememberSecret(core.shared, data);
  return data;
}
