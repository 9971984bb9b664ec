import { timingSafeEqual } from "node:crypto";

/**
 * Checks an `Authorization` header against the Job API token. Returns the 401
 * message the real agent gives (internal/socket/middleware.go), or undefined when
 * the request may proceed.
 */
export function authorizationFailure(header: string | undefined, token: string): string | undefined {
  if (header === undefined || header === "") return "authorization header is required";
  const space = header.indexOf(" ");
  if (space === -1) return "invalid authorization header: must be in the form `Bearer <token>`";
  if (header.slice(0, space) !== "Bearer") return "invalid authorization header: type must be Bearer";
  return tokensEqual(header.slice(space + 1), token) ? undefined : "invalid authorization token";
}

/**
 * Constant-time comparison, so the time to reject a guess does not reveal how
 * many leading characters were right. Only the length can leak, as with Go's
 * `subtle.ConstantTimeCompare`.
 */
function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
