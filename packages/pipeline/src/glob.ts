/**
 * A compiled glob in the syntax `if_changed` uses (drjosh.dev/zzglob): `*` any run of
 * characters except `/`, `?` one character except `/`, `**` any run including `/` (as a
 * whole segment, `a/**\/b` also matches `a/b`), `[abc]`, `[a-z]`, `[^abc]`/`[!abc]`,
 * `{x,y,z}` alternatives (nestable), and `\` escaping the next character. Not supported:
 * zzglob's `~` home-directory expansion and Windows `\` separators (paths here are git's,
 * always `/`).
 */
export interface Glob {
  readonly pattern: string;
  /** Whether the whole of `path` matches. */
  match(path: string): boolean;
}

const escapeRegExp = (c: string) => c.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/**
 * Compiles a glob pattern.
 *
 * @throws SyntaxError for an unterminated `[`, `{` or trailing `\`, or a stray `}`/`,`-free close.
 */
export function compileGlob(pattern: string): Glob {
  let re = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      if (i + 1 >= pattern.length) throw new SyntaxError("trailing backslash escapes nothing");
      re += escapeRegExp(pattern[++i]!);
    } else if (c === "*") {
      if (pattern[i + 1] === "*") {
        const atStart = i === 0 || pattern[i - 1] === "/";
        i++;
        if (atStart && pattern[i + 1] === "/") {
          i++;
          re += "(?:.*/)?"; // `**/` matches zero or more whole segments
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) throw new SyntaxError(`unterminated [ at offset ${i}`);
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("^") || body.startsWith("!");
      if (negate) body = body.slice(1);
      const cls = [...body].map((ch) => (ch === "-" ? "-" : escapeRegExp(ch))).join("");
      re += negate ? `[^/${cls}]` : `[${cls}]`;
      i = end;
    } else if (c === "{") {
      depth++;
      re += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      re += ")";
    } else if (c === "," && depth > 0) re += "|";
    else re += escapeRegExp(c);
  }
  if (depth > 0) throw new SyntaxError("unterminated {");
  let compiled: RegExp;
  try {
    compiled = new RegExp(`^${re}$`, "su");
  } catch (error) {
    throw new SyntaxError(`invalid pattern: ${(error as Error).message}`);
  }
  return { pattern, match: (path) => compiled.test(path) };
}
