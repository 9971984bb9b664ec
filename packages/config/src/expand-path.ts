import path from "node:path";

/** Env for expansion: a plain record, never `process.env` read here. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Go's `os.ExpandEnv` for the forms people write in paths: `$NAME` and `${NAME}`;
 * an unset variable becomes "".
 */
export function expandEnv(text: string, env: Environment): string {
  return text.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    return env[braced ?? bare ?? ""] ?? "";
  });
}

/** A leading `~` (alone or before `/`) becomes the home directory. */
export function expandHome(text: string, homeDir: string | undefined): string {
  if (homeDir === undefined) return text;
  if (text === "~") return homeDir;
  if (text.startsWith("~/")) return path.join(homeDir, text.slice(2));
  return text;
}

/**
 * How the agent normalises a path setting: env expansion, `~`, then an absolute
 * path against `cwd`. An empty value stays empty (it means "not set").
 */
export function normalisePath(text: string, env: Environment, homeDir: string | undefined, cwd: string): string {
  if (text === "") return "";
  const expanded = expandHome(expandEnv(text, env), homeDir);
  return path.resolve(cwd, expanded);
}
