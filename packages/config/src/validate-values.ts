import type { ErrorObject, ValidateFunction } from "ajv";
import { compileValidator } from "./compile-validator.js";
import type { ConfigProblem } from "./errors.js";
import { precompiledValidator } from "./precompiled-validators.js";
import { constraintSchema } from "./schema.js";
import type { CommandDefinition, SettingDefinition } from "./setting.js";

const validators = new WeakMap<CommandDefinition, ValidateFunction>();

/**
 * The validator of a command's constraint schema: the one the build precompiled
 * when there is one for exactly this schema, else one compiled now with ajv.
 * Cached per command definition.
 */
export function commandValidator(command: CommandDefinition): ValidateFunction {
  let validate = validators.get(command);
  if (!validate) {
    const schema = constraintSchema(command);
    validate = precompiledValidator(schema) ?? compileValidator(schema);
    validators.set(command, validate);
  }
  return validate;
}

/**
 * Checks resolved values against the command's schema and turns every failure into
 * a one-line problem naming the setting and where its value came from.
 */
export function validateValues(
  command: CommandDefinition,
  values: Readonly<Record<string, unknown>>,
  origins: Readonly<Record<string, string>>,
): ConfigProblem[] {
  const validate = commandValidator(command);
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
