import { UsageError } from "./errors.js";

/** How a flag takes its value on the command line. */
export type FlagArity = "bool" | "value";

/**
 * Rewrites a command line from Go `flag` syntax (which urfave/cli v1 and so the
 * real agent use) into one yargs reads the same way, token by token:
 *
 * - `-name` and `--name` are the same flag, so every flag becomes `--name…`.
 * - A bool flag never takes the next argument: `--debug` becomes `--debug=true`,
 *   so yargs cannot swallow a following `true`/`false` or positional.
 *   `--debug=VALUE` keeps VALUE as typed (`1`, `F`, `banana`), for
 *   @agent/config to parse like Go's ParseBool; yargs would turn anything but
 *   `true` into false.
 * - A value flag always takes the next argument, even one starting with `-`
 *   (`--build-path --weird-dir`), and is an error at the end of the line:
 *   `flag needs an argument: -build-path`, as Go says.
 * - Unknown flags pass through for the caller to reject by name; `--` and
 *   everything after it, and `-` alone, are positional.
 *
 * `arityOf` says how a known flag takes its value; undefined means unknown.
 * Throws `UsageError` for a value flag with no value.
 */
export function normaliseFlagSyntax(args: readonly string[], arityOf: (name: string) => FlagArity | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === "--") {
      out.push(...args.slice(i));
      break;
    }
    const match = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(token);
    if (match === null) {
      out.push(token);
      continue;
    }
    const name = match[1]!;
    const value = match[2];
    const arity = arityOf(name);
    if (arity === "bool") {
      out.push(`--${name}=${value ?? "true"}`);
    } else if (arity === "value" && value === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: -${name}`);
      out.push(`--${name}=${args[++i]!}`);
    } else {
      out.push(value === undefined ? `--${name}` : `--${name}=${value}`);
    }
  }
  return out;
}
