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
 * and required settings. Validation checks only this, because the types are
 * already guaranteed by the parsers. The build precompiles it for every command
 * (see `validators-module.ts`), so its JSON text is also the key that finds a
 * command's precompiled validator.
 */
export function constraintSchema(command: CommandDefinition): JsonSchema {
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
