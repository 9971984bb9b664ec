import { homedir } from "node:os";
import { join } from "node:path";
import { JobRunnerError } from "../errors.js";
import { runCommand, type GitContext } from "./git-command.js";
import { addKnownHost, knownHostsName } from "./known-hosts.js";
import { hostFromSshConfig, parseRepositorySshHost, stripHostAlias, type SshHost } from "./ssh-host.js";

/** What a {@link Keyscan} runs with. */
export interface KeyscanContext extends GitContext {
  /** @default `$HOME/.ssh/known_hosts` (HOME from `env()`, else the OS home directory) */
  readonly knownHostsPath?: string;
}

/**
 * Makes sure the SSH host of `repository` is in known_hosts before git connects,
 * so a first checkout does not stop at "Host key verification failed". Does
 * nothing for repositories not reached over SSH. Throws on failure; the checkout
 * only warns about it.
 */
export type Keyscan = (repository: string, context: KeyscanContext) => Promise<void>;

/** The real host behind a URL's host (an `ssh_config` alias): `ssh -G`, else drop a `-suffix`. */
async function resolveHost(host: SshHost, context: GitContext): Promise<SshHost> {
  const args = host.port === undefined ? ["-G", host.host] : ["-G", "-p", String(host.port), host.host];
  try {
    const result = await runCommand(context, "ssh", args, { capture: true });
    const resolved = result.exitCode === 0 ? hostFromSshConfig(result.output ?? "") : undefined;
    if (resolved !== undefined) return resolved;
  } catch (error) {
    if ((error as JobRunnerError).code !== "CHECKOUT_COMMAND_UNAVAILABLE") throw error;
  }
  return { ...host, host: stripHostAlias(host.host) };
}

/** Only host key lines of `ssh-keyscan` output (its `#` banners and errors share the capture). */
function keyLines(output: string): string {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && line.split(/\s+/).length >= 3)
    .join("\n");
}

/**
 * The default {@link Keyscan}: resolves the host with `ssh -G` (honouring
 * ~/.ssh/config), and unless known_hosts already lists it (plain or hashed),
 * appends `ssh-keyscan [-p port] host` under a lock on `known_hosts.lock`.
 */
export const sshKeyscan: Keyscan = async (repository, context) => {
  const parsed = parseRepositorySshHost(repository);
  if (parsed === undefined) return;
  const host = await resolveHost(parsed, context);
  const name = knownHostsName(host);
  const path = context.knownHostsPath ?? join(context.env()["HOME"] ?? homedir(), ".ssh", "known_hosts");
  const outcome = await addKnownHost(path, host, {
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    scan: async () => {
      const args = host.port === undefined ? [host.host] : ["-p", String(host.port), host.host];
      const result = await runCommand(context, "ssh-keyscan", args, { capture: true });
      const keys = keyLines(result.output ?? "");
      if (result.exitCode !== 0 || keys === "") {
        throw new JobRunnerError("CHECKOUT_KNOWN_HOSTS", `ssh-keyscan ${args.join(" ")} found no host key (exit ${result.exitCode})`);
      }
      return keys;
    },
  });
  context.log.comment(
    outcome === "present" ? `Host "${name}" already in list of known hosts at "${path}"` : `Added host "${name}" to known hosts at "${path}"`,
  );
};
