import fs from "node:fs";
import { commands, metaDataGetCommand } from "./commands/index.js";
import { ConfigError } from "./errors.js";
import { loadConfig } from "./load.js";
import { loadPrecompiledValidators, validatorKey } from "./precompiled-validators.js";
import { constraintSchema } from "./schema.js";
import { defineCommand, type CommandDefinition } from "./setting.js";
import { commandValidator } from "./validate-values.js";

const BUILT = new URL("../dist/validators.cjs", import.meta.url);

describe("choosing a command's validator", () => {
  // Guards the start-up cost: a built-in command compiled at run time costs
  // ~30 ms to load ajv and ~15 ms to compile. Needs `pnpm build` first.
  it("uses the built, precompiled validator for every built-in command", () => {
    expect(fs.existsSync(BUILT) ? "built" : "dist/validators.cjs is missing: run `pnpm build` first").toBe("built");
    const built = loadPrecompiledValidators(BUILT);
    for (const command of commands as readonly CommandDefinition[]) {
      const validate = built.get(validatorKey(constraintSchema(command)));
      expect([command.path.join(" "), validate]).toEqual([command.path.join(" "), expect.any(Function)]);
      expect(commandValidator(command)).toBe(validate);
    }
  });

  it("compiles at run time, and answers by its own settings, for an embedder's command that shares a built-in's words", () => {
    const own = defineCommand({
      ...metaDataGetCommand,
      settings: [{ name: "colour", type: "string", env: ["COLOUR"], default: "red", choices: ["red", "blue"], description: "a colour" }],
    });
    const builtIn = commandValidator(metaDataGetCommand);
    expect(commandValidator(own)).not.toBe(builtIn);
    expect(loadConfig(own, { flags: { colour: "blue" }, env: {}, cwd: "/" }).values.colour).toBe("blue");
    expect(() => loadConfig(own, { flags: { colour: "green" }, env: {}, cwd: "/" })).toThrow(
      new ConfigError([{ code: "CONFIG_INVALID", setting: "colour", message: 'invalid colour "green" (from flag --colour): expected one of red, blue' }]),
    );
  });
});
