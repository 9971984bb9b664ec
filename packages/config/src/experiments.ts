import type { ConfigWarning } from "./errors.js";

/** Experiments v3.137 knows and that still change behaviour (internal/experiments). */
export const KNOWN_EXPERIMENTS: readonly string[] = [
  "agent-api",
  "allow-artifact-path-traversal",
  "descending-spawn-priority",
  "interpolation-prefers-runtime-env",
  "normalised-upload-paths",
  "override-zero-exit-on-cancel",
  "pty-raw",
  "resolve-commit-after-checkout",
  "propagate-agent-config-vars",
  "zip-plugins",
];

/** Experiments that became standard behaviour; naming one only warns. */
export const PROMOTED_EXPERIMENTS: readonly string[] = [
  "ansi-timestamps",
  "avoid-recursive-trap",
  "flock-file-locks",
  "git-mirrors",
  "inbuilt-status-page",
  "isolated-plugin-checkout",
  "job-api",
  "polyglot-hooks",
  "use-zzglob",
];

/**
 * Warnings for the experiments a user named. Every name is still accepted and
 * passed on to jobs, as the real agent does; only the warnings differ.
 */
export function experimentWarnings(names: readonly string[]): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  for (const name of names) {
    if (name === "") continue;
    if (name === "kubernetes-exec") {
      warnings.push({
        code: "REPLACED_EXPERIMENT",
        setting: "experiment",
        message: `The experiment "kubernetes-exec" was replaced by the --kubernetes-exec flag; naming the experiment does not enable it`,
      });
    } else if (PROMOTED_EXPERIMENTS.includes(name)) {
      warnings.push({
        code: "PROMOTED_EXPERIMENT",
        setting: "experiment",
        message: `The experiment "${name}" has been promoted to a stable feature; you can safely remove it from --experiment`,
      });
    } else if (!KNOWN_EXPERIMENTS.includes(name)) {
      warnings.push({ code: "UNKNOWN_EXPERIMENT", setting: "experiment", message: `Unknown experiment "${name}"` });
    }
  }
  return warnings;
}
