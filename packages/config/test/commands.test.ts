import { Ajv } from "ajv";
import { commandSchema, commands, type CommandDefinition, type SettingDefinition } from "../src/index.js";

const all = commands as readonly CommandDefinition[];
const rows = all.flatMap((command) => command.settings.map((setting) => [command.path.join(" "), setting.name, setting] as const));

describe("command definitions", () => {
  it("have unique words", () => {
    const names = all.map((command) => command.path.join(" "));
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(all.map((command) => [command.path.join(" "), command] as const))("%s: unique flags, help and arguments", (_, command) => {
    const names = command.settings.map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    expect(command.summary).not.toBe("");
    expect(command.description).not.toBe("");
    const variadic = command.args.findIndex((arg) => arg.variadic);
    if (variadic !== -1) expect(variadic).toBe(command.args.length - 1);
  });

  it.each(rows)("%s --%s is well formed", (_, name, setting: SettingDefinition) => {
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const env of setting.env) expect(env).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(setting.description).not.toBe("");
    if (setting.default !== undefined) {
      const kind = Array.isArray(setting.default) ? "list" : typeof setting.default;
      const expected = { string: ["string", "duration"], boolean: ["bool"], number: ["int"], list: ["list"] }[kind as "string"];
      expect(expected).toContain(setting.type);
      if (setting.choices && typeof setting.default === "string") expect(setting.choices).toContain(setting.default);
    }
    if (setting.renamedTo) expect(setting.hidden).toBe(true);
  });

  it("give each command a schema ajv accepts", () => {
    const ajv = new Ajv({ strict: true, addUsedSchema: false });
    for (const command of all) expect(() => ajv.compile(commandSchema(command))).not.toThrow();
  });

  it("name a replacement that exists for every renamed setting", () => {
    for (const command of all) {
      const names = new Set(command.settings.map((setting) => setting.name));
      for (const setting of command.settings) if (setting.renamedTo) expect(names).toContain(setting.renamedTo);
    }
  });
});

describe("arguments the real agent's config loader checks", () => {
  // Confirmed in clicommand/*.go at v3.137.0: only these commands tag an
  // argument `validate:"required"`; the others check their own, in their own words.
  it("are marked with the loader's label on exactly these commands", () => {
    const labelled = Object.fromEntries(
      all
        .filter((command) => command.args.some((arg) => arg.missingLabel !== undefined))
        .map((command) => [command.path.join(" "), command.args.map((arg) => arg.missingLabel)]),
    );
    expect(labelled).toEqual({
      "artifact download": ["artifact search query", "artifact download path"],
      "artifact search": ["artifact search query"],
      "artifact shasum": ["artifact search query"],
      "artifact upload": ["upload paths", undefined],
      "job promise-failure": ["exit status"],
      "job update": ["attribute", undefined],
      "meta-data exists": ["meta-data key"],
      "meta-data get": ["meta-data key"],
      "meta-data set": ["meta-data key", undefined],
      "step update": ["attribute", undefined],
    });
  });
});
