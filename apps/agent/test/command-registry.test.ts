import { describe, expect, it } from "@jest/globals";
import { commands } from "@agent/config";
import { commandLoaders } from "../src/command-registry.js";
import { buildCommandTree, type CommandNode } from "../src/command-tree.js";

describe("the command table", () => {
  it("has a loader for every command @agent/config defines, and none for others", () => {
    expect(Object.keys(commandLoaders).sort()).toEqual(commands.map((command) => command.path.join(" ")).sort());
  });

  it("loads modules that export run", async () => {
    for (const load of new Set(Object.values(commandLoaders))) {
      expect(typeof (await load()).run).toBe("function");
    }
  });
});

describe("the command tree", () => {
  it("gives every visible group its own summary", () => {
    const groups: CommandNode[] = buildCommandTree(commands).children.filter((node) => !node.definition && !node.hidden);
    for (const group of groups) expect([group.name, group.summary]).toEqual([group.name, expect.not.stringMatching(/^Subcommands:/)]);
  });

  // flag-syntax.ts normalises the command line before yargs picks the command,
  // so a flag name must take its value the same way in every command.
  it("never has a flag that is a bool in one command and takes a value in another", () => {
    const kinds = new Map<string, Set<string>>();
    for (const command of commands) {
      for (const setting of command.settings) {
        const kind = setting.type === "bool" ? "bool" : "value";
        kinds.set(setting.name, (kinds.get(setting.name) ?? new Set()).add(kind));
      }
    }
    const mixed = [...kinds].filter(([, set]) => set.size > 1).map(([name]) => name);
    expect(mixed).toEqual([]);
  });
});
