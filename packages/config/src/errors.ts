/**
 * Why a configuration could not be loaded. `CONFIG_USAGE` is a value that does not
 * parse (the real agent prints "Incorrect Usage: …"); `CONFIG_INVALID` is a value
 * that parses but is not allowed, or a missing required setting; `CONFIG_FILE` is a
 * config file that is missing or unreadable.
 */
export type ConfigErrorCode = "CONFIG_USAGE" | "CONFIG_INVALID" | "CONFIG_FILE";

/** One problem with one setting, as a one-line message naming the setting and its source. */
export interface ConfigProblem {
  readonly code: ConfigErrorCode;
  /** The setting's flag name, when the problem is about one setting. */
  readonly setting?: string;
  readonly message: string;
}

/**
 * Every problem found while loading a command's configuration, reported at once.
 * `message` is the problems' messages, one per line; `code` is the first problem's.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code: ConfigErrorCode;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(problems.map((p) => p.message).join("\n"), options);
    if (problems.length === 0) throw new RangeError("ConfigError needs at least one problem");
    this.problems = problems;
    this.code = problems[0]!.code;
  }
}

/**
 * Something the real agent tolerates silently (an unknown key, a value it turns into
 * 0 or false, a renamed key, an unknown experiment) that we point out.
 */
export interface ConfigWarning {
  readonly code:
    | "UNKNOWN_KEY"
    | "INVALID_VALUE"
    | "RENAMED_KEY"
    | "UNKNOWN_EXPERIMENT"
    | "PROMOTED_EXPERIMENT"
    | "REPLACED_EXPERIMENT";
  readonly setting?: string;
  /** `file:line` for warnings about the config file. */
  readonly location?: string;
  readonly message: string;
}
