/** Only headers with this prefix may be set by the server or the environment. */
const ALLOWED_PREFIX = "Buildkite-";
const ENV_PREFIX = "BUILDKITE_REQUEST_HEADER_";

/** Header name characters Go accepts (RFC 7230 `tchar`); other names are left as they are. */
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's `http.CanonicalHeaderKey`: the first letter and every letter after a `-`
 * upper-case, the rest lower-case (`BUILDKITE-FOO` → `Buildkite-Foo`). A name
 * with a character outside the header-token set is returned unchanged.
 */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN_CHARS.test(name)) return name;
  let upper = true;
  let out = "";
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === "-";
  }
  return out;
}

/**
 * The `Buildkite-*` request headers carried in the environment: every variable
 * `BUILDKITE_REQUEST_HEADER_<X>` becomes header `<X>` with `_` → `-`,
 * canonicalised (`BUILDKITE_REQUEST_HEADER_BUILDKITE_FOO_BAR=1` →
 * `Buildkite-Foo-Bar: 1`), kept only if it then starts with `Buildkite-`. This is
 * how the agent hands its server-specified headers to the job's subcommands
 * (see {@link requestHeadersToEnv}). Pure: pass `process.env` yourself.
 */
export function requestHeadersFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(ENV_PREFIX)) continue;
    const key = canonicalHeaderKey(name.slice(ENV_PREFIX.length).replaceAll("_", "-"));
    if (key.startsWith(ALLOWED_PREFIX)) headers[key] = value;
  }
  return Object.freeze(headers);
}

/**
 * The environment variables that carry `headers` to a job, the inverse of
 * {@link requestHeadersFromEnv}: `Buildkite-Agent-Session` →
 * `BUILDKITE_REQUEST_HEADER_BUILDKITE_AGENT_SESSION` (upper-case, `-` → `_`).
 */
export function requestHeadersToEnv(headers: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    env[`${ENV_PREFIX}${name.toUpperCase().replaceAll("-", "_")}`] = value;
  }
  return env;
}

/**
 * The headers a register or ping response asks for, keeping only names that start
 * with `Buildkite-` (case-sensitive, as the real agent checks before canonicalising).
 * Go's `Header.Set` canonicalises the kept names.
 */
export function serverRequestHeaders(
  headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(ALLOWED_PREFIX)) kept[canonicalHeaderKey(name)] = value;
  }
  return Object.freeze(kept);
}
