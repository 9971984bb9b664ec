import { createHmac } from "node:crypto";

/**
 * A compact JWT. With a key it is HS256-signed; without one it is an unsigned
 * (`alg: none`) token with an empty signature part — JWT-shaped, so consumers that
 * only decode it work, while anything that verifies signatures will rightly refuse it.
 */
export function encodeJwt(payload: Record<string, unknown>, key: Buffer | undefined): string {
  const header = key === undefined ? { alg: "none", typ: "JWT" } : { alg: "HS256", typ: "JWT" };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature = key === undefined ? "" : createHmac("sha256", key).update(signingInput).digest("base64url");
  return `${signingInput}.${signature}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
