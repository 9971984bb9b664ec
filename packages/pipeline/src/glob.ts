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

const SLASH = 0x2f;

// The pattern is compiled to a nondeterministic automaton and run by tracking the set of
// states it can be in (Thompson's construction), so matching takes time proportional to
// pattern × path whatever the pattern; a backtracking RegExp takes exponential time on
// patterns like `*a*a*a*b`.
type State =
  | { readonly kind: "char"; readonly accepts: (c: number) => boolean; next: number }
  | { readonly kind: "split"; next: number[] }
  | { readonly kind: "match" };

type Token =
  | { readonly kind: "char"; readonly accepts: (c: number) => boolean }
  | { readonly kind: "star"; readonly accepts: (c: number) => boolean }
  /** `**\/`: nothing, or any run of characters ending with `/`. */
  | { readonly kind: "segments" }
  | { readonly kind: "alternatives"; readonly branches: Token[][] };

const anyChar = () => true;
const notSlash = (c: number) => c !== SLASH;

function charClass(body: string, offset: number): (c: number) => boolean {
  let chars = [...body];
  const negate = chars[0] === "^" || chars[0] === "!";
  if (negate) chars = chars.slice(1);
  const ranges: [number, number][] = [];
  for (let k = 0; k < chars.length; k++) {
    const from = chars[k]!.codePointAt(0)!;
    if (chars[k + 1] === "-" && k + 2 < chars.length) {
      const to = chars[k + 2]!.codePointAt(0)!;
      if (to < from) throw new SyntaxError(`invalid pattern: range out of order in character class at offset ${offset}`);
      ranges.push([from, to]);
      k += 2;
    } else ranges.push([from, from]);
  }
  const inClass = (c: number) => ranges.some(([from, to]) => c >= from && c <= to);
  return negate ? (c) => c !== SLASH && !inClass(c) : inClass;
}

/** Splits a pattern into tokens; `{…}` holds its branches. */
function tokenize(pattern: string): Token[] {
  const top: Token[] = [];
  // The open `{` groups: the branches so far and the one being read.
  const open: { branches: Token[][]; current: Token[] }[] = [];
  const out = () => open.at(-1)?.current ?? top;
  const literal = (c: number) => out().push({ kind: "char", accepts: (x) => x === c });
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      if (i + 1 >= pattern.length) throw new SyntaxError("trailing backslash escapes nothing");
      const escaped = pattern.codePointAt(++i)!;
      if (escaped > 0xffff) i++;
      literal(escaped);
    } else if (c === "*") {
      if (pattern[i + 1] === "*") {
        const atStart = i === 0 || pattern[i - 1] === "/";
        i++;
        if (atStart && pattern[i + 1] === "/") {
          i++;
          out().push({ kind: "segments" });
        } else out().push({ kind: "star", accepts: anyChar });
      } else out().push({ kind: "star", accepts: notSlash });
    } else if (c === "?") out().push({ kind: "char", accepts: notSlash });
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) throw new SyntaxError(`unterminated [ at offset ${i}`);
      out().push({ kind: "char", accepts: charClass(pattern.slice(i + 1, end), i) });
      i = end;
    } else if (c === "{") {
      open.push({ branches: [], current: [] });
    } else if (c === "}" && open.length > 0) {
      const group = open.pop()!;
      out().push({ kind: "alternatives", branches: [...group.branches, group.current] });
    } else if (c === "," && open.length > 0) {
      const group = open.at(-1)!;
      group.branches.push(group.current);
      group.current = [];
    } else {
      const cp = pattern.codePointAt(i)!;
      if (cp > 0xffff) i++;
      literal(cp);
    }
  }
  if (open.length > 0) throw new SyntaxError("unterminated {");
  return top;
}

/** Builds the automaton for `tokens`, each part continuing at state `next`; returns its start. */
function build(tokens: readonly Token[], next: number, states: State[]): number {
  const add = (state: State) => states.push(state) - 1;
  for (let t = tokens.length - 1; t >= 0; t--) {
    const token = tokens[t]!;
    switch (token.kind) {
      case "char":
        next = add({ kind: "char", accepts: token.accepts, next });
        break;
      case "star": {
        const loop = add({ kind: "split", next: [] });
        const step = add({ kind: "char", accepts: token.accepts, next: loop });
        (states[loop] as { next: number[] }).next = [step, next];
        next = loop;
        break;
      }
      case "segments": {
        const loop = add({ kind: "split", next: [] });
        const any = add({ kind: "char", accepts: anyChar, next: loop });
        const slash = add({ kind: "char", accepts: (c) => c === SLASH, next });
        (states[loop] as { next: number[] }).next = [any, slash];
        next = add({ kind: "split", next: [next, loop] });
        break;
      }
      case "alternatives":
        next = add({ kind: "split", next: token.branches.map((branch) => build(branch, next, states)) });
        break;
    }
  }
  return next;
}

/**
 * Compiles a glob pattern.
 *
 * @throws SyntaxError for an unterminated `[`, `{` or trailing `\`, or a character range
 * out of order (`[z-a]`).
 */
export function compileGlob(pattern: string): Glob {
  const states: State[] = [{ kind: "match" }];
  const start = build(tokenize(pattern), 0, states);
  // Which states were added in the current step, so each is visited once per character.
  const mark = new Uint32Array(states.length);
  let generation = 0;

  const closure = (from: readonly number[]): number[] => {
    generation++;
    const out: number[] = [];
    const stack = [...from];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (mark[s] === generation) continue;
      mark[s] = generation;
      const state = states[s]!;
      if (state.kind === "split") for (let k = state.next.length - 1; k >= 0; k--) stack.push(state.next[k]!);
      else out.push(s);
    }
    return out;
  };

  const match = (path: string): boolean => {
    let current = closure([start]);
    for (const ch of path) {
      if (current.length === 0) return false;
      const c = ch.codePointAt(0)!;
      const next: number[] = [];
      for (const s of current) {
        const state = states[s]!;
        if (state.kind === "char" && state.accepts(c)) next.push(state.next);
      }
      current = closure(next);
    }
    return current.includes(0);
  };
  return { pattern, match };
}
