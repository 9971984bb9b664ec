import { isJsonObject, JsonNumber, JsonSyntaxError, parseJson, type JsonObject, type JsonValue } from "../go-json-parse.js";

/**
 * Decoding of Job API request bodies with Go's `encoding/json` rules and error
 * texts, so a client sees the same 400 messages as from the real agent: an empty
 * body is `EOF`, a syntax error names one character (`invalid character 'h'
 * looking for beginning of value`, never a stretch of the body, which may hold
 * a secret), `null` decodes to the zero value, field names match
 * case-insensitively, unknown fields are ignored, and a wrong type is
 * `json: cannot unmarshal <kind> into Go struct field <Struct>.<field> of type <type>`.
 */

/** A body that does not decode; the message is what follows `failed to decode request body: `. */
export class PayloadError extends Error {
  override readonly name = "PayloadError";
}

/** PATCH /env: `{"env":{"K":"v"|null}}`, entries in request order. */
export interface EnvPatchPayload {
  readonly entries: ReadonlyArray<readonly [name: string, value: string | null]>;
}

/** POST /promise-failure. `reason` is `""` when absent. */
export interface PromiseFailurePayload {
  readonly exitStatus: number;
  readonly reason: string;
}

// Go's int is 64 bits: a larger literal does not decode.
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parse(text: string): JsonValue {
  try {
    return parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new PayloadError(error.message, { cause: error });
    throw error;
  }
}

function kind(value: JsonValue): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  if (value instanceof JsonNumber) return "number";
  if (value === null) return "null";
  return typeof value;
}

function typeError(value: JsonValue, struct: string, fieldName: string, goType: string): PayloadError {
  return new PayloadError(`json: cannot unmarshal ${kind(value)} into Go struct field ${struct}.${fieldName} of type ${goType}`);
}

/** The top-level struct, or undefined for `null` (Go leaves the zero value). */
function struct(value: JsonValue, name: string): JsonObject | undefined {
  if (value === null) return undefined;
  if (!isJsonObject(value)) {
    throw new PayloadError(`json: cannot unmarshal ${kind(value)} into Go value of type jobapi.${name}`);
  }
  return value;
}

/** Go matches a field exactly first, then case-insensitively. */
function field(object: JsonObject | undefined, name: string): JsonValue | undefined {
  if (object === undefined) return undefined;
  if (Object.hasOwn(object, name)) return object[name];
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : object[key];
}

function stringField(body: string, structName: string, fieldName: string): string {
  const value = field(struct(parse(body), structName), fieldName);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw typeError(value, structName, fieldName, "string");
  return value;
}

/** Decodes a PATCH /env body. */
export function decodeEnvPatch(body: string): EnvPatchPayload {
  const structName = "EnvUpdateRequestPayload";
  const env = field(struct(parse(body), structName), "env");
  if (env === undefined || env === null) return { entries: [] };
  if (!isJsonObject(env)) throw typeError(env, structName, "env", "map[string]*string");
  const entries: Array<[string, string | null]> = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== null && typeof value !== "string") throw typeError(value, structName, "env", "string");
    entries.push([name, value]);
  }
  return { entries };
}

/** Decodes a DELETE /env body into the keys, in request order. */
export function decodeEnvDelete(body: string): string[] {
  const structName = "EnvDeleteRequest";
  const keys = field(struct(parse(body), structName), "keys");
  if (keys === undefined || keys === null) return [];
  if (!Array.isArray(keys)) throw typeError(keys, structName, "keys", "[]string");
  return (keys as readonly JsonValue[]).map((key) => {
    // Go leaves a null element as the zero value "".
    if (key === null) return "";
    if (typeof key !== "string") throw typeError(key, structName, "keys", "string");
    return key;
  });
}

/** Decodes a PUT /workdir body. */
export function decodeWorkdir(body: string): string {
  return stringField(body, "WorkdirSetRequest", "workdir");
}

/** Decodes a POST /redactions body. */
export function decodeRedaction(body: string): string {
  return stringField(body, "RedactionCreateRequest", "redact");
}

/** Decodes a POST /promise-failure body. */
export function decodePromiseFailure(body: string): PromiseFailurePayload {
  const structName = "PromiseFailureRequest";
  const object = struct(parse(body), structName);
  const exitStatus = field(object, "exit_status");
  const reason = field(object, "reason");
  let status = 0;
  if (exitStatus !== undefined && exitStatus !== null) {
    if (!(exitStatus instanceof JsonNumber)) throw typeError(exitStatus, structName, "exit_status", "int");
    // Go parses the literal as written: `1.0` and `1e2` are not ints.
    const integer = /^-?\d+$/.test(exitStatus.text) ? BigInt(exitStatus.text) : undefined;
    if (integer === undefined || integer < INT64_MIN || integer > INT64_MAX) {
      throw new PayloadError(
        `json: cannot unmarshal number ${exitStatus.text} into Go struct field ${structName}.exit_status of type int`,
      );
    }
    status = Number(integer);
  }
  if (reason !== undefined && reason !== null && typeof reason !== "string") {
    throw typeError(reason, structName, "reason", "string");
  }
  return { exitStatus: status, reason: typeof reason === "string" ? reason : "" };
}
