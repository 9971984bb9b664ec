import fs from "node:fs";
import path from "node:path";
import { ConfigError, defineCommand, loadConfig, type ConfigWarning, type FlagValue } from "../src/index.js";
import { makeTempDir, writeFile } from "./temp-dir.js";

// A small command of our own, so these tests pin the loader's rules, not the
// definitions of the real commands (test/start-settings.test.ts covers those).
const demo = defineCommand({
  path: ["demo"],
  summary: "demo",
  description: "demo",
  args: [],
  readsConfigFile: true,
  settings: [
    { name: "config", type: "string", env: ["DEMO_CONFIG"], description: "config file" },
    { name: "name", type: "string", env: ["DEMO_NAME"], default: "default-name", description: "a string" },
    { name: "token", type: "string", env: ["DEMO_TOKEN"], required: true, indirect: true, secret: true, description: "a token" },
    { name: "spawn", type: "int", env: ["DEMO_SPAWN"], default: 1, description: "an int" },
    { name: "no-pty", type: "bool", env: ["DEMO_NO_PTY"], description: "a bool" },
    { name: "plugin-validation", type: "bool", env: ["DEMO_PLUGIN_VALIDATION"], default: true, description: "a BoolT" },
    { name: "timeout", type: "duration", env: ["DEMO_TIMEOUT"], default: "10s", description: "a duration" },
    { name: "tags", type: "list", env: ["DEMO_TAGS"], description: "a list" },
    { name: "build-path", type: "string", env: ["DEMO_BUILD_PATH"], path: true, description: "a path" },
    { name: "bootstrap-script", type: "string", env: ["DEMO_BOOTSTRAP"], path: "if-exists", description: "a command" },
    { name: "cancel-signal", type: "string", env: ["DEMO_SIGNAL"], default: "SIGTERM", choices: ["SIGTERM", "SIGINT"], caseInsensitive: true, description: "a choice" },
    { name: "no-git-submodules", type: "bool", env: ["DEMO_NO_SUBMODULES", "DEMO_DISABLE_SUBMODULES"], description: "two env vars" },
    { name: "meta-data", type: "list", env: ["DEMO_META_DATA"], renamedTo: "tags", hidden: true, description: "old tags" },
    { name: "old-old", type: "bool", env: ["DEMO_OLD_OLD"], renamedTo: "old", hidden: true, description: "older name" },
    { name: "old", type: "bool", env: ["DEMO_OLD"], renamedTo: "no-pty", hidden: true, description: "old name" },
  ],
});

const dir = makeTempDir();
const home = path.join(dir, "home");
fs.mkdirSync(home);

function load(options: { flags?: Record<string, FlagValue>; env?: Record<string, string>; file?: string }) {
  const configFile = options.file === undefined ? [] : [writeFile(dir, `cfg-${Math.random()}.cfg`, options.file)];
  return loadConfig(demo, {
    flags: options.flags ?? {},
    env: { DEMO_TOKEN: "t0ken-value", ...options.env },
    homeDir: home,
    cwd: dir,
    configSearchPaths: configFile,
  });
}

function problemsOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("precedence: flag or non-empty env > config file > empty env > default", () => {
  it.each<[string, { flags?: Record<string, FlagValue>; env?: Record<string, string>; file?: string }, string, string]>([
    ["default alone", {}, "default-name", "default"],
    ["file beats default", { file: "name=from-file" }, "from-file", "file"],
    ["non-empty env beats file", { file: "name=from-file", env: { DEMO_NAME: "from-env" } }, "from-env", "env"],
    ["flag beats env and file", { file: "name=from-file", env: { DEMO_NAME: "from-env" }, flags: { name: "from-flag" } }, "from-flag", "flag"],
    ["an empty flag still beats everything", { file: "name=from-file", flags: { name: "" } }, "", "flag"],
    ["empty env loses to the file", { file: "name=from-file", env: { DEMO_NAME: "" } }, "from-file", "file"],
    ["empty env beats the default", { env: { DEMO_NAME: "" } }, "", "env"],
  ])("%s", (_, input, value, source) => {
    const loaded = load(input);
    expect(loaded.values.name).toBe(value);
    expect(loaded.sources.name).toBe(source);
  });

  it("an empty env var turns a true default off and empties a list, as urfave/cli does", () => {
    const loaded = load({ env: { DEMO_PLUGIN_VALIDATION: "", DEMO_TAGS: "" } });
    expect(loaded.values.pluginValidation).toBe(false);
    expect(loaded.values.tags).toEqual([]);
  });

  // Quirk kept from the real agent: it looks up the env var "A,B", which never exists.
  it("for a setting with two env vars, the config file wins over either", () => {
    expect(load({ file: "no-git-submodules=false", env: { DEMO_NO_SUBMODULES: "true" } }).values.noGitSubmodules).toBe(false);
    expect(load({ env: { DEMO_DISABLE_SUBMODULES: "true" } }).values.noGitSubmodules).toBe(true);
    expect(load({ env: { DEMO_NO_SUBMODULES: "false", DEMO_DISABLE_SUBMODULES: "true" } }).values.noGitSubmodules).toBe(false);
  });
});

describe("typing", () => {
  it("parses each type from flags, env and file alike", () => {
    const fromFlags = load({ flags: { spawn: "3", "no-pty": true, timeout: "1m", tags: ["a=1", "b=2,c=3"] } });
    const fromEnv = load({ env: { DEMO_SPAWN: "3", DEMO_NO_PTY: "true", DEMO_TIMEOUT: "1m", DEMO_TAGS: "a=1, b=2,c=3" } });
    const fromFile = load({ file: "spawn=3\nno-pty=true\ntimeout=1m\ntags=\"a=1,b=2, c=3\"\n" });
    for (const loaded of [fromFlags, fromEnv, fromFile]) {
      expect(loaded.values).toMatchObject({ spawn: 3, noPty: true, timeout: 60_000, tags: ["a=1", "b=2", "c=3"] });
    }
  });

  it("takes the last value of a non-list flag given twice, as Go does", () => {
    expect(load({ flags: { spawn: ["1", "4"] } }).values.spawn).toBe(4);
  });

  it("accepts Go bool words on a bool flag", () => {
    expect(load({ flags: { "no-pty": "T" } }).values.noPty).toBe(true);
    expect(load({ flags: { "plugin-validation": "0" } }).values.pluginValidation).toBe(false);
  });

  it("matches a case-insensitive choice and returns its canonical spelling", () => {
    expect(load({ flags: { "cancel-signal": "sigint" } }).values.cancelSignal).toBe("SIGINT");
  });

  it("returns a frozen result", () => {
    const loaded = load({});
    expect(Object.isFrozen(loaded.values)).toBe(true);
    expect(Object.isFrozen(loaded.values.tags)).toBe(true);
  });
});

describe("bad input", () => {
  it.each<[string, { flags?: Record<string, FlagValue>; env?: Record<string, string> }, string]>([
    ["an int flag that does not parse", { flags: { spawn: "banana" } }, 'invalid value "banana" for flag -spawn: parse error'],
    ["a bool flag that does not parse", { flags: { "no-pty": "maybe" } }, 'invalid boolean value "maybe" for -no-pty: parse error'],
    ["a duration flag without a unit", { flags: { timeout: "10" } }, 'invalid value "10" for flag -timeout: parse error'],
    ["an empty int env var", { env: { DEMO_SPAWN: "" } }, 'could not parse "" from DEMO_SPAWN as int value for flag spawn'],
    ["an invalid bool env var", { env: { DEMO_NO_PTY: "yes" } }, 'could not parse "yes" from DEMO_NO_PTY as bool value for flag no-pty'],
    ["an invalid duration env var", { env: { DEMO_TIMEOUT: "soon" } }, 'could not parse "soon" from DEMO_TIMEOUT as duration value for flag timeout'],
    ["an unknown flag", { flags: { bogus: "1" } }, "flag provided but not defined: -bogus"],
  ])("%s is a usage error", (_, input, message) => {
    const error = problemsOf(() => load(input));
    expect(error.code).toBe("CONFIG_USAGE");
    expect(error.message).toContain(message);
  });

  it("rejects a value outside the choices, naming the setting and where it came from", () => {
    const error = problemsOf(() => load({ env: { DEMO_SIGNAL: "SIGWINCH" } }));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toBe('invalid cancel-signal "SIGWINCH" (from env DEMO_SIGNAL): expected one of SIGTERM, SIGINT');
  });

  it("reports a missing required setting the way the real agent does", () => {
    const error = problemsOf(() => loadConfig(demo, { flags: {}, env: {}, configSearchPaths: [] }));
    expect(error.message).toBe("Missing token. See: `buildkite-agent demo --help`");
  });

  it("reports every problem at once", () => {
    const error = problemsOf(() => load({ flags: { spawn: "x", timeout: "y", bogus: "z" }, env: { DEMO_NO_PTY: "nah" } }));
    expect(error.problems.map((problem) => problem.setting).sort()).toEqual(["bogus", "no-pty", "spawn", "timeout"]);
    expect(error.message.split("\n")).toHaveLength(4);
  });

  it("never shows a secret setting's value in a problem", () => {
    const secret = load({ flags: { token: "s3cret-t0ken" } });
    expect(secret.values.token).toBe("s3cret-t0ken");
    const error = problemsOf(() => loadConfig(demo, { flags: { token: "file:///nope/s3cret" }, env: {}, configSearchPaths: [] }));
    expect(error.message).toBe('token (flag --token): could not read "/nope/s3cret": ENOENT');
  });
});

describe("config file handling", () => {
  it("is found through the search list, first existing file wins", () => {
    const first = writeFile(dir, "search/one.cfg", "name=one");
    const second = writeFile(dir, "search/two.cfg", "name=two");
    const loaded = loadConfig(demo, {
      flags: {},
      env: { DEMO_TOKEN: "x" },
      configSearchPaths: [path.join(dir, "search/missing.cfg"), first, second],
    });
    expect(loaded.values.name).toBe("one");
    expect(loaded.configFile).toBe(first);
  });

  it("is the file named by --config, or by the env var, and beats the search list", () => {
    const named = writeFile(dir, "named.cfg", "name=named");
    const other = writeFile(dir, "other.cfg", "name=other");
    const base = { env: { DEMO_TOKEN: "x" }, configSearchPaths: [other], cwd: dir };
    expect(loadConfig(demo, { ...base, flags: { config: "named.cfg" } }).values.name).toBe("named");
    expect(loadConfig(demo, { ...base, flags: {}, env: { ...base.env, DEMO_CONFIG: named } }).values.name).toBe("named");
  });

  it("must exist when named explicitly", () => {
    const error = problemsOf(() => load({ flags: { config: "/nonexistent/agent.cfg" } }));
    expect(error.code).toBe("CONFIG_FILE");
    expect(error.message).toBe('a configuration file could not be found at: "/nonexistent/agent.cfg"');
  });

  it("uses the last of duplicate keys", () => {
    expect(load({ file: "name=a\nname=b\n" }).values.name).toBe("b");
  });

  it("warns about an unknown key with file:line and otherwise ignores it", () => {
    const loaded = load({ file: "name=a\n\nnot-a-setting=1\n" });
    expect(loaded.values.name).toBe("a");
    expect(loaded.warnings).toEqual([
      expect.objectContaining<Partial<ConfigWarning>>({ code: "UNKNOWN_KEY", setting: "not-a-setting", location: `${loaded.configFile}:3` }),
    ]);
  });

  it("keeps the real agent's 0 and false for invalid numbers and booleans, with a warning", () => {
    const loaded = load({ file: "spawn=lots\nplugin-validation=yes\ntimeout=soon\n" });
    expect(loaded.values).toMatchObject({ spawn: 0, pluginValidation: false, timeout: 0 });
    expect(loaded.warnings.map((warning) => [warning.setting, warning.location?.endsWith(`:${warning.setting === "spawn" ? 1 : warning.setting === "plugin-validation" ? 2 : 3}`)])).toEqual([
      ["spawn", true],
      ["plugin-validation", true],
      ["timeout", true],
    ]);
    expect(loaded.warnings[0]!.message).toContain('"spawn" expects a whole number, got "lots"; using 0');
  });

  it("does not quote a secret's value in a warning", () => {
    const loaded = loadConfig(
      defineCommand({
        path: ["x"], summary: "", description: "", args: [], readsConfigFile: true,
        settings: [{ name: "secret-number", type: "int", env: [], secret: true, description: "" }],
      }),
      { flags: {}, env: {}, configSearchPaths: [writeFile(dir, "secret.cfg", "secret-number=hunter22")] },
    );
    expect(loaded.warnings[0]!.message).not.toContain("hunter22");
  });

  it("is not read by a command that has no config file", () => {
    const noFile = defineCommand({ ...demo, readsConfigFile: false });
    const loaded = loadConfig(noFile, { flags: {}, env: { DEMO_TOKEN: "x" }, configSearchPaths: [writeFile(dir, "ignored.cfg", "name=file")] });
    expect(loaded.values.name).toBe("default-name");
    expect(loaded.configFile).toBeUndefined();
  });
});

describe("paths", () => {
  it.each<[string, { flags?: Record<string, FlagValue>; env?: Record<string, string>; file?: string }, () => string]>([
    ["~ from the file", { file: "build-path=~/builds" }, () => path.join(home, "builds")],
    ["$VAR and ${VAR} from the file", { file: "build-path=$ROOT/${SUB}/b", env: { ROOT: "/srv", SUB: "x" } }, () => "/srv/x/b"],
    ["relative from an env var", { env: { DEMO_BUILD_PATH: "rel/builds" } }, () => path.join(dir, "rel/builds")],
    ["relative from a flag", { flags: { "build-path": "./b" } }, () => path.join(dir, "b")],
    ["empty stays empty", { flags: { "build-path": "" } }, () => ""],
  ])("%s", (_, input, expected) => {
    expect(load(input).values.buildPath).toBe(expected());
  });

  it("makes a command absolute only when it names an existing file", () => {
    writeFile(dir, "bin/bootstrap.sh", "#!/bin/sh\n");
    expect(load({ flags: { "bootstrap-script": "bin/bootstrap.sh" } }).values.bootstrapScript).toBe(path.join(dir, "bin/bootstrap.sh"));
    expect(load({ flags: { "bootstrap-script": "buildkite-agent bootstrap" } }).values.bootstrapScript).toBe("buildkite-agent bootstrap");
    expect(load({ flags: { "bootstrap-script": "~/x bootstrap" } }).values.bootstrapScript).toBe(`${home}/x bootstrap`);
  });
});

describe("token indirection", () => {
  it("reads file:// and trims it", () => {
    const file = writeFile(dir, "token.txt", "  tok-from-file\n");
    expect(load({ flags: { token: `file://${file}` } }).values.token).toBe("tok-from-file");
  });

  it("reads fd:// from an inherited descriptor", () => {
    const file = writeFile(dir, "token-fd.txt", "tok-from-fd\n");
    const fd = fs.openSync(file, "r");
    try {
      expect(load({ env: { DEMO_TOKEN: `fd://${fd}` } }).values.token).toBe("tok-from-fd");
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe("renamed settings", () => {
  it("moves a deprecated setting to its new name with a warning", () => {
    const loaded = load({ file: "meta-data=queue=old" });
    expect(loaded.values.tags).toEqual(["queue=old"]);
    expect(loaded.warnings.map((warning) => warning.code)).toEqual(["RENAMED_KEY"]);
    expect(loaded.warnings[0]!.message).toContain('"meta-data"');
    expect(loaded.warnings[0]!.location).toBe(`${loaded.configFile}:1`);
  });

  it("follows a chain of renames to its end", () => {
    expect(load({ env: { DEMO_OLD_OLD: "true" } }).values.noPty).toBe(true);
  });

  it("refuses the old and the new name together", () => {
    const error = problemsOf(() => load({ file: "meta-data=a=1\ntags=b=2" }));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain('"meta-data"');
  });
});
