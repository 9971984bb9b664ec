import { readSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import tty from "node:tty";
import nodePty from "node-pty";
import type { Child, RawExit } from "./child.js";
import { ProcessError } from "./errors.js";
import { signalName } from "./signal-names.js";

/**
 * node-pty's native binding (exported as `native`, outside its typings). We call
 * it instead of `pty.spawn` because UnixTerminal destroys the PTY 200 ms after the
 * child exits, dropping output a slow consumer has not read yet, and overwrites
 * `PWD`. Owning the master fd lets output drain at the consumer's pace.
 */
interface NativePty {
  fork(
    file: string,
    args: string[],
    env: string[],
    cwd: string,
    cols: number,
    rows: number,
    uid: number,
    gid: number,
    utf8: boolean,
    helperPath: string,
    onExit: (code: number, signal: number) => void,
  ): { fd: number; pid: number; pty: string };
}

const native = (nodePty as unknown as { native: NativePty | null }).native;

// macOS builds spawn through this helper (beside the binding); Linux forks directly.
const helperPath = path.resolve(
  path.dirname(createRequire(import.meta.url).resolve("node-pty")),
  "../build/Release/spawn-helper",
);

/** Options for {@link startPtyChild}. */
export interface PtyChildOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly columns: number;
  readonly rows: number;
}

/**
 * Forks `command` on a new PTY: a new session whose controlling terminal is the
 * PTY, stdin/stdout/stderr all the PTY, `TERM=xterm-256color` as the agent sets it.
 * The terminal keeps its default line discipline (so `\n` is written as `\r\n`),
 * as the agent's PTY does.
 */
export function startPtyChild(command: string, args: readonly string[], options: PtyChildOptions): Child {
  if (native === null) {
    throw new ProcessError("PROCESS_SPAWN_FAILED", `cannot start ${command} on a PTY: node-pty has no native PTY support on ${process.platform}; use pty: false`);
  }
  const env = Object.entries({ ...options.env, TERM: "xterm-256color" }).map(([name, value]) => `${name}=${value}`);
  let resolveExit!: (exit: RawExit) => void;
  const exit = new Promise<RawExit>((resolve) => (resolveExit = resolve));
  let forked;
  try {
    forked = native.fork(command, [...args], env, options.cwd, options.columns, options.rows, -1, -1, false, helperPath, (code, signo) => {
      resolveExit(signo > 0 ? { code: null, signal: signalName(signo) } : { code, signal: null });
    });
  } catch (error) {
    throw new ProcessError("PROCESS_SPAWN_FAILED", `cannot start ${command} on a PTY: ${(error as Error).message}`, { cause: error });
  }
  const fd = forked.fd;
  const source = new tty.ReadStream(fd);
  return {
    pid: forked.pid,
    source,
    // Linux reports the end of a PTY whose last slave holder exited as EIO.
    isEndOfOutput: (error) => (error as NodeJS.ErrnoException).code === "EIO",
    readRemaining: () => readRemaining(fd),
    exit,
  };
}

// More than the kernel ever holds for one PTY (64 KiB of flip buffers plus the
// line discipline's 4 KiB), so the loop below is bounded even if reads misbehave.
const MAX_REMAINING_BYTES = 1024 * 1024;

/**
 * libuv declares EOF on a PTY master as soon as poll reports POLLHUP after a
 * short read, but the kernel moves the slave's last writes into the master
 * asynchronously, so up to a few KiB can still be readable: measured here, 20 KB
 * written just before exit lost 4-8 KB in most runs. Once the slave side is
 * closed a non-blocking read returns either data or EIO (never EAGAIN), so
 * reading until EIO gets exactly what is left.
 */
function readRemaining(fd: number): Buffer[] {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < MAX_REMAINING_BYTES) {
    const buffer = Buffer.allocUnsafe(65_536);
    let read: number;
    try {
      read = readSync(fd, buffer);
    } catch {
      break; // EIO: nothing left (EAGAIN: a slave holder remains; it had its chance)
    }
    if (read === 0) break;
    chunks.push(buffer.subarray(0, read));
    total += read;
  }
  return chunks;
}
