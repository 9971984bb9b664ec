import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import { commands } from "./commands/index.js";
import { compileValidator } from "./compile-validator.js";
import { loadPrecompiledValidators, validatorKey } from "./precompiled-validators.js";
import { constraintSchema } from "./schema.js";
import type { CommandDefinition, SettingDefinition } from "./setting.js";
import { validatorsModuleCode } from "./validators-module.js";

const all = commands as readonly CommandDefinition[];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-config-validators-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeModule(name: string, code: string): URL {
  const file = path.join(dir, name);
  fs.writeFileSync(file, code);
  return pathToFileURL(file);
}

// Generated from the sources under test, not read from dist/, so this judges
// the generator itself; test/startup.test.ts judges the built file.
const precompiled = loadPrecompiledValidators(writeModule("validators.cjs", validatorsModuleCode(all)));

const constrained = (command: CommandDefinition): SettingDefinition[] =>
  command.settings.filter((setting) => setting.choices || setting.minimum !== undefined || setting.required);

/** Values that probe every rule: right and wrong choices, bounds, empties and wrong types. */
function candidates(setting: SettingDefinition): unknown[] {
  const choices = setting.choices ?? [];
  const minimum = setting.minimum ?? 0;
  return [
    ...choices,
    ...choices.map((choice) => choice.toUpperCase()),
    [...choices],
    choices.slice(0, 1),
    "not-a-choice",
    ["not-a-choice"],
    "",
    "x",
    [],
    ["x", ""],
    true,
    false,
    0,
    1,
    -1,
    1.5,
    minimum,
    minimum - 1,
    null,
    { x: 1 },
  ];
}

/** Both answers of a validator: the verdict and every error, in order. */
function answer(validate: ValidateFunction, values: Record<string, unknown>): unknown {
  const valid = validate(values);
  return { valid, errors: validate.errors };
}

describe("precompiled constraint validators", () => {
  it("have one validator per distinct constraint schema, covering every command", () => {
    const keys = new Set(all.map((command) => validatorKey(constraintSchema(command))));
    expect(precompiled.size).toBe(keys.size);
    for (const key of keys) expect(precompiled.get(key)).toEqual(expect.any(Function));
  });

  it.each(all.map((command) => [command.path.join(" "), command] as const))(
    "%s: answer exactly as ajv compiling at run time does",
    (_, command) => {
      const schema = constraintSchema(command);
      const built = precompiled.get(validatorKey(schema))!;
      const runtime = compileValidator(schema);
      const cases: Record<string, unknown>[] = [{}];
      for (const setting of constrained(command)) {
        for (const value of candidates(setting)) cases.push({ [setting.name]: value });
      }
      // Everything wrong at once: allErrors must report them all, in the same order.
      cases.push(Object.fromEntries(constrained(command).map((setting) => [setting.name, setting.type === "list" ? [] : ""])));
      cases.push(Object.fromEntries(constrained(command).map((setting) => [setting.name, -1])));
      let invalid = 0;
      for (const values of cases) {
        const expected = answer(runtime, values);
        expect(answer(built, values)).toEqual(expected);
        if (!(expected as { valid: boolean }).valid) invalid += 1;
      }
      // Not vacuous: every constrained setting rejects something.
      expect(invalid).toBeGreaterThanOrEqual(constrained(command).length);
    },
  );

  it("are ignored when built with other ajv options, so they cannot disagree with run time", () => {
    const code = validatorsModuleCode(all).replace('\\"allErrors\\":true', '\\"allErrors\\":false');
    expect(loadPrecompiledValidators(writeModule("other-options.cjs", code)).size).toBe(0);
  });

  it("are absent, not an error, when the module has not been built", () => {
    expect(loadPrecompiledValidators(pathToFileURL(path.join(dir, "missing.cjs"))).size).toBe(0);
  });
});
