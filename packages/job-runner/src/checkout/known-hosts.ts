import { createHmac } from "node:crypto";
import { appendFile, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { JobRunnerError } from "../errors.js";
import { lockFile } from "../file-lock.js";
import { silentLogger, type Logger } from "../logger.js";
import type { SshHost } from "./ssh-host.js";

/** How `host` is written in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: SshHost): string {
  return host.port === undefined || host.port === 22 ? host.host : `[${host.host}]:${host.port}`;
}

function hashedNameMatches(pattern: string, name: string): boolean {
  // `|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>` (HashKnownHosts yes).
  const parts = pattern.split("|");
  if (parts.length !== 4 || parts[1] !== "1") return false;
  const salt = Buffer.from(parts[2]!, "base64");
  return createHmac("sha1", salt).update(name).digest("base64") === parts[3];
}

/**
 * Whether known_hosts text has a key line for `name` (from {@link knownHostsName}):
 * plain or hashed host names; `@revoked`/`@cert-authority` lines and comments do
 * not count. Wildcard patterns are not expanded.
 */
export function knownHostsContains(content: string, name: string): boolean {
  for (const raw of content.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("@")) continue;
    const fields = line.split(/\s+/);
    if (fields.length < 3) continue;
    for (const pattern of fields[0]!.split(",")) {
      if (pattern === name || hashedNameMatches(pattern, name)) return true;
    }
  }
  return false;
}

/** Options for {@link addKnownHost}. */
export interface AddKnownHostOptions {
  /** Produces known_hosts lines for the host (`ssh-keyscan` output). */
  readonly scan: () => Promise<string>;
  /** Waiting for the lock longer than this fails. @default 30000 (as the real agent) */
  readonly lockTimeoutMs?: number;
  /** Stops waiting for the lock; the call then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Told when the lock is lost while held. @default silent */
  readonly logger?: Logger;
}

/**
 * Adds `host` to the known_hosts file at `path` unless it is already there,
 * holding `<path>.lock` so parallel jobs do not append the same host twice.
 * Creates the file (0600) and its directory (0700) when missing.
 *
 * @returns `"present"` when the host was already known, `"added"` otherwise.
 * @throws JobRunnerError `CHECKOUT_KNOWN_HOSTS` when the lock, the scan or the write fails;
 *   `signal.reason` when aborted while waiting for the lock.
 */
export async function addKnownHost(path: string, host: SshHost, options: AddKnownHostOptions): Promise<"present" | "added"> {
  const name = knownHostsName(host);
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await (await open(path, "a", 0o600)).close();
  } catch (cause) {
    throw new JobRunnerError("CHECKOUT_KNOWN_HOSTS", `Cannot create the known_hosts file ${path}: ${(cause as Error).message}`, { cause });
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  let release: () => Promise<void>;
  try {
    // 100 ms steps keep the wait short without spinning.
    release = await lockFile(path, {
      lockfilePath: `${path}.lock`,
      timeoutMs: lockTimeoutMs,
      pollMs: 100,
      onCompromised: (error) => (options.logger ?? silentLogger).warn("known_hosts lock compromised", { path, error: error.message }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (cause) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw new JobRunnerError("CHECKOUT_KNOWN_HOSTS", `Cannot lock ${path}.lock within ${lockTimeoutMs} ms: ${(cause as Error).message}`, { cause });
  }
  try {
    if (knownHostsContains(await readFile(path, "utf8"), name)) return "present";
    options.signal?.throwIfAborted();
    const scanned = (await options.scan()).trim();
    if (scanned === "") throw new JobRunnerError("CHECKOUT_KNOWN_HOSTS", `ssh-keyscan returned no host key for ${name}`);
    await appendFile(path, `${scanned}\n`);
    return "added";
  } catch (cause) {
    if (cause instanceof JobRunnerError) throw cause;
    throw new JobRunnerError("CHECKOUT_KNOWN_HOSTS", `Cannot add ${name} to ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    await release().catch(() => undefined);
  }
}
