/**
 * The artifact search `query` as a matcher. `*` matches any run of characters,
 * `/` included, so `*` finds every artifact and `*.log` finds logs at any depth, as
 * `buildkite-agent artifact download "*" .` relies on; `?` matches one character.
 * Everything else is literal.
 */
export function artifactQueryMatcher(query: string): (path: string) => boolean {
  let source = "";
  for (const ch of query) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const pattern = new RegExp(`^${source}$`, "s");
  return (path) => pattern.test(path);
}
