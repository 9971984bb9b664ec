import { posix } from "node:path";
import { goTypeName } from "./go-type-name.js";
import { isMapping, setKey, sortedKeys } from "./object-keys.js";

/** Go `url.PathUnescape`/fragment unescape: `%XX` must be hex; bytes are kept as UTF-8. */
function unescape(text: string): string | undefined {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  const raw = Buffer.from(text, "utf8");
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x25) {
      bytes.push(raw[i]!);
      continue;
    }
    const hex = raw.toString("latin1", i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go `path.Join` (cleaned, no trailing slash). */
function goJoin(...parts: string[]): string {
  const joined = posix.join(...parts);
  return joined.length > 1 ? joined.replace(/\/+$/, "") : joined;
}

/**
 * The full source `pipeline upload` sends for a plugin source as written (go-pipeline
 * `Plugin.FullSource`, plugins.md §1): `docker#v5` →
 * `github.com/buildkite-plugins/docker-buildkite-plugin#v5`, `org/name#v1` →
 * `github.com/org/name-buildkite-plugin#v1`. Local paths (`/`, `.`, `\`), sources with a URL
 * scheme or that do not parse as a URL (`git@host:org/repo`), and paths of three or more
 * segments are returned unchanged. Idempotent.
 */
export function canonicalPluginSource(source: string): string {
  if (source === "") return "";
  if (/^[/.\\]/.test(source)) return source;
  // Go's url.Parse refuses ASCII control characters.
  if (/[\x00-\x1f\x7f]/.test(source)) return source;
  const hash = source.indexOf("#");
  let rest = hash === -1 ? source : source.slice(0, hash);
  const fragment = hash === -1 ? "" : unescape(source.slice(hash + 1));
  if (fragment === undefined) return source;
  // A scheme (or a leading ":", which url.Parse rejects) leaves the source alone.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(rest);
  if (scheme || rest.startsWith(":")) return source;
  const query = rest.indexOf("?");
  if (query !== -1) rest = rest.slice(0, query);
  const firstSegment = rest.split("/")[0]!;
  if (firstSegment.includes(":")) return source; // "first path segment in URL cannot contain colon"
  const path = unescape(rest);
  if (path === undefined) return source;
  const segments = path.replace(/^\//, "").split("/");
  const last = (name: string) => `${name}-buildkite-plugin${fragment === "" ? "" : `#${fragment}`}`;
  if (segments.length === 1) return goJoin("github.com", "buildkite-plugins", last(segments[0]!));
  if (segments.length === 2) return goJoin("github.com", segments[0]!, last(segments[1]!));
  return source;
}

/** Go's JSON form of a plugin config: maps with sorted keys at every depth. */
function goMapRecursive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(goMapRecursive);
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(sortedKeys(value))) setKey(out, k, goMapRecursive(v));
    return out;
  }
  return value;
}

/**
 * One plugin of a command step, as parsed: the source exactly as written (interpolation
 * runs on it before it is expanded) and its configuration. It serialises (`toJSON`) to what
 * `pipeline upload` sends: `{"<full source>": config}`, with `null` for no config and for
 * an empty mapping or list.
 */
export class PipelinePlugin {
  /** The source as written, e.g. `docker#v5.12.0`. */
  readonly source: string;
  /** The configuration (a mapping, usually), or `null`. */
  readonly config: unknown;

  constructor(source: string, config: unknown) {
    this.source = source;
    this.config = config === undefined ? null : config;
  }

  /** {@link canonicalPluginSource} of {@link source}. */
  get fullSource(): string {
    return canonicalPluginSource(this.source);
  }

  /** The upload form, `{"<full source>": config|null}`. */
  toJSON(): Record<string, unknown> {
    let config = this.config;
    if (Array.isArray(config) && config.length === 0) config = null;
    if (isMapping(config) && Object.keys(config).length === 0) config = null;
    const out: Record<string, unknown> = {};
    setKey(out, this.fullSource, goMapRecursive(config));
    return out;
  }
}

/**
 * Reads a step's `plugins` as written — a list of one-key (or several-key) mappings and bare
 * strings, or one mapping — into {@link PipelinePlugin}s in order (go-pipeline
 * `Plugins.UnmarshalOrdered`). Sources are not expanded here. `undefined` for `null`.
 *
 * @throws TypeError for any other shape (the caller turns it into a warning, as go-pipeline does).
 */
export function readPlugins(value: unknown): PipelinePlugin[] | undefined {
  if (value === null || value === undefined) return undefined;
  const out: PipelinePlugin[] = [];
  const fromMap = (map: Record<string, unknown>) => {
    for (const [source, config] of Object.entries(map)) out.push(new PipelinePlugin(source, config));
  };
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === "string") out.push(new PipelinePlugin(item, null));
      else if (isMapping(item)) fromMap(item);
      else throw new TypeError(`unmarshaling plugins: plugin type ${goTypeName(item)}, want *ordered.Map[string, any] or string`);
    }
    return out;
  }
  if (isMapping(value)) {
    fromMap(value);
    return out;
  }
  throw new TypeError(`unmarshaling plugins: got ${goTypeName(value)}, want []any or *ordered.Map[string, any]`);
}
