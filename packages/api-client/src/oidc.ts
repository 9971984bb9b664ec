import type { CallOptions } from "./call-options.js";
import { exchange, rememberSecret, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import { object, str, type ResponseSchema } from "./response-schema.js";

/** `POST jobs/{job}/oidc/tokens` body; every field omitted when empty/0. */
export interface OidcTokenRequest {
  readonly audience?: string;
  /** Seconds. */
  readonly lifetime?: number;
  readonly claims?: readonly string[];
  readonly awsSessionTags?: readonly string[];
  readonly subjectClaim?: string;
}

const tokenResponse: ResponseSchema<string> = {
  // A token response without a token is of no use to anyone.
  schema: object({ token: { type: "string", minLength: 1 } }, ["token"], false),
  map: (json) => str(json, "token"),
};

/** `POST jobs/{job}/oidc/tokens` → the JWT; 5 attempts, Exponential(2 s). */
export async function oidcToken(
  core: ClientCore,
  jobId: string,
  request: OidcTokenRequest = {},
  options: CallOptions = {},
): Promise<string> {
  const { data } = await exchange(core, {
    call: "oidcToken",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/oidc/tokens`,
    json: {
      audience: request.audience || undefined,
      lifetime: request.lifetime || undefined,
      claims: request.claims && request.claims.length > 0 ? request.claims : undefined,
      aws_session_tags: request.awsSessionTags && request.awsSessionTags.length > 0 ? request.awsSessionTags : undefined,
      subject_claim: request.subjectClaim || undefined,
    },
    response: tokenResponse,
    sensitiveBody: true,
    signal: options.signal,
  });
  rememberSecret(core.shared, data);
  return data;
}
