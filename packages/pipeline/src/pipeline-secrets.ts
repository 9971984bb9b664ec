import { DEFAULT_REDACTED_VARS, matchRedactedVars, redactString, shortRedactedVarsWarning, type EnvVar } from "@agent/log-redactor";
import { PipelineError } from "./errors.js";
import { interpolate } from "./interpolate.js";
import { isMapping } from "./object-keys.js";
import type { Pipeline } from "./parse-pipeline.js";
import { inferStepKind, unknownSteps, type PipelineStep } from "./step-decode.js";

export type { EnvVar };

/** Options of {@link findPipelineSecrets}. */
export interface FindPipelineSecretsOptions {
  /** The agent's own environment (before the pipeline's `env:` was merged into it). */
  readonly env: Readonly<Record<string, string | undefined>> | readonly EnvVar[];
  /**
   * The `--redacted-vars` patterns (Go `path.Match`, whole names). A malformed pattern
   * matches nothing and adds the agent's warning (`Couldn't match environment variable
   * names against redacted-vars: …`), as `pipeline upload` does.
   * @default the agent's defaults (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`, …)
   */
  readonly redactedVars?: readonly string[];
  /**
   * The pipeline's name in messages.
   * @default "(stdin)"
   */
  readonly source?: string;
  /**
   * Throw when a secret is found (`--reject-secrets`) instead of returning warnings.
   * @default false
   */
  readonly reject?: boolean;
}

/** What {@link findPipelineSecrets} found. */
export interface PipelineSecretsReport {
  /** Names of the secret variables whose values are in the pipeline, sorted. */
  readonly names: readonly string[];
  /** Names matching a pattern whose values are too short to look for, sorted. */
  readonly shortNames: readonly string[];
  /** The agent's warning lines for these, in order (empty when nothing was found). */
  readonly warnings: readonly string[];
}

// A value written as just `$VAR` or `${VAR}` is filled in at job run time, so it is not a
// secret now (isPureSubstitution upstream).
function isPureSubstitution(value: string): boolean {
  if (!value.startsWith("$")) return false;
  try {
    return interpolate(value, {}) === "";
  } catch {
    return false;
  }
}

// The pipeline's env and that of command steps, in groups too (allEnvVars upstream). A
// step kept as written after a decoding error is an unknown step there, so its env is not
// looked at, whatever keys it has.
function envVarsOf(pipeline: Pipeline): EnvVar[] {
  const out: EnvVar[] = [];
  for (const [name, value] of Object.entries(pipeline.env ?? {})) out.push({ name, value });
  const walk = (steps: readonly PipelineStep[]) => {
    for (const step of steps) {
      if (typeof step === "string" || unknownSteps.has(step)) continue;
      const kind = inferStepKind(step);
      if (kind === "group" && Array.isArray(step["steps"])) walk(step["steps"] as PipelineStep[]);
      else if (kind === "command" && isMapping(step["env"])) {
        for (const [name, value] of Object.entries(step["env"])) if (typeof value === "string") out.push({ name, value });
      }
    }
  };
  walk(pipeline.steps);
  return out;
}

/**
 * Looks for secrets in a pipeline about to be uploaded, as `pipeline upload` does when
 * `--redacted-vars` is non-empty (logs-and-redaction.md §4.4): values of the agent's
 * secret-named env vars (and their Go-escaped forms) appearing anywhere in the pipeline's
 * JSON, plus pipeline or command-step `env` entries whose own name is secret-shaped (unless
 * the value is a pure `$VAR`/`${VAR}` reference). The pipeline is not modified.
 *
 * @throws PipelineError `PIPELINE_SECRETS` when `reject` is set and a secret is found, with
 * the agent's message: `pipeline "<src>" contains values interpolated from the following
 * secret environment variables: [A B], and cannot be uploaded to Buildkite`; its `warnings`
 * hold the lines the report would have had before that (short values, unmatched patterns),
 * to be printed first.
 */
export function findPipelineSecrets(pipeline: Pipeline, options: FindPipelineSecretsOptions): PipelineSecretsReport {
  const source = options.source ?? "(stdin)";
  const found = new Set<string>();
  const short = new Set<string>();

  const patterns = options.redactedVars ?? DEFAULT_REDACTED_VARS;
  const warnings: string[] = [];
  const match = (vars: readonly EnvVar[]) => {
    try {
      return matchRedactedVars(patterns, vars);
    } catch (error) {
      // The agent warns, for each of its two matches, and goes on with nothing matched.
      warnings.push(`Couldn't match environment variable names against redacted-vars: ${(error as Error).message}`);
      return { matched: [], short: [] };
    }
  };

  const declared = match(envVarsOf(pipeline).filter((v) => !isPureSubstitution(v.value)));
  for (const name of declared.short) short.add(name);
  for (const v of declared.matched) found.add(v.name);

  const envList: EnvVar[] = Array.isArray(options.env)
    ? [...(options.env as readonly EnvVar[])]
    : Object.entries(options.env as Record<string, string | undefined>).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }]));
  const runtime = match(envList);
  for (const name of runtime.short) short.add(name);

  const json = JSON.stringify(pipeline);
  for (const v of runtime.matched) {
    // The agent's replacer finds the value or its Go-escaped form (multi-line values with
    // any whitespace between their lines); anything it would redact is a secret found.
    if (!found.has(v.name) && redactString(json, [v.value], { encodedForms: false }) !== json) found.add(v.name);
  }

  const names = [...found].sort();
  const shortNames = [...short].sort();
  if (shortNames.length > 0) warnings.push(shortRedactedVarsWarning(shortNames));
  if (names.length > 0) {
    if (options.reject) {
      // The agent logs these before it fails; a caller prints them from the error.
      throw new PipelineError(
        "PIPELINE_SECRETS",
        `pipeline "${source}" contains values interpolated from the following secret environment variables: [${names.join(" ")}], and cannot be uploaded to Buildkite`,
        { warnings },
      );
    }
    warnings.push(
      `Pipeline "${source}" contains values interpolated from the following secret environment variables: [${names.join(" ")}], which could leak sensitive information into the Buildkite UI.`,
      "This pipeline will still be uploaded, but if you'd like to to prevent this from happening, you can use the `--reject-secrets` cli flag, or the `BUILDKITE_AGENT_PIPELINE_UPLOAD_REJECT_SECRETS` environment variable, which will make the `buildkite-agent pipeline upload` command fail if it finds secrets in the pipeline.",
      "The behaviour in the above flags will become default in Buildkite Agent v4",
    );
  }
  return { names, shortNames, warnings };
}
