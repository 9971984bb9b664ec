import fs from "node:fs";

/** The most the agent reads from an `fd://N` token, as the real agent does. */
const MAX_FD_BYTES = 64 * 1024;

/**
 * Resolves `file://PATH` (the file's contents) and `fd://N` (up to 64 KiB read from
 * an inherited descriptor), both trimmed; any other value is returned as is. The
 * value itself never appears in an error, since it is a token.
 */
export function readIndirectValue(value: string): string {
  if (value.startsWith("file://")) {
    const filePath = value.slice("file://".length);
    try {
      return fs.readFileSync(filePath, "utf8").trim();
    } catch (cause) {
      throw new Error(`could not read "${filePath}": ${(cause as NodeJS.ErrnoException).code ?? "unreadable"}`, { cause });
    }
  }
  if (value.startsWith("fd://")) {
    const fd = Number(value.slice("fd://".length));
    if (!Number.isInteger(fd) || fd < 0) throw new Error(`"fd://" must be followed by a file descriptor number`);
    return readFromDescriptor(fd).trim();
  }
  return value;
}

function readFromDescriptor(fd: number): string {
  const buffer = Buffer.alloc(MAX_FD_BYTES);
  let length = 0;
  try {
    while (length < MAX_FD_BYTES) {
      const read = fs.readSync(fd, buffer, length, MAX_FD_BYTES - length, null);
      if (read === 0) break;
      length += read;
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    // A pipe with no writer left open gives EAGAIN once drained: what was read is the value.
    if (code !== "EAGAIN" || length === 0) throw new Error(`could not read file descriptor ${fd}: ${code ?? "unreadable"}`, { cause });
  }
  return buffer.subarray(0, length).toString("utf8");
}
