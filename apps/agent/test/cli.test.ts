import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AgentApiServer } from "@agent/agent-api-server";
import { spawnSync } from "node:child_process";
import { commands as definedCommands, type CommandDefinition, type SettingDefinition } from "@agent/config";
import { BIN, createSandbox, expectNoStack, PACKAGE_VERSION, type Sandbox } from "./run-agent.js";
import { isImplemented } from "../src/command-registry.js";

const commands: readonly CommandDefinition[] = definedCommands;

// Made at load time, not in beforeAll: `it.concurrent` tests may start before hooks run.
const sandbox: Sandbox = createSandbox();
afterAll(() => sandbox.remove());

const visible = commands.filter((command) => !command.hidden);
const byName = (words: string): CommandDefinition => commands.find((command) => command.path.join(" ") === words)!;

/** Top-level words with at least one visible command under them: what `--help` must list. */
function visibleTopLevelWords(): string[] {
  return [...new Set(visible.map((command) => command.path[0]!))];
}

/** The help line of a setting: two spaces, `--name` (and ` value` unless bool), then at least two spaces. */
function flagLine(help: string, setting: SettingDefinition): string | undefined {
  const left = setting.type === "bool" ? `--${setting.name}` : `--${setting.name} value`;
  return help.split("\n").find((line) => line.startsWith(`  ${left}  `));
}

describe("buildkite-agent --help", () => {
  it("lists every command and group that is not hidden, with its summary", () => {
    const run = sandbox.run(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    const lines = run.stdout.split("\n");
    for (const word of visibleTopLevelWords()) {
      const line = lines.find((candidate) => candidate.startsWith(`  ${word} `));
      expect(line).toBeDefined();
      const leaf = visible.find((command) => command.path.length === 1 && command.path[0] === word);
      if (leaf) expect(line).toContain(leaf.summary);
    }
  });

  it("does not list hidden commands", () => {
    const hiddenWords = commands
      .filter((command) => command.hidden && command.path.length === 1)
      .map((command) => command.path[0]!);
    const run = sandbox.run(["--help"]);
    for (const word of hiddenWords) expect(run.stdout).not.toMatch(new RegExp(`^  ${word} `, "m"));
  });

  it("is also what a bare `buildkite-agent` and `buildkite-agent help` print, exit 0", () => {
    const help = sandbox.run(["--help"]).stdout;
    expect(sandbox.run([])).toMatchObject({ status: 0, stdout: help });
    expect(sandbox.run(["help"])).toMatchObject({ status: 0, stdout: help });
  });

  const groups = [...new Set(visible.filter((command) => command.path.length > 1).map((command) => command.path[0]!))];
  it.concurrent.each(groups)("`%s --help` lists the group's visible subcommands with their summaries", async (group) => {
    const run = await sandbox.runAsync([group, "--help"]);
    expect(run.status).toBe(0);
    for (const command of visible.filter((candidate) => candidate.path[0] === group && candidate.path.length === 2)) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command.path[1]} +${escape(command.summary)}$`, "m"));
    }
  });

  it.concurrent.each(groups)("`%s` alone shows the same list, exit 0 (urfave/cli's default action)", async (group) => {
    const [alone, help] = await Promise.all([sandbox.runAsync([group]), sandbox.runAsync([group, "--help"])]);
    expect(alone).toMatchObject({ status: 0, stdout: help.stdout, stderr: "" });
  });
});

describe("<command> --help", () => {
  it("`start --help` lists every visible setting with its description, default and every env var", () => {
    const start = byName("start");
    const run = sandbox.run(["start", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(start.description.split("\n")[0]);
    expect(run.stdout).toContain("Example:");
    for (const setting of start.settings.filter((candidate) => !candidate.hidden)) {
      const line = flagLine(run.stdout, setting);
      expect(line).toBeDefined();
      expect(line).toContain(setting.description);
      for (const env of setting.env) expect(line).toContain(`$${env}`);
      if (typeof setting.default === "string" && setting.default !== "" && setting.type === "string") {
        expect(line).toContain(`(default: "${setting.default}")`);
      }
    }
  });

  it("`start --help` leaves hidden settings out", () => {
    const run = sandbox.run(["start", "--help"]);
    for (const setting of byName("start").settings.filter((candidate) => candidate.hidden)) {
      expect(flagLine(run.stdout, setting)).toBeUndefined();
    }
  });

  it.concurrent.each(visible.map((command) => command.path.join(" ")))("`%s --help` lists its visible settings, exit 0", async (words) => {
    const command = byName(words);
    const run = await sandbox.runAsync([...command.path, "--help"]);
    expect(run.status).toBe(0);
    for (const setting of command.settings.filter((candidate) => !candidate.hidden)) {
      expect(flagLine(run.stdout, setting)).toBeDefined();
    }
  });

  it("`help start` and `start -h` print the same as `start --help`", () => {
    const help = sandbox.run(["start", "--help"]).stdout;
    expect(sandbox.run(["help", "start"]).stdout).toBe(help);
    expect(sandbox.run(["start", "-h"]).stdout).toBe(help);
  });
});

describe("buildkite-agent --version", () => {
  const expected = `buildkite-agent version 3.137.0+ts.${PACKAGE_VERSION}\n`;

  it.each([["--version"], ["-v"], ["-version"]])("`%s` prints the agent and package versions", (flag) => {
    expect(sandbox.run([flag])).toMatchObject({ status: 0, stdout: expected, stderr: "" });
  });

  it("works when the bin is executed directly, through its shebang", () => {
    const result = spawnSync(BIN, ["--version"], { encoding: "utf8", timeout: 20_000, env: { PATH: process.env.PATH ?? "" } });
    expect(result).toMatchObject({ status: 0, stdout: expected });
  });
});

describe("unknown commands and flags", () => {
  it("an unknown command gives the real agent's message on stderr, exit 1", () => {
    const run = sandbox.run(["bogus"]);
    expect(run).toMatchObject({
      status: 1,
      stdout: "",
      stderr: `buildkite-agent: unknown subcommand "bogus"\nRun 'buildkite-agent --help' for usage.\n`,
    });
  });

  it("an unknown subcommand of a group names the group in the hint", () => {
    const group = visible.find((command) => command.path.length > 1)!.path[0]!;
    const run = sandbox.run([group, "bogus"]);
    expect(run).toMatchObject({
      status: 1,
      stdout: "",
      stderr: `buildkite-agent: unknown subcommand "bogus"\nRun 'buildkite-agent ${group} --help' for usage.\n`,
    });
  });

  it.each([["--bogus"], ["-bogus"], ["--bogus=1"]])("`start %s`: Incorrect Usage and the help on stdout, one fatal line, exit 1", (flag) => {
    const run = sandbox.run(["start", flag]);
    expect(run.status).toBe(1);
    expect(run.stdout.startsWith("Incorrect Usage: flag provided but not defined: -bogus\n\n")).toBe(true);
    expect(run.stdout).toContain("--build-path value");
    expect(run.stderr).toBe("buildkite-agent: fatal: flag provided but not defined: -bogus\n");
  });

  it("an unknown flag before any command is the app's usage error (`Incorrect Usage.`)", () => {
    const run = sandbox.run(["--bogus"]);
    expect(run.status).toBe(1);
    expect(run.stdout.startsWith("Incorrect Usage. flag provided but not defined: -bogus\n\n")).toBe(true);
    expect(run.stderr).toBe("buildkite-agent: fatal: flag provided but not defined: -bogus\n");
  });

  it("a value flag at the end of the line is `flag needs an argument`, exit 1", () => {
    const run = sandbox.run(["start", "--build-path"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("buildkite-agent: fatal: flag needs an argument: -build-path\n");
  });
});

describe("configuration errors", () => {
  it("`start --spawn banana` is a usage error: one line on stderr, no stack, exit 1", () => {
    const run = sandbox.run(["start", "--spawn", "banana", "--config", sandbox.emptyConfig]);
    expect(run.status).toBe(1);
    expect(run.stdout.startsWith(`Incorrect Usage: invalid value "banana" for flag -spawn: parse error\n`)).toBe(true);
    expect(run.stderr).toBe(`buildkite-agent: fatal: invalid value "banana" for flag -spawn: parse error\n`);
    expectNoStack(run);
  });

  it("`start --config /nonexistent` prints the loader's message bare, exit 1", () => {
    const run = sandbox.run(["start", "--config", "/nonexistent"]);
    expect(run).toMatchObject({ status: 1, stdout: "", stderr: `a configuration file could not be found at: "/nonexistent"\n` });
  });

  it("missing required settings are printed bare, one per line, exit 1", () => {
    const run = sandbox.run(["start", "--config", sandbox.emptyConfig]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^Missing .+\. See: `buildkite-agent start --help`$/m);
    expect(run.stderr).not.toContain("fatal:");
    expectNoStack(run);
  });

  it("a missing required argument gets the Go loader's message, bare, exit 1", () => {
    const env = { BUILDKITE_AGENT_ACCESS_TOKEN: "xxx", BUILDKITE_JOB_ID: "job" };
    const run = sandbox.run(["meta-data", "get"], env);
    expect(run).toMatchObject({ status: 1, stdout: "", stderr: "Missing meta-data key. See: `buildkite-agent meta-data get --help`\n" });
    // An empty argument counts as missing, as the Go loader's emptiness test has it.
    expect(sandbox.run(["artifact", "download", "*.log", ""], { ...env, BUILDKITE_BUILD_ID: "b" }).stderr).toBe(
      "Missing artifact download path. See: `buildkite-agent artifact download --help`\n",
    );
  });

  it("a missing argument follows the missing settings", () => {
    const run = sandbox.run(["meta-data", "get"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Missing agent-access-token\. See: `buildkite-agent meta-data get --help`\n(.*\n)*Missing meta-data key\. See: `buildkite-agent meta-data get --help`\n$/);
  });

  it("a bool flag's explicit value reaches the config parser as typed (`--no-color=banana` is an error, not false)", () => {
    const run = sandbox.run(["start", "--no-color=banana", "--config", sandbox.emptyConfig]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: .*banana.*no-color.*\n$/);
  });
});

describe("`start` loads its configuration from flags and env vars", () => {
  // A real Agent API server that refuses the token: `start` gets as far as
  // registering with exactly the settings given, then stops with the real error.
  let server: AgentApiServer;
  let endpoint: string;
  beforeAll(async () => {
    server = new AgentApiServer({ registrationToken: "the-right-token" });
    ({ endpoint } = await server.listen());
  });
  afterAll(() => server.close());
  const refused = /^buildkite-agent: fatal: POST \/v3\/register: 401 Unauthorized/m;

  it("with `--flag value`", async () => {
    const run = await sandbox.runAsync(["start", "--token", "xxx", "--endpoint", endpoint, "--build-path", sandbox.buildPath, "--config", sandbox.emptyConfig]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(refused);
  });

  it("with single-dash flags, as in Go (`-token x -build-path y`)", async () => {
    const run = await sandbox.runAsync(["start", "-token", "xxx", "-endpoint", endpoint, "-build-path", sandbox.buildPath, "-config", sandbox.emptyConfig]);
    expect(run.stderr).toMatch(refused);
  });

  it("with env vars", async () => {
    const run = await sandbox.runAsync(["start", "--config", sandbox.emptyConfig], {
      BUILDKITE_AGENT_TOKEN: "xxx",
      BUILDKITE_AGENT_ENDPOINT: endpoint,
      BUILDKITE_BUILD_PATH: sandbox.buildPath,
    });
    expect(run.stderr).toMatch(refused);
    expect(run.stderr).not.toContain("xxx");
  });
});

describe("commands not implemented yet", () => {
  it.concurrent.each(
    visible
      .map((command) => command.path.join(" "))
      .filter((words) => words.includes(" ") && !isImplemented(words)),
  )(
    "`%s` loads its configuration, then says it is not implemented yet",
    async (words) => {
      const command = byName(words);
      // Give every required setting a value, and every required positional argument.
      const flags = command.settings
        .filter((setting) => setting.required)
        .map((setting) => `--${setting.name}=${sampleValue(setting)}`);
      const args = command.args.filter((arg) => arg.required).map(() => "x");
      const run = await sandbox.runAsync([...command.path, ...flags, ...args]);
      expect(run).toMatchObject({ status: 1, stderr: `buildkite-agent: fatal: ${words} is not implemented yet\n` });
    },
  );
});

/** A value that parses and passes validation for a setting, to fill in required ones. */
function sampleValue(setting: SettingDefinition): string {
  const choice = setting.choices?.find((candidate) => candidate !== "");
  if (choice !== undefined) return choice;
  switch (setting.type) {
    case "bool":
      return "true";
    case "int":
      return "1";
    case "duration":
      return "1s";
    default:
      return "x";
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
