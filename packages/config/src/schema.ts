import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { ConfigProblem } from "./errors.js";
import type { CommandDefinition, SettingDefinition } from "./setting.js";

/** A JSON schema fragment; kept loose on purpose, ajv checks the schema itself. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * The JSON schema of a command's resolved settings, built from the same
 * definitions as the defaults, keyed by flag name. Required settings must be
 * non-empty, as the real agent checks them ("", [], false and 0 are empty).
 */
export function commandSchema(command: CommandDefinition): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const setting of command.settings) properties[setting.name] = settingSchema(setting);
  return {
    $id: `buildkite-agent/${command.path.join("/")}`,
    type: "object",
    properties,
    required: command.settings.map((setting) => setting.name),
    additionalProperties: false,
  };
}

/**
 * The part of the schema that can fail once values are typed: choices, minimums
 * and required settings. Validation compiles only this, because compiling the
 * whole schema costs every in-job command (`meta-data get`…) tens of milliseconds
 * at start-up, while the types are already guaranteed by the parsers.
 */
function constraintSchema(command: CommandDefinition): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const setting of command.settings) {
    if (setting.choices || setting.minimum !== undefined || setting.required) properties[setting.name] = settingSchema(setting);
  }
  return { type: "object", properties };
}

function settingSchema(setting: SettingDefinition): JsonSchema {
  switch (setting.type) {
    case "string":
      return {
        type: "string",
        ...(setting.choices ? { enum: setting.choices } : {}),
        ...(setting.required ? { minLength: 1 } : {}),
      };
    case "bool":
      return setting.required ? { const: true } : { type: "boolean" };
    case "int":
      return {
        type: "integer",
        ...(setting.minimum !== undefined ? { minimum: setting.minimum } : {}),
        ...(setting.required ? { not: { const: 0 } } : {}),
      };
    case "duration":
      return { type: "number", ...(setting.minimum !== undefined ? { minimum: setting.minimum } : {}) };
    case "list":
      return {
        type: "array",
        items: setting.choices ? { enum: setting.choices } : { type: "string" },
        ...(setting.required ? { minItems: 1 } : {}),
      };
  }
}

// addUsedSchema: false, so two commands with the same words (an embedder's own) can both compile.
const ajv = new Ajv({ allErrors: true, strict: true, addUsedSchema: false });
const validators = new WeakMap<CommandDefinition, ValidateFunction>();

/**
 * Checks resolved values against the command's schema and turns every failure into
 * a one-line problem naming the setting and where its value came from.
 */
export function validateValues(
  command: CommandDefinition,
  values: Readonly<Record<string, unknown>>,
  origins: Readonly<Record<string, string>>,
): ConfigProblem[] {
  let validate = validators.get(command);
  if (!validate) {
    validate = ajv.compile(constraintSchema(command));
    validators.set(command, validate);
  }
  if (validate(values)) return [];
  const settings = new Map(command.settings.map((setting) => [setting.name, setting]));
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const error of validate.errors ?? []) {
    const name = error.instancePath.split("/")[1] ?? "";
    const setting = settings.get(name);
    if (!setting || seen.has(name)) continue;
    seen.add(name);
    problems.push(problemFor(command, setting, error, values[name], origins[name] ?? "default"));
  }
  return problems;
}

function problemFor(
  command: CommandDefinition,
  setting: SettingDefinition,
  error: ErrorObject,
  value: unknown,
  origin: string,
): ConfigProblem {
  const emptyRequired = setting.required && ["minLength", "minItems", "const", "not"].includes(error.keyword);
  if (emptyRequired) {
    return {
      code: "CONFIG_INVALID",
      setting: setting.name,
      message: `Missing ${setting.name}. See: \`buildkite-agent ${command.path.join(" ")} --help\``,
    };
  }
  const shown = setting.secret ? "[REDACTED]" : JSON.stringify(value);
  const expected =
    error.keyword === "enum"
      ? `one of ${(setting.choices ?? []).map((choice) => (choice === "" ? '""' : choice)).join(", ")}`
      : error.keyword === "minimum"
        ? `a number of at least ${setting.minimum}`
        : (error.message ?? "a valid value");
  return {
    code: "CONFIG_INVALID",
    setting: setting.name,
    message: `invalid ${setting.name} ${shown} (from ${origin}): expected ${expected}`,
  };
}
