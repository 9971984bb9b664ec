/** Bytes Go's `url.PathEscape` leaves alone: unreserved characters plus `$&+:=@`. */
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+:=@]/;
/** Bytes Go's `url.QueryEscape` leaves alone (space becomes `+`). */
const QUERY_SAFE = /[A-Za-z0-9\-_.~]/;

function escapeBytes(text: string, safe: RegExp, spaceAsPlus: boolean): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && safe.test(ch)) out += ch;
    else if (spaceAsPlus && byte === 0x20) out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Escapes an ID or key for one path segment the way the real agent does: Go's
 * `url.PathEscape`, then every `.` becomes `%2E`, because Rails would otherwise
 * read a dot in a segment as a format suffix (`jobs/a.b` → `jobs/a%2Eb`).
 */
export function railsPathEscape(segment: string): string {
  return escapeBytes(segment, PATH_SAFE, false).replaceAll(".", "%2E");
}

/**
 * A query string as Go's `url.Values.Encode` writes it: keys sorted, each key and
 * value `QueryEscape`d (space → `+`, `*` and `/` escaped, unlike `URLSearchParams`).
 */
export function goQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${escapeBytes(key, QUERY_SAFE, true)}=${escapeBytes(params[key]!, QUERY_SAFE, true)}`)
    .join("&");
}

/**
 * Joins the endpoint and a relative path as the real agent does: the endpoint
 * without trailing `/`, one `/`, the path without leading `/`.
 */
export function joinUrlPath(endpoint: string, path: string): string {
  return `${endpoint.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
