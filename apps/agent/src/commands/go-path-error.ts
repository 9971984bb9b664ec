// The texts Go's syscall package gives these errnos, which the agent prints.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
};

/**
 * A failed file operation worded as Go's `*fs.PathError` (`stat /x: no such
 * file or directory`), so messages read as the real agent's do.
 */
export function goPathError(op: string, path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = code !== undefined && Object.hasOwn(ERRNO_TEXT, code) ? ERRNO_TEXT[code] : (error as Error).message;
  return `${op} ${path}: ${text}`;
}
