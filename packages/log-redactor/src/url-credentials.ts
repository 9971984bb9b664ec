const SCHEME_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Go net/url validUserinfo: unreserved, sub-delims, ':', '%' and '@'.
const USERINFO = /^[A-Za-z0-9\-._~!$&'()*+,;=:%@]*$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const CONTROL = /[\x00-\x1f\x7f]/;

/** The mask Go's `url.URL.Redacted` puts in place of a password. */
export const URL_PASSWORD_MASK = "xxxxx";

/** The text shown for a `scheme://` URL that does not parse (upstream redact.URLCredentials). */
export const INVALID_URL = "(invalid URL)";

/**
 * Where the authority of a URL-like string starts and ends, or undefined when it
 * has none (scp-style `git@host:path`, relative paths, `mailto:` and the like).
 */
function authorityOf(url: string): { start: number; end: number } | undefined {
  let start: number;
  if (url.startsWith("//")) start = 2;
  else if (SCHEME_AUTHORITY.test(url)) start = url.indexOf("://") + 3;
  else return undefined;
  let end = url.length;
  for (const stop of ["/", "?", "#"]) {
    const at = url.indexOf(stop, start);
    if (at >= 0 && at < end) end = at;
  }
  return { start, end };
}

/** Whether Go's `url.Parse` would reject the string (the checks that matter for credentials). */
function unparsable(url: string, authority: { start: number; end: number } | undefined): boolean {
  if (CONTROL.test(url)) return true;
  if (authority === undefined) {
    // Go rejects a schemeless reference whose first segment has a colon.
    if (!SCHEME.test(url)) {
      const firstSegment = url.split(/[/?#]/, 1)[0]!;
      if (firstSegment.includes(":")) return true;
    }
    return false;
  }
  const text = url.slice(authority.start, authority.end);
  const at = text.lastIndexOf("@");
  if (at >= 0 && !USERINFO.test(text.slice(0, at))) return true;
  const host = text.slice(at + 1);
  if (BAD_ESCAPE.test(text)) return true;
  if (host.startsWith("[")) return !/^\[[^\]]*\](?::\d*)?$/.test(host);
  const colon = host.lastIndexOf(":");
  return colon >= 0 && !/^\d*$/.test(host.slice(colon + 1));
}

/**
 * Masks a password embedded in a URL, as the agent shows repository and mirror URLs
 * (upstream internal/redact `URLCredentials`, Go `url.Redacted`):
 * `https://user:secret@host/x` → `https://user:xxxxx@host/x`. A URL without a
 * password (no user info, or a user only) is returned unchanged, as is anything that
 * is not a `scheme://` URL and does not parse (scp-style `git@host:path`). A
 * `scheme://` URL that does not parse becomes `(invalid URL)`, so a malformed URL
 * cannot leak its credentials. Only the password is rewritten; the rest of the text
 * is kept as given.
 */
export function redactUrlCredentials(url: string): string {
  const authority = authorityOf(url);
  if (unparsable(url, authority)) return SCHEME_AUTHORITY.test(url) ? INVALID_URL : url;
  if (authority === undefined) return url;
  const text = url.slice(authority.start, authority.end);
  const at = text.lastIndexOf("@");
  if (at < 0) return url;
  const colon = text.indexOf(":");
  if (colon < 0 || colon > at) return url;
  return url.slice(0, authority.start) + text.slice(0, colon + 1) + URL_PASSWORD_MASK + text.slice(at) + url.slice(authority.end);
}
