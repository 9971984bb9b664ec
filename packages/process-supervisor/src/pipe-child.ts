import { execFile, spawn } from "node:child_process";
import { close, constants, open } from "node:fs";
import { access, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Child, RawExit } from "./child.js";
import { ProcessError } from "./errors.js";

/** Options for {@link startPipeChild}. */
export interface PipeChildOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

const MKFIFO_CANDIDATES = ["/usr/bin/mkfifo", "/bin/mkfifo"];

async function findMkfifo(): Promise<string | undefined> {
  for (const candidate of MKFIFO_CANDIDATES) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/**
 * A real pipe whose write end is given to the child as both stdout and stderr.
 * Node's own `stdio: "pipe"` is a socketpair, on which `echo x > /dev/stderr`
 * fails (ENXIO) and two of them cannot keep stdout/stderr arrival order; Node has
 * no pipe(2), so we make a FIFO in a private directory and unlink it at once.
 */
// Raw fds rather than FileHandles: the read end is handed to a net.Socket, which
// closes it, and a FileHandle would close it again when collected.
function openFd(file: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => open(file, flags, (error, fd) => (error ? reject(error) : resolve(fd))));
}

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve) => close(fd, () => resolve()));
}

async function openPipe(command: string): Promise<{ read: number; write: number }> {
  const mkfifo = await findMkfifo();
  if (mkfifo === undefined) {
    throw new ProcessError("PROCESS_SPAWN_FAILED", `cannot start ${command} with pipes: no mkfifo in ${MKFIFO_CANDIDATES.join(" or ")}; use pty: true`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "agent-process-"));
  const fifo = path.join(dir, "output");
  let read: number | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(mkfifo, ["-m", "600", fifo], { env: {} }, (error) => (error ? reject(error) : resolve()));
    });
    // Non-blocking so opening the read end does not wait for a writer; the write
    // end is opened blocking (it returns at once since a reader exists) because
    // the child inherits its flags, and programs expect blocking stdout.
    read = await openFd(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const write = await openFd(fifo, constants.O_WRONLY);
    return { read, write };
  } catch (error) {
    if (read !== undefined) await closeFd(read);
    throw new ProcessError("PROCESS_SPAWN_FAILED", `cannot start ${command}: creating its output pipe failed: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `command` in a new session and process group (Node's `detached`), stdin
 * from /dev/null, stdout and stderr both into one pipe. Resolves once the child
 * exists; rejects with `PROCESS_SPAWN_FAILED` if the OS refused to start it.
 */
export async function startPipeChild(command: string, args: readonly string[], options: PipeChildOptions): Promise<Child> {
  const { read, write } = await openPipe(command);
  let child;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", write, write],
      detached: true,
    });
  } catch (error) {
    await Promise.all([closeFd(read), closeFd(write)]);
    throw new ProcessError("PROCESS_SPAWN_FAILED", `cannot start ${command}: ${(error as Error).message}`, { cause: error });
  }
  // Listen before any await: a short child can exit, and Node emit "exit" or
  // "error", while we close our copy of the write end.
  const exit = new Promise<RawExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  const spawnError = pid === undefined ? new Promise<Error>((resolve) => child.once("error", resolve)) : undefined;
  // The child has its copies now; ours must go or the pipe never reaches EOF.
  await closeFd(write);
  if (pid === undefined || spawnError !== undefined) {
    const error = (await spawnError) ?? new Error("the OS gave no process id");
    await closeFd(read);
    throw new ProcessError("PROCESS_SPAWN_FAILED", `cannot start ${command}: ${error.message}`, { cause: error });
  }
  // The socket takes over the fd and closes it when destroyed.
  const source = new net.Socket({ fd: read, readable: true, writable: false });
  return { pid, source, isEndOfOutput: () => false, exit };
}
