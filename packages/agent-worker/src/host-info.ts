import { goArch, goOs } from "@agent/api-client";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import type { ResolvedOptions } from "./options.js";

function rawMachineId(): string {
  for (const file of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    try {
      const id = readFileSync(file, "utf8").trim();
      if (id !== "") return id;
    } catch {
      // Not on this system: try the next place, as the machineid library does.
    }
  }
  return "";
}

/**
 * The machine id the agent registers with: an HMAC-SHA256 of the OS machine id
 * keyed for the app `buildkite-agent`, so the raw id never leaves the host
 * (denisbrodbeck/machineid `ProtectedID`). `""` when the OS has none.
 */
export function protectedMachineId(): string {
  const id = rawMachineId();
  return id === "" ? "" : createHmac("sha256", id).update("buildkite-agent").digest("hex");
}

/** The multi-line OS description sent as `os` at registration. */
export function osVersionDump(): string {
  return `${os.type()} ${os.hostname()} ${os.release()} ${os.version()} ${os.machine()}`;
}

/**
 * `--tags-from-host`: `hostname=`, `os=`, `arch=` and, when known, `machine-id=`
 * with the {@link protectedMachineId} (as the agent: never the raw OS id).
 */
export function hostTags(machineId: string): string[] {
  const tags = [`hostname=${os.hostname()}`, `os=${goOs(process.platform)}`, `arch=${goArch(process.arch)}`];
  if (machineId !== "") tags.push(`machine-id=${machineId}`);
  return tags;
}

/** Feature words reported at registration, in the agent's order, for what this agent does. */
export function features(options: ResolvedOptions): string[] {
  const words: string[] = [];
  if (options.disconnectAfterJob) words.push("disconnect-after-job");
  if (options.disconnectAfterIdleTimeout > 0) words.push("disconnect-after-idle");
  if (options.disconnectAfterUptime > 0) words.push("disconnect-after-uptime");
  if (!options.pluginsEnabled) words.push("no-plugins");
  if (!options.commandEval) words.push("no-script-eval");
  if (options.allowedRepositories.length > 0) words.push("allowed-repositories");
  if (options.allowedPlugins.length > 0) words.push("allowed-plugins");
  for (const experiment of options.experiments) words.push(`experiment-${experiment}`);
  return words;
}
