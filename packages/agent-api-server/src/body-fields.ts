import { HttpError } from "./errors.js";

/** A decoded JSON object body; field readers below answer 422 on a wrong type. */
export type JsonObject = Record<string, unknown>;

/** The body as an object; `undefined` (no body) counts as `{}` when `allowEmpty`. */
export function objectBody(body: unknown, allowEmpty = false): JsonObject {
  if (body === undefined && allowEmpty) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(422, "Request body must be a JSON object");
  }
  return body as JsonObject;
}

/** A required, non-empty string field. */
export function requiredString(body: JsonObject, name: string): string {
  const value = body[name];
  if (value === undefined || value === null || value === "") throw new HttpError(422, `${name} can't be blank`);
  if (typeof value !== "string") throw new HttpError(422, `${name} must be a string`);
  return value;
}

/** An optional string field (`null` counts as absent, as Go's omitempty peers send). */
export function optionalString(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new HttpError(422, `${name} must be a string`);
  return value;
}

/** An optional boolean field. */
export function optionalBoolean(body: JsonObject, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new HttpError(422, `${name} must be true or false`);
  return value;
}

/** An optional integer field within [min, max]. */
export function optionalInteger(body: JsonObject, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(422, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An optional array of strings. */
export function optionalStrings(body: JsonObject, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new HttpError(422, `${name} must be an array of strings`);
  }
  return value as string[];
}

/** A required non-negative integer query parameter (400 when missing or not a number). */
export function queryInteger(query: URLSearchParams, name: string): number {
  const text = query.get(name);
  if (text === null || !/^\d{1,15}$/.test(text)) {
    throw new HttpError(400, `Query parameter ${name} must be a non-negative integer`);
  }
  return Number(text);
}

/** An optional `true`/`false` query parameter (400 for anything else). */
export function queryBoolean(query: URLSearchParams, name: string): boolean {
  const text = query.get(name);
  if (text === null || text === "" || text === "false") return false;
  if (text === "true") return true;
  throw new HttpError(400, `Query parameter ${name} must be true or false`);
}
