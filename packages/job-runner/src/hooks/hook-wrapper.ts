import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { singleQuote } from "../checkout/shell-words.js";
import { JobRunnerError } from "../errors.js";
import { EXPORT_DUMP_MARK, NUL_DUMP_MARK, parseEnvDump } from "./env-dump.js";

/**
 * Shell code that writes the exported environment to `file` with shell builtins
 * only: no `buildkite-agent env dump` process (the real agent starts its own
 * binary twice per hook), so a hook costs milliseconds. bash writes exact
 * NUL-separated `NAME=value` records (its `export -p` would use $'…' quoting that
 * depends on the locale); other shells write `export -p`, which they quote exactly.
 * Exported-but-unset names are skipped, as a child process would not see them.
 * The bash part is inside `eval` so dash never has to parse `${!name}`.
 */
function dumpCode(file: string): string {
  const target = singleQuote(file);
  const bashLoop =
    `{ builtin printf '%s\\0' ${NUL_DUMP_MARK}; IFS=$' \\t\\n'; ` +
    `for __bk_name in $(builtin compgen -e); do [[ -n \${!__bk_name+x} ]] && builtin printf '%s=%s\\0' "$__bk_name" "\${!__bk_name}"; done; ` +
    `unset __bk_name; } >| ${target}`;
  return (
    `if [ -n "\${BASH_VERSION-}" ]; then eval ${singleQuote(bashLoop)}; ` +
    `else { command printf '%s\\n' ${EXPORT_DUMP_MARK}; export -p; } >| ${target}; fi`
  );
}

/** The files of one wrapped hook run, in a private temp dir. */
export interface HookWrapper {
  /** The temp dir (`buildkite-agent-hook-wrapper*`) holding everything below. */
  readonly dir: string;
  /** The wrapper script, mode 0700. */
  readonly path: string;
  /** Reads what the wrapper recorded; `undefined` if the hook ended the shell early (`exit`, `exec`, `set -e`). */
  readonly read: () => Promise<WrapperRecord | undefined>;
  /** Removes the temp dir (it holds env values, which may be secrets). */
  readonly remove: () => Promise<void>;
}

/** What a wrapper that ran to its end recorded. */
export interface WrapperRecord {
  readonly before: Record<string, string>;
  readonly after: Record<string, string>;
  /** `$PWD` before the hook was sourced and after; `""` if the hook unset PWD. */
  readonly pwdBefore: string;
  readonly pwdAfter: string;
}

/**
 * Writes the POSIX wrapper for the shell hook at `hookPath` (absolute) into a new
 * temp dir under `tempDir`. In order it: turns off xtrace for its own lines (so
 * `set -x` in a hook or shebang does not print every env value), records `$PWD`
 * and the environment, sources the hook with `.`, records the exit status, `$PWD`
 * and the environment again, and exits with the hook's status. Like the real
 * agent's wrapper (hook/wrapper.go) it inherits the hook's shebang line. The
 * "after" files are created empty first, so a hook that ends the shell early
 * leaves them empty; a hook's `umask` or `set -C` cannot stop the wrapper writing them.
 *
 * @throws JobRunnerError `HOOK_WRAPPER_FAILED` if the files cannot be written.
 */
export async function writeHookWrapper(hookPath: string, shebang: string, tempDir: string): Promise<HookWrapper> {
  let dir: string;
  try {
    dir = await mkdtemp(join(tempDir, "buildkite-agent-hook-wrapper"));
  } catch (error) {
    throw wrapperError(tempDir, error);
  }
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const file = (name: string): string => join(dir, name);
  const script = [
    ...(shebang === "" ? [] : [shebang]),
    "# Written by the job executor: records the environment around the sourced hook.",
    "{ __bk_opts=$-; set +x; } 2>/dev/null",
    `command printf '%s' "$PWD" >| ${singleQuote(file("before-pwd"))}`,
    dumpCode(file("before-env")),
    "case $__bk_opts in *x*) unset __bk_opts; set -x ;; *) unset __bk_opts ;; esac",
    `. ${singleQuote(hookPath)}`,
    "__bk_status=$?",
    "{ set +eux; } 2>/dev/null",
    dumpCode(file("after-env")),
    `command printf '%s' "$PWD" >| ${singleQuote(file("after-pwd"))}`,
    "exit $__bk_status",
    "",
  ].join("\n");
  try {
    await Promise.all([
      writeFile(file("hook-script-wrapper"), script, { mode: 0o700 }),
      writeFile(file("before-env"), "", { mode: 0o600 }),
      writeFile(file("after-env"), "", { mode: 0o600 }),
      writeFile(file("before-pwd"), "", { mode: 0o600 }),
      writeFile(file("after-pwd"), "", { mode: 0o600 }),
    ]);
  } catch (error) {
    await remove();
    throw wrapperError(dir, error);
  }
  return {
    dir,
    path: file("hook-script-wrapper"),
    remove,
    read: async () => {
      const after = await readFile(file("after-env"), "utf8");
      if (after === "") return undefined;
      const [before, pwdBefore, pwdAfter] = await Promise.all([
        readFile(file("before-env"), "utf8"),
        readFile(file("before-pwd"), "utf8"),
        readFile(file("after-pwd"), "utf8"),
      ]);
      return { before: parseEnvDump(before), after: parseEnvDump(after), pwdBefore, pwdAfter };
    },
  };
}

function wrapperError(where: string, cause: unknown): JobRunnerError {
  return new JobRunnerError(
    "HOOK_WRAPPER_FAILED",
    `Cannot write the hook wrapper script in ${where}: ${(cause as Error).message}; check the temp dir exists and is writable`,
    { cause },
  );
}
