/** The SSH server a repository URL points at. */
export interface SshHost {
  /** Host name (or `ssh_config` alias) as written in the URL. */
  readonly host: string;
  /** Port, when the URL names one. */
  readonly port?: number;
}

const HAS_SCHEME = /^[^:]+:\/\//;
// `[user@]host:path`, the scp-like form git accepts; a one-letter "host" is a
// Windows drive (`C:\repo`), so at least two characters.
const SCP_LIKE = /^(?:[^@]+@)?([^:]{2,}):\/?(.+)$/;

/**
 * The SSH host of a git repository URL (`git@github.com:acme/app.git`,
 * `ssh://git@host:2222/app.git`, `git+ssh://…`), or `undefined` when the URL is
 * not reached over SSH (https, file paths), so no keyscan is needed.
 */
export function parseRepositorySshHost(repository: string): SshHost | undefined {
  if (!HAS_SCHEME.test(repository)) {
    const scp = SCP_LIKE.exec(repository);
    return scp === null ? undefined : { host: scp[1]! };
  }
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== "ssh" && scheme !== "git+ssh" && scheme !== "ssh+git") return undefined;
  if (url.hostname === "") return undefined;
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return url.port === "" ? { host } : { host, port: Number(url.port) };
}

/**
 * The real host and port from `ssh -G <host>` output (its `hostname` and `port`
 * lines), which honours `~/.ssh/config` aliases; `undefined` when there is no
 * `hostname` line (old ssh without `-G`).
 */
export function hostFromSshConfig(output: string): SshHost | undefined {
  let hostname: string | undefined;
  let port: number | undefined;
  for (const line of output.split("\n")) {
    const space = line.indexOf(" ");
    if (space < 0) continue;
    const key = line.slice(0, space);
    const value = line.slice(space + 1).trim();
    if (key === "hostname" && hostname === undefined) hostname = value;
    else if (key === "port" && port === undefined && /^\d+$/.test(value)) port = Number(value);
  }
  if (hostname === undefined || hostname === "") return undefined;
  return port === undefined || port === 22 ? { host: hostname } : { host: hostname, port };
}

// Buildkite's documented multi-key trick: `git@github.com-myorg:…` with a
// matching `Host github.com-myorg` in ~/.ssh/config. Without `ssh -G` we can
// only guess the real host by dropping the suffix, as the real agent does.
const HOST_ALIAS_SUFFIX = /-[a-z0-9-]+$/;

/** `github.com-custom-key` → `github.com`: the fallback when `ssh -G` is unavailable. */
export function stripHostAlias(host: string): string {
  return host.replace(HOST_ALIAS_SUFFIX, "");
}
