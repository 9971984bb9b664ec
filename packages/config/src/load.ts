import path from "node:path";
import { configSearchPaths, findConfigFile, isFile, readConfigFile, type ConfigFile, type ConfigFileEntry } from "./config-file.js";
import { ConfigError, type ConfigProblem, type ConfigWarning } from "./errors.js";
import { experimentWarnings } from "./experiments.js";
import { normalisePath, expandEnv, expandHome, type Environment } from "./expand-path.js";
import { readIndirectValue } from "./indirect-value.js";
import { applyCommandRules } from "./command-rules.js";
import { parseGoBool, parseGoDuration, parseGoInt, normaliseList, splitEnvList } from "./parse-value.js";
import { validateValues } from "./validate-values.js";
import { camelCase, type CommandDefinition, type SettingDefinition, type SettingValues } from "./setting.js";

/** What a flag on the command line held, exactly as typed. */
export type FlagValue = string | boolean | readonly string[];

/** Where a setting's value came from, for messages and the precedence rules. */
export type SettingSource = "flag" | "env" | "file" | "default";

export interface LoadConfigOptions {
  /**
   * The flags given on the command line, by flag name (`build-path`): strings as
   * typed (`"banana"` for an int flag is reported here, not by the parser), `true`
   * or `false` for bool flags, arrays for repeated flags. Flags not given must be
   * absent, because an explicit flag outranks the config file.
   */
  readonly flags: Readonly<Record<string, FlagValue | undefined>>;
  /** The environment settings are read from (and that `$VAR` in paths expands against). */
  readonly env: Environment;
  /** Home directory for `~` and the config search path. @default env.HOME */
  readonly homeDir?: string;
  /** Base for relative paths. @default process.cwd() */
  readonly cwd?: string;
  /** Directory of the running executable, the first config file location searched. */
  readonly executableDir?: string;
  /**
   * Config files to search, in order, when `--config` is not given.
   * @default the real agent's list for this platform
   */
  readonly configSearchPaths?: readonly string[];
}

export interface LoadedConfig<C extends CommandDefinition> {
  /** Every setting of the command, typed, keyed by camelCase name; frozen. */
  readonly values: SettingValues<C["settings"]>;
  /** Where each setting's value came from, keyed by flag name. */
  readonly sources: Readonly<Record<string, SettingSource>>;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
  /** Things the real agent tolerates silently that the user should know about. */
  readonly warnings: readonly ConfigWarning[];
}

type Value = string | boolean | number | readonly string[];

interface Resolved {
  value: Value;
  source: SettingSource;
  /** The env var or `file:line` the value came from, for messages. */
  origin: string;
}

/**
 * Resolves every setting of `command` from flags, env vars, the config file (for
 * commands that read one) and defaults, with the real agent's precedence: an
 * explicit flag or a non-empty env var beats the config file, which beats an empty
 * env var, which beats the default. Throws a `ConfigError` listing every problem.
 */
export function loadConfig<C extends CommandDefinition>(command: C, options: LoadConfigOptions): LoadedConfig<C> {
  const env = options.env;
  const homeDir = options.homeDir ?? env.HOME;
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const warnings: ConfigWarning[] = [];
  const settings = new Map(command.settings.map((setting) => [setting.name, setting]));

  for (const name of Object.keys(options.flags)) {
    if (!settings.has(name) && options.flags[name] !== undefined) {
      problems.push({ code: "CONFIG_USAGE", setting: name, message: `flag provided but not defined: -${name}` });
    }
  }

  const configSetting = settings.get("config");
  const file = command.readsConfigFile ? locateConfigFile(configSetting, options, homeDir, cwd, problems) : undefined;
  const fileEntries = file ? lastEntryPerKey(file, settings, warnings) : new Map<string, ConfigFileEntry>();

  const resolved = new Map<string, Resolved>();
  for (const setting of command.settings) {
    resolved.set(setting.name, resolveSetting(setting, options.flags[setting.name], env, fileEntries, file, problems, warnings));
  }

  applyRenames(command, resolved, problems, warnings);

  for (const setting of command.settings) {
    const entry = resolved.get(setting.name)!;
    entry.value = postProcess(setting, entry, { env, homeDir, cwd }, problems);
  }

  if (problems.length === 0) {
    problems.push(...validateValues(command, valuesByName(resolved), originsByName(resolved)));
    const experiments = resolved.get("experiment");
    if (experiments) warnings.push(...experimentWarnings(experiments.value as readonly string[]));
  }
  if (problems.length === 0) {
    const sourceOf = (name: string): SettingSource => resolved.get(name)?.source ?? "default";
    const rules = applyCommandRules(command, valuesByName(resolved), sourceOf);
    problems.push(...rules.problems);
    warnings.push(...rules.warnings);
    for (const [name, value] of Object.entries(rules.overrides)) resolved.get(name)!.value = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const values: Record<string, Value> = {};
  const sources: Record<string, SettingSource> = {};
  for (const [name, entry] of resolved) {
    values[camelCase(name)] = Array.isArray(entry.value) ? Object.freeze([...entry.value]) : entry.value;
    sources[name] = entry.source;
  }
  return Object.freeze({
    values: Object.freeze(values) as unknown as SettingValues<C["settings"]>,
    sources: Object.freeze(sources),
    configFile: file?.path,
    warnings: Object.freeze(warnings),
  });
}

/**
 * The config file: the one the `config` setting names (from its flag or env var,
 * which must exist), else the first of the search list that does.
 */
function locateConfigFile(
  configSetting: SettingDefinition | undefined,
  options: LoadConfigOptions,
  homeDir: string | undefined,
  cwd: string,
  problems: ConfigProblem[],
): ConfigFile | undefined {
  const flag = options.flags.config;
  const envName = configSetting?.env.find((name) => options.env[name] !== undefined);
  const explicit = typeof flag === "string" ? flag : Array.isArray(flag) ? flag.at(-1) : envName && options.env[envName];
  let filePath: string | undefined;
  if (explicit !== undefined && explicit !== "") {
    filePath = path.resolve(cwd, expandHome(expandEnv(explicit, options.env), homeDir));
    if (!findConfigFile([filePath])) {
      problems.push({ code: "CONFIG_FILE", setting: "config", message: `a configuration file could not be found at: "${filePath}"` });
      return undefined;
    }
  } else {
    const candidates =
      options.configSearchPaths ??
      configSearchPaths({ executableDir: options.executableDir, homeDir, platform: process.platform, arch: process.arch });
    filePath = findConfigFile(candidates);
  }
  if (filePath === undefined) return undefined;
  try {
    return readConfigFile(filePath);
  } catch (error) {
    if (error instanceof ConfigError) {
      problems.push(...error.problems);
      return undefined;
    }
    throw error;
  }
}

/** The entry that counts for each known key (the last one); unknown keys warn. */
function lastEntryPerKey(
  file: ConfigFile,
  settings: ReadonlyMap<string, SettingDefinition>,
  warnings: ConfigWarning[],
): Map<string, ConfigFileEntry> {
  const entries = new Map<string, ConfigFileEntry>();
  for (const entry of file.entries) {
    if (settings.has(entry.key)) {
      entries.set(entry.key, entry);
    } else {
      warnings.push({
        code: "UNKNOWN_KEY",
        setting: entry.key,
        location: `${file.path}:${entry.line}`,
        message: `${file.path}:${entry.line}: unknown setting "${entry.key}" is ignored`,
      });
    }
  }
  return entries;
}

function resolveSetting(
  setting: SettingDefinition,
  flag: FlagValue | undefined,
  env: Environment,
  fileEntries: ReadonlyMap<string, ConfigFileEntry>,
  file: ConfigFile | undefined,
  problems: ConfigProblem[],
  warnings: ConfigWarning[],
): Resolved {
  if (flag !== undefined) {
    return { value: parseFlag(setting, flag, problems), source: "flag", origin: `flag --${setting.name}` };
  }
  const envName = setting.env.find((name) => env[name] !== undefined);
  const envText = envName === undefined ? undefined : env[envName]!;
  const envValue = envName === undefined ? undefined : parseEnv(setting, envName, envText!, problems);
  const fileEntry = fileEntries.get(setting.name);
  // Quirk kept from the real agent: for a setting with two env vars, the loader
  // looks up the comma-joined name, which is never set, so the file always wins.
  const envBeatsFile = setting.env.length < 2 || fileEntry === undefined;
  if (envValue !== undefined && envText !== "" && envBeatsFile) {
    return { value: envValue, source: "env", origin: `env ${envName}` };
  }
  if (fileEntry !== undefined && file !== undefined) {
    const location = `${file.path}:${fileEntry.line}`;
    return { value: parseFileValue(setting, fileEntry.value, location, warnings), source: "file", origin: location };
  }
  if (envValue !== undefined) return { value: envValue, source: "env", origin: `env ${envName}` };
  return { value: defaultValue(setting), source: "default", origin: "default" };
}

function defaultValue(setting: SettingDefinition): Value {
  if (setting.default !== undefined) {
    if (setting.type === "duration" && typeof setting.default === "string") return parseGoDuration(setting.default) ?? 0;
    return setting.default;
  }
  switch (setting.type) {
    case "bool":
      return false;
    case "int":
    case "duration":
      return 0;
    case "list":
      return [];
    case "string":
      return "";
  }
}

/** A command-line value: a bad int, duration or bool is a usage error, as Go's flag package makes it. */
function parseFlag(setting: SettingDefinition, flag: FlagValue, problems: ConfigProblem[]): Value {
  if (setting.type === "list") return normaliseList(typeof flag === "string" ? [flag] : Array.isArray(flag) ? flag : []);
  // A non-list flag given twice: the last one wins, as in Go.
  const last = Array.isArray(flag) ? flag.at(-1) ?? "" : flag;
  if (setting.type === "bool") {
    if (typeof last === "boolean") return last;
    const parsed = parseGoBool(String(last));
    if (parsed === undefined) {
      problems.push({ code: "CONFIG_USAGE", setting: setting.name, message: `invalid boolean value "${last}" for -${setting.name}: parse error` });
      return false;
    }
    return parsed;
  }
  const text = String(last);
  if (setting.type === "string") return text;
  const parsed = setting.type === "int" ? parseGoInt(text) : parseGoDuration(text);
  if (parsed === undefined) {
    problems.push({
      code: "CONFIG_USAGE",
      setting: setting.name,
      message: `invalid value "${setting.secret ? "[REDACTED]" : text}" for flag -${setting.name}: parse error`,
    });
    return 0;
  }
  return parsed;
}

/**
 * An env var's value. Like urfave/cli v1: an empty bool is false, an empty list is
 * empty, but an empty or invalid int or duration (or an invalid bool) is a usage error.
 */
function parseEnv(setting: SettingDefinition, name: string, text: string, problems: ConfigProblem[]): Value | undefined {
  switch (setting.type) {
    case "string":
      return text;
    case "list":
      return normaliseList(splitEnvList(text));
    case "bool": {
      if (text === "") return false;
      const parsed = parseGoBool(text);
      if (parsed === undefined) problems.push(envUsageProblem(setting, name, text, "bool", `strconv.ParseBool: parsing "${text}": invalid syntax`));
      return parsed ?? false;
    }
    case "int": {
      const parsed = parseGoInt(text);
      if (parsed === undefined) problems.push(envUsageProblem(setting, name, text, "int", `strconv.ParseInt: parsing "${text}": invalid syntax`));
      return parsed ?? 0;
    }
    case "duration": {
      const parsed = parseGoDuration(text);
      if (parsed === undefined) problems.push(envUsageProblem(setting, name, text, "duration", `time: invalid duration "${text}"`));
      return parsed ?? 0;
    }
  }
}

function envUsageProblem(setting: SettingDefinition, envName: string, text: string, kind: string, reason: string): ConfigProblem {
  const shown = setting.secret ? "[REDACTED]" : text;
  return {
    code: "CONFIG_USAGE",
    setting: setting.name,
    message: `could not parse "${shown}" from ${envName} as ${kind} value for flag ${setting.name}: ${setting.secret ? "invalid syntax" : reason}`,
  };
}

/**
 * A config-file value. The real agent turns an invalid bool into false and an
 * invalid int into 0 without a word; we keep that result but warn with file:line.
 */
function parseFileValue(setting: SettingDefinition, text: string, location: string, warnings: ConfigWarning[]): Value {
  const invalid = (fallback: Value, expected: string): Value => {
    warnings.push({
      code: "INVALID_VALUE",
      setting: setting.name,
      location,
      message: `${location}: "${setting.name}" expects ${expected}, got ${setting.secret ? "a value that is not one" : JSON.stringify(text)}; using ${JSON.stringify(fallback)} as the real agent does`,
    });
    return fallback;
  };
  switch (setting.type) {
    case "string":
      return text;
    case "list":
      return normaliseList([text]);
    case "bool":
      return parseGoBool(text) ?? invalid(false, "a boolean (true or false)");
    case "int":
      return parseGoInt(text) ?? invalid(0, "a whole number");
    case "duration":
      return parseGoDuration(text) ?? invalid(0, 'a duration such as "10s"');
  }
}

/**
 * Copies a deprecated setting onto the one that replaced it (following chains such
 * as meta-data-ec2 → tags-from-ec2 → tags-from-ec2-meta-data), with a warning;
 * setting both is an error, as in the real agent.
 */
function applyRenames(command: CommandDefinition, resolved: Map<string, Resolved>, problems: ConfigProblem[], warnings: ConfigWarning[]): void {
  const renamed = command.settings.filter((setting) => setting.renamedTo !== undefined);
  // Oldest names first, so a chain's value moves all the way to its end.
  const order = [...renamed].sort((a, b) => chainLength(command, b) - chainLength(command, a));
  for (const old of order) {
    const from = resolved.get(old.name)!;
    const to = resolved.get(old.renamedTo!);
    if (from.source === "default" || to === undefined) continue;
    if (to.source !== "default") {
      problems.push({
        code: "CONFIG_INVALID",
        setting: old.name,
        message: `"${old.name}" (${from.origin}) has been renamed to "${old.renamedTo}" (${to.origin}); set only "${old.renamedTo}"`,
      });
      continue;
    }
    warnings.push({
      code: "RENAMED_KEY",
      setting: old.name,
      ...(from.source === "file" ? { location: from.origin } : {}),
      message: `"${old.name}" (${from.origin}) has been renamed to "${old.renamedTo}"; please update your configuration`,
    });
    resolved.set(old.renamedTo!, { ...from });
  }
}

function chainLength(command: CommandDefinition, setting: SettingDefinition): number {
  let length = 0;
  let next = setting.renamedTo;
  while (next !== undefined && length < 10) {
    length++;
    next = command.settings.find((candidate) => candidate.name === next)?.renamedTo;
  }
  return length;
}

interface PathContext {
  readonly env: Environment;
  readonly homeDir: string | undefined;
  readonly cwd: string;
}

function postProcess(setting: SettingDefinition, entry: Resolved, context: PathContext, problems: ConfigProblem[]): Value {
  let value = entry.value;
  if (setting.indirect && typeof value === "string") {
    try {
      value = readIndirectValue(value);
    } catch (error) {
      problems.push({ code: "CONFIG_INVALID", setting: setting.name, message: `${setting.name} (${entry.origin}): ${(error as Error).message}` });
    }
  }
  if (setting.path === true && typeof value === "string") {
    value = normalisePath(value, context.env, context.homeDir, context.cwd);
  } else if (setting.path === "if-exists" && typeof value === "string" && value !== "") {
    value = expandHome(expandEnv(value, context.env), context.homeDir);
    if (isFile(path.resolve(context.cwd, value))) value = path.resolve(context.cwd, value);
  }
  if (setting.caseInsensitive && setting.choices && typeof value === "string") {
    const lower = value.toLowerCase();
    value = setting.choices.find((choice) => choice.toLowerCase() === lower) ?? value;
  }
  return value;
}

function valuesByName(resolved: ReadonlyMap<string, Resolved>): Record<string, Value> {
  return Object.fromEntries([...resolved].map(([name, entry]) => [name, entry.value]));
}

function originsByName(resolved: ReadonlyMap<string, Resolved>): Record<string, string> {
  return Object.fromEntries([...resolved].map(([name, entry]) => [name, entry.origin]));
}
