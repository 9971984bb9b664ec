import { randomBytes } from "node:crypto";

/** Bytes of randomness in a Job API token, as in the real agent. */
export const JOB_API_TOKEN_BYTES = 32;

/**
 * A fresh Job API token: 32 random bytes, base64 URL alphabet, `=` padding
 * stripped (43 characters), because `=` is awkward in env var values.
 */
export function generateJobApiToken(): string {
  return randomBytes(JOB_API_TOKEN_BYTES).toString("base64url");
}
