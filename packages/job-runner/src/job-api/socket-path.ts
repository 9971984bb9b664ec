import { chmod, lstat, mkdir } from "node:fs/promises";
import path from "node:path";
import { JobRunnerError } from "../errors.js";

/**
 * The longest Unix socket path the OS takes, counting the terminating NUL
 * (`sizeof(sun_path)`): 104 on macOS and the BSDs, 108 on Linux.
 */
export function socketPathLimit(platform: NodeJS.Platform): number {
  return ["darwin", "freebsd", "openbsd", "netbsd", "sunos", "aix"].includes(platform) ? 104 : 108;
}

/** Inputs of {@link prepareJobApiSocketPath}. */
export interface SocketPathOptions {
  readonly socketsPath: string;
  readonly pid: number;
  /** A number in [0, 1), like `Math.random`. */
  readonly random: () => number;
  readonly platform: NodeJS.Platform;
}

/**
 * Creates `<socketsPath>/job-api` (mode 0700: only the agent's user may reach the
 * socket, which is what makes the bearer token sufficient) and returns a free
 * socket path `<dir>/<pid>-<0..99999>.sock` in it.
 *
 * @throws JobRunnerError `JOB_API_SOCKET_DIR`, `JOB_API_SOCKET_PATH_TOO_LONG`, `JOB_API_SOCKET_EXISTS`
 */
export async function prepareJobApiSocketPath(options: SocketPathOptions): Promise<string> {
  const dir = path.join(path.resolve(options.socketsPath), "job-api");
  try {
    const created = await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; a created dir must end up exactly 0700.
    if (created !== undefined) await chmod(dir, 0o700);
  } catch (error) {
    throw new JobRunnerError(
      "JOB_API_SOCKET_DIR",
      `Couldn't create the Job API socket directory ${dir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const number = Math.min(99_999, Math.floor(options.random() * 100_000));
  const socketPath = path.join(dir, `${options.pid}-${number}.sock`);
  const length = Buffer.byteLength(socketPath);
  const limit = socketPathLimit(options.platform);
  if (length >= limit) {
    throw new JobRunnerError(
      "JOB_API_SOCKET_PATH_TOO_LONG",
      `socket path ${socketPath} is too long (path length: ${length}, max ${limit} characters). This is a limitation of your host OS; use a shorter --sockets-path`,
    );
  }
  if (await exists(socketPath)) {
    throw new JobRunnerError("JOB_API_SOCKET_EXISTS", `file already exists at socket path ${socketPath}`);
  }
  return socketPath;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new JobRunnerError("JOB_API_SOCKET_DIR", `Couldn't stat the Job API socket path ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
