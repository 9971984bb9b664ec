import type { EnvVar, MatchRedactedVars } from "../src/index.js";

// A stand-in for @agent/log-redactor's matchRedactedVars (Go path.Match on whole names,
// values of at least 6 bytes), which apps/agent passes in. Kept minimal: `*`, `?`, literals.
export function redactedVarsMatcher(patterns: readonly string[]): MatchRedactedVars {
  const regexps = patterns.map(
    (p) => new RegExp(`^${p.replace(/[\\^$.+()[\]{}|/-]/g, "\\$&").replaceAll("*", "[^/]*").replaceAll("?", "[^/]")}$`),
  );
  return (vars: readonly EnvVar[]) => {
    const matched: EnvVar[] = [];
    const short: string[] = [];
    for (const v of vars) {
      if (!regexps.some((r) => r.test(v.name)) || v.value === "") continue;
      if (Buffer.byteLength(v.value) < 6) short.push(v.name);
      else matched.push(v);
    }
    return { matched, short };
  };
}
