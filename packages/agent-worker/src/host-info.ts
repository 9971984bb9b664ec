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

/**
 * Feature words reported at registration (agent-api.md §2.3), in the order of the
 * agent's `Features()`: `[]` with `noFeatureReporting`. `streaming-pings` and
 * `datadog-metrics` are never sent: this agent polls and has no Datadog metrics.
 * `env-http-proxy`/`env-godebug` look at the agent environment passed as `env`.
 */
export function features(options: ResolvedOptions): string[] {
  if (options.noFeatureReporting) return [];
  const words: string[] = [];
  if (options.gitMirrorsPath !== "") words.push("git-mirrors");
  if (options.acquireJob !== "") words.push("acquire-job");
  if (options.tracing.backend === "datadog") words.push("datadog-tracing");
  if (options.tracing.backend === "opentelemetry") words.push("opentelemetry-tracing");
  if (options.tracing.propagateTraceparent) words.push("propagate-traceparent");
  // Not `control-plane-otlp-tracing`, which the Go agent always sends: this agent does
  // not hand the register answer's exporter to jobs, so it must not claim to.
  if (options.disconnectAfterJob) words.push("disconnect-after-job");
  if (options.disconnectAfterIdleTimeout > 0) words.push("disconnect-after-idle");
  if (options.disconnectAfterUptime > 0) words.push("disconnect-after-uptime");
  if (!options.pluginsEnabled) words.push("no-plugins");
  if (!options.commandEval) words.push("no-script-eval");
  if (options.noHttp2) words.push("no-http2");
  if (options.allowedRepositories.length > 0) words.push("allowed-repositories");
  if (options.allowedPlugins.length > 0) words.push("allowed-plugins");
  for (const experiment of options.experiments) words.push(`experiment-${experiment}`);
  // Go's envHasKey: set at all, even to "".
  if ("HTTP_PROXY" in options.env || "http_proxy" in options.env) words.push("env-http-proxy");
  if ("GODEBUG" in options.env) words.push("env-godebug");
  return words;
}
