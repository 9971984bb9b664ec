import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/** A JSON schema fragment; ajv checks the schema itself when it is compiled. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * What a call needs from a 2xx body: a JSON schema that accepts everything the
 * real agent can use (unknown fields pass, `null` stands for "absent" as in Go)
 * and a function that turns the validated JSON into the camelCase result with
 * the real agent's defaults filled in.
 */
export interface ResponseSchema<T> {
  readonly schema: JsonSchema;
  readonly map: (json: unknown) => T;
}

/** An unusable body: which field, and what is wrong with it. */
export interface SchemaViolation {
  /** Dotted path of the field (`job.id`), or `(body)` for the whole body. */
  readonly field: string;
  readonly problem: string;
}

// Compiled on first use of each schema: most processes (a `meta-data get`) use one
// or two calls, so compiling all of them at start-up would be wasted work.
let ajv: Ajv | undefined;
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    ajv ??= new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function violation(error: ErrorObject): SchemaViolation {
  const parts = error.instancePath.split("/").slice(1).map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (error.keyword === "required") {
    parts.push(String((error.params as { missingProperty: string }).missingProperty));
    return { field: parts.join("."), problem: "is missing" };
  }
  return { field: parts.length > 0 ? parts.join(".") : "(body)", problem: error.message ?? "is invalid" };
}

/** Checks `json` against `schema`; returns the first violation, or `undefined` when usable. */
export function checkSchema(schema: JsonSchema, json: unknown): SchemaViolation | undefined {
  const validate = validatorFor(schema);
  if (validate(json)) return undefined;
  const first = validate.errors?.[0];
  return first ? violation(first) : { field: "(body)", problem: "is invalid" };
}

/** Schema helpers. Optional fields accept `null`, which Go decodes as the zero value. */
export const optString: JsonSchema = { type: ["string", "null"] };
export const optInteger: JsonSchema = { type: ["integer", "null"] };
export const optBoolean: JsonSchema = { type: ["boolean", "null"] };
export const optStringArray: JsonSchema = { type: ["array", "null"], items: { type: "string" } };
export const optStringMap: JsonSchema = { type: ["object", "null"], additionalProperties: { type: "string" } };

/** An object schema whose listed properties are typed and whose other properties are ignored. */
export function object(
  properties: Readonly<Record<string, JsonSchema>>,
  required: readonly string[] = [],
  nullable = true,
): JsonSchema {
  return {
    type: nullable ? ["object", "null"] : "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** A field of a (possibly `null`) JSON object, for the mappers. */
export function field(json: unknown, name: string): unknown {
  return json !== null && typeof json === "object" ? (json as Record<string, unknown>)[name] : undefined;
}

/** A string field, `""` when absent (Go's zero value). */
export function str(json: unknown, name: string): string {
  const value = field(json, name);
  return typeof value === "string" ? value : "";
}

/** A number field, `0` when absent. */
export function num(json: unknown, name: string): number {
  const value = field(json, name);
  return typeof value === "number" ? value : 0;
}

/** A boolean field, `false` when absent. */
export function bool(json: unknown, name: string): boolean {
  return field(json, name) === true;
}

/** A string-array field, `[]` when absent. */
export function strings(json: unknown, name: string): string[] {
  const value = field(json, name);
  return Array.isArray(value) ? (value as string[]) : [];
}

/** A string-map field, `{}` when absent. */
export function stringMap(json: unknown, name: string): Record<string, string> {
  const value = field(json, name);
  return value !== null && typeof value === "object" ? { ...(value as Record<string, string>) } : {};
}
