import { fstatSync } from "node:fs";
import { readBounded } from "./bounded-input.js";

/**
 * The most a command reads from stdin (a meta-data value, a step attribute, an
 * annotation body, a pipeline). The real agent reads without a limit; this only
 * stops a runaway producer from exhausting memory, far above anything
 * Buildkite accepts (1 MiB annotations, 10 MiB request bodies).
 */
export const MAX_STDIN_BYTES = 64 * 1024 * 1024;

/**
 * Whether stdin holds input to read, as the real agent decides
 * (internal/stdin `IsReadable`): a pipe or a file is, a terminal or
 * `/dev/null` (character devices) is not. A stream without a file descriptor
 * (handed in by an embedder or a test) is input by definition.
 */
export function stdinIsReadable(stdin: NodeJS.ReadableStream): boolean {
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd !== "number") return true;
  try {
    return !fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * Reads all of stdin as UTF-8 text.
 *
 * @throws Error `failed to read from STDIN: …` when reading fails or passes
 * {@link MAX_STDIN_BYTES}.
 */
export async function readStdinText(stdin: NodeJS.ReadableStream): Promise<string> {
  try {
    return (await readBounded(stdin, MAX_STDIN_BYTES, "stdin")).toString("utf8");
  } catch (error) {
    throw new Error(`failed to read from STDIN: ${(error as Error).message}`, { cause: error });
  }
}
