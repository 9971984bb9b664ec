import { open } from "node:fs/promises";
import { basename } from "node:path";
import { JobRunnerError } from "../errors.js";
import { splitShellWords } from "../checkout/shell-words.js";

/**
 * How a hook is run: `shell` hooks are sourced by a wrapper so their exports,
 * unsets and `cd` carry on; `binary` and `script` hooks are executed directly.
 */
export type HookType = "shell" | "binary" | "script";

// ELF; MZ (PE); Mach-O fat, thin 32/64 and their byte-swapped forms (hook/binary.go).
const BINARY_MAGIC: readonly (readonly number[])[] = [
  [0x7f, 0x45, 0x4c, 0x46],
  [0x4d, 0x5a],
  [0xca, 0xfe, 0xba, 0xbe],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
];

const POSIX_SHELLS: ReadonlySet<string> = new Set(["bash", "dash", "ksh", "sh", "zsh"]);

// A shebang line is bounded by the kernel (256 bytes on Linux, 512 on macOS);
// reading a little more than that is enough to find its end.
const HEAD_BYTES = 1024;

async function readHead(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new JobRunnerError("HOOK_UNREADABLE", `Cannot read the hook ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function shebangOf(head: Buffer): string {
  if (head[0] !== 0x23 || head[1] !== 0x21) return "";
  const newline = head.indexOf(0x0a);
  const line = head.subarray(0, newline === -1 ? head.length : newline).toString("utf8");
  // Go's bufio.Scanner drops a trailing \r (a hook saved with CRLF endings).
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/**
 * The file's first line if it is a shebang line (`#!…`), else `""`
 * (internal/shellscript `ShebangLine`).
 *
 * @throws JobRunnerError `HOOK_UNREADABLE` if the file cannot be read.
 */
export async function readShebang(path: string): Promise<string> {
  return shebangOf(await readHead(path));
}

// env options that take the next word as their argument.
const ENV_OPTIONS_WITH_ARGUMENT: ReadonlySet<string> = new Set(["-u", "--unset", "-C", "--chdir"]);

/**
 * The interpreter a shebang line (or a plain command line) names: its first
 * word's base name, or for `env` the first word after env's own options and
 * `NAME=value` assignments — so `#!/usr/bin/env -S bash -e` names `bash` (the
 * real agent reads `-S` as the interpreter and so runs such a hook unwrapped).
 * `""` when there is none or the line cannot be split.
 */
export function interpreterOf(line: string): string {
  let words: string[];
  try {
    words = splitShellWords(line.startsWith("#!") ? line.slice(2) : line);
  } catch {
    return "";
  }
  if (words.length === 0) return "";
  const first = basename(words[0]!);
  if (first !== "env") return first;
  for (let i = 1; i < words.length; i += 1) {
    const word = words[i]!;
    if (ENV_OPTIONS_WITH_ARGUMENT.has(word)) i += 1;
    else if (word.startsWith("-S") && word.length > 2) return interpreterOf(word.slice(2));
    else if (word.startsWith("-") || word.includes("=")) continue;
    else return basename(word);
  }
  return "";
}

/**
 * Whether a shebang or command line runs a POSIX shell (bash, dash, ksh, sh,
 * zsh), directly or via `env` (internal/shellscript `IsPOSIXShell`).
 */
export function isPosixShell(line: string): boolean {
  return POSIX_SHELLS.has(interpreterOf(line));
}

/**
 * How the hook at `path` must be run (hook/type.go): an ELF, Mach-O or PE file is
 * a `binary`; a shebang naming anything but a POSIX shell is a `script`; a
 * POSIX-shell shebang or no shebang at all is `shell`.
 *
 * @throws JobRunnerError `HOOK_UNREADABLE` if the file cannot be read.
 */
export async function detectHookType(path: string): Promise<HookType> {
  const head = await readHead(path);
  // Fewer than four bytes cannot be a binary (the real agent checks the size first).
  if (head.length >= 4 && BINARY_MAGIC.some((magic) => magic.every((byte, i) => head[i] === byte))) return "binary";
  const shebang = shebangOf(head);
  if (shebang === "" || isPosixShell(shebang)) return "shell";
  return "script";
}
