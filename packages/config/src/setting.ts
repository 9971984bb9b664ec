/**
 * The shape of one setting of one `buildkite-agent` command: its flag, env vars,
 * config-file key, type and default. Every command's settings are data of this
 * shape (see `commands/`), so flags, help text, env lookup, the config file, the
 * JSON schema and the typed result all come from one place.
 */

/**
 * How a raw value is typed, following the real agent (urfave/cli v1 + cliconfig):
 * - `string`: as is.
 * - `bool`: presence on the command line is `true`; values parse like Go's
 *   `strconv.ParseBool` (`1 t T TRUE true True 0 f F FALSE false False`).
 * - `int`: a base-10 integer.
 * - `duration`: a Go duration (`10s`, `1m30s`, `300ms`); typed as milliseconds.
 * - `list`: repeated flags, or a comma-separated env var / file value; pieces trimmed.
 */
export type SettingType = "string" | "bool" | "int" | "duration" | "list";

/** A setting's default value, as the real agent documents it. */
export type SettingDefault = string | boolean | number | readonly string[];

export interface SettingDefinition {
  /** Flag name without the leading `--`; also the config-file key (for `start`). */
  readonly name: string;
  readonly type: SettingType;
  /** Env vars that set it; when several are given the first one present wins. */
  readonly env: readonly string[];
  /** The real agent's default. Omitted: "" / false / 0 / [] by type. */
  readonly default?: SettingDefault;
  /** One-line help text, as shown by `--help`. */
  readonly description: string;
  /** Must be non-empty after resolution (string "", empty list, false and 0 count as empty). */
  readonly required?: boolean;
  /** Allowed values (compared case-sensitively unless `caseInsensitive`). */
  readonly choices?: readonly string[];
  readonly caseInsensitive?: boolean;
  /** Lowest allowed number, for `int` settings. */
  readonly minimum?: number;
  /**
   * A filesystem path: `$VAR`/`${VAR}` expanded, a leading `~` made the home dir,
   * then made absolute. `"if-exists"` (for `bootstrap-script`, a command line):
   * expanded, but made absolute only when it names an existing file.
   */
  readonly path?: boolean | "if-exists";
  /** Not shown in `--help` (internal or deprecated settings). */
  readonly hidden?: boolean;
  /** For a deprecated alias: the setting that replaces it. */
  readonly renamedTo?: string;
  /** A value of the form `file://PATH` or `fd://N` is read from there (the agent token). */
  readonly indirect?: boolean;
  /** Never print the value (tokens); only "set" / "not set". */
  readonly secret?: boolean;
}

/** A positional argument of a command, for usage lines and arity checks. */
export interface ArgumentDefinition {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes all remaining arguments. */
  readonly variadic?: boolean;
  /**
   * Set only where the real agent's config loader checks this argument: the label
   * of its `Missing <label>. See: …` message. Other commands check their own
   * arguments, in their own words.
   */
  readonly missingLabel?: string;
}

export interface CommandDefinition {
  /** The words of the command: `["artifact", "upload"]`. */
  readonly path: readonly string[];
  /** One-line summary for the command list. */
  readonly summary: string;
  /** Longer help: what it does, exit statuses, an example. */
  readonly description: string;
  readonly args: readonly ArgumentDefinition[];
  readonly settings: readonly SettingDefinition[];
  /** Not listed in help (the experimental `cache` commands, `job promise-failure`). */
  readonly hidden?: boolean;
  /** Only `start` reads a config file. */
  readonly readsConfigFile?: boolean;
}

/** Turns `build-path` into `buildPath` at the type level and at run time. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

type ValueOf<T extends SettingType> = T extends "string"
  ? string
  : T extends "bool"
    ? boolean
    : T extends "int" | "duration"
      ? number
      : readonly string[];

/** The typed, resolved values of a list of settings, keyed by camelCase name. */
export type SettingValues<S extends readonly SettingDefinition[]> = {
  readonly [D in S[number] as CamelCase<D["name"]>]: ValueOf<D["type"]>;
};

/**
 * Settings typed as their literal selves (names and types kept for
 * `SettingValues`) and as full `SettingDefinition`s, so optional fields such as
 * `hidden` can be read on any element, even one that does not set them.
 */
export type FullSettings<S extends readonly SettingDefinition[]> = { readonly [K in keyof S]: S[K] & SettingDefinition };

/** Declares one setting that several commands share; see `FullSettings`. */
export function defineSetting<const S extends SettingDefinition>(setting: S): S & SettingDefinition {
  return setting;
}

/** Declares a list of settings with their literal names kept; see `FullSettings`. */
export function defineSettings<const S extends readonly SettingDefinition[]>(settings: S): FullSettings<S> {
  return settings as FullSettings<S>;
}

/** Declares a command with its settings' literal names kept. */
export function defineCommand<const C extends CommandDefinition>(command: C): C {
  return command;
}
