import { parseGoBool } from "@agent/config";

/** The flags given on the command line, by name, in the order first seen; a repeated flag collects every value. */
export type GivenFlags = ReadonlyMap<string, string | readonly string[]>;

/** The help flags urfave/cli adds to every command and group: `--help` and `-h`. */
export const HELP_FLAGS: readonly string[] = ["help", "h"];

/** The value that counts for a flag given more than once: the last, as in Go's flag package. */
export function lastValue(value: string | readonly string[]): string {
  return typeof value === "string" ? value : (value.at(-1) ?? "");
}

/** True when one of these bool flags (`--help`, `-h`) was given and not as false. */
export function flagIsSet(flags: GivenFlags, names: readonly string[]): boolean {
  return names.some((name) => {
    const value = flags.get(name);
    return value !== undefined && (parseGoBool(lastValue(value)) ?? true);
  });
}
