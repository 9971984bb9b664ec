/** The JSON types a response schema can name. */
export type JsonType = "string" | "integer" | "number" | "boolean" | "object" | "array" | "null";

/**
 * The part of JSON Schema the responses need, checked in process: loading a
 * general validator (ajv) cost every agent about 9 MB of memory for a handful
 * of type checks. Keywords mean what they mean in JSON Schema.
 */
export interface JsonSchema {
  readonly type: JsonType | readonly JsonType[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  /** Applies to the properties not named in `properties`. */
  readonly additionalProperties?: JsonSchema;
  readonly items?: JsonSchema;
  readonly minLength?: number;
  readonly minimum?: number;
}

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

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    default:
      return typeof value === type;
  }
}

const fieldName = (path: readonly string[]): string => (path.length > 0 ? path.join(".") : "(body)");

// The first violation found, in JSON Schema's usual order: the type, then the
// value's own constraints, then what it contains (required before the properties).
function firstViolation(schema: JsonSchema, value: unknown, path: string[]): SchemaViolation | undefined {
  const types = typeof schema.type === "string" ? [schema.type] : schema.type;
  if (!types.some((type) => hasType(value, type))) return { field: fieldName(path), problem: `must be ${types.join(",")}` };
  if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
    return { field: fieldName(path), problem: `must be >= ${schema.minimum}` };
  }
  // Characters are code points, as JSON Schema counts them.
  if (typeof value === "string" && schema.minLength !== undefined && [...value].length < schema.minLength) {
    return { field: fieldName(path), problem: `must NOT have fewer than ${schema.minLength} characters` };
  }
  if (Array.isArray(value)) {
    if (!schema.items) return undefined;
    for (const [index, item] of value.entries()) {
      const found = firstViolation(schema.items, item, [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  const missing = schema.required?.find((name) => !Object.hasOwn(record, name));
  if (missing !== undefined) return { field: fieldName([...path, missing]), problem: "is missing" };
  for (const [name, item] of Object.entries(record)) {
    const itemSchema = schema.properties && Object.hasOwn(schema.properties, name) ? schema.properties[name] : schema.additionalProperties;
    if (!itemSchema) continue;
    const found = firstViolation(itemSchema, item, [...path, name]);
    if (found) return found;
  }
  return undefined;
}

/** Checks `json` against `schema`; returns the first violation, or `undefined` when usable. */
export function checkSchema(schema: JsonSchema, json: unknown): SchemaViolation | undefined {
  return firstViolation(schema, json, []);
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
