import { goQuote } from "@agent/log-redactor";

/**
 * A plugin source split the way the real agent splits it: Go's `net/url.Parse`.
 * We follow Go rather than WHATWG `URL` because the two disagree on exactly the
 * inputs plugins use: scheme-less `github.com/org/repo#v1` (a path to Go, an
 * error to WHATWG), relative `./vendored` paths, and percent-decoding of paths.
 */
export interface SourceUrl {
  /** Lower-cased scheme, `""` when none. */
  readonly scheme: string;
  readonly host: string;
  /** The decoded path. */
  readonly path: string;
  readonly fragment: string;
  /** The `user[:password]` part as written, `undefined` when there is none. */
  readonly userinfo: string | undefined;
}

/** Thrown by {@link parseSourceUrl}; `message` is Go's `parse "<url>": <reason>`. */
export class SourceUrlError extends Error {
  override readonly name = "SourceUrlError";
}

type Mode = "path" | "host" | "fragment";

function unescape(text: string, mode: Mode): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const char = text[i] as string;
    if (char === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`invalid URL escape "${goQuote(text.slice(i, i + 3))}"`);
      // Go only allows escapes in a host for non-ASCII bytes (and %25 in zones).
      if (mode === "host" && parseInt(hex[0] as string, 16) < 8 && hex !== "25") {
        throw new Error(`invalid URL escape "${goQuote(text.slice(i, i + 3))}"`);
      }
      bytes.push(parseInt(hex, 16));
      i += 3;
      continue;
    }
    if (mode === "host" && char.charCodeAt(0) < 0x80 && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(char)) {
      throw new Error(`invalid character "${goQuote(char)}" in host name`);
    }
    const code = text.codePointAt(i) ?? 0;
    const encoded = Buffer.from(String.fromCodePoint(code), "utf8");
    bytes.push(...encoded);
    i += code > 0xffff ? 2 : 1;
  }
  return Buffer.from(bytes).toString("utf8");
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const end = host.lastIndexOf("]");
    if (end < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(end + 1);
    if (!/^(:[0-9]*)?$/.test(colonPort)) throw new Error(`invalid port "${goQuote(colonPort)}" after host`);
    return unescape(host, "host");
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0) {
    const colonPort = host.slice(colon);
    if (!/^:[0-9]*$/.test(colonPort)) throw new Error(`invalid port "${goQuote(colonPort)}" after host`);
  }
  return unescape(host, "host");
}

function getScheme(raw: string): [scheme: string, rest: string] {
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (/[A-Za-z]/.test(char)) continue;
    if (/[0-9+\-.]/.test(char)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (char === ":") {
      if (i === 0) throw new Error("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function parseReference(raw: string): Omit<SourceUrl, "fragment"> {
  // Go rejects exactly these bytes (net/url stringContainsCTLByte).
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error("net/url: invalid control character in URL");
  let [scheme, rest] = getScheme(raw);
  scheme = scheme.toLowerCase();
  const query = rest.indexOf("?");
  if (query >= 0) rest = rest.slice(0, query);
  let host = "";
  let userinfo: string | undefined;
  if (!rest.startsWith("/")) {
    // An opaque URL (`mailto:x`, `my:plugin`) has no host or path.
    if (scheme !== "") return { scheme, host: "", path: "", userinfo: undefined };
    if ((rest.split("/")[0] ?? "").includes(":")) throw new Error("first path segment in URL cannot contain colon");
  }
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf("@");
    host = parseHost(authority.slice(at + 1));
    if (at >= 0) {
      userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new Error("net/url: invalid userinfo");
    }
  }
  return { scheme, host, path: unescape(rest, "path"), userinfo };
}

/**
 * Splits a plugin source as Go's `url.Parse` does. Throws {@link SourceUrlError}
 * with Go's message, e.g. `parse "git@github.com:org/x": first path segment in URL cannot contain colon`.
 */
export function parseSourceUrl(source: string): SourceUrl {
  const hash = source.indexOf("#");
  const reference = hash < 0 ? source : source.slice(0, hash);
  let parsed: Omit<SourceUrl, "fragment">;
  try {
    parsed = parseReference(reference);
  } catch (error) {
    throw new SourceUrlError(`parse "${goQuote(reference)}": ${(error as Error).message}`);
  }
  let fragment = "";
  if (hash >= 0) {
    try {
      fragment = unescape(source.slice(hash + 1), "fragment");
    } catch (error) {
      throw new SourceUrlError(`parse "${goQuote(source)}": ${(error as Error).message}`);
    }
  }
  return { ...parsed, fragment };
}
