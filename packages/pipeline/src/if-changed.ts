import { compileGlob, type Glob } from "./glob.js";
import { isMapping, sortedKeys } from "./object-keys.js";
import type { Pipeline } from "./parse-pipeline.js";
import { inferStepKind, unknownSteps, type PipelineStep } from "./step-decode.js";
import { goTypeName } from "./go-type-name.js";

/** The `skip` text the agent (v3.137.0) gives a step whose `if_changed` matched nothing. */
export const IF_CHANGED_SKIP_MESSAGE = "if_changed matched no unexcluded changed files in this build";

/** Options of {@link filterIfChanged}. */
export interface FilterIfChangedOptions {
  /**
   * Apply `if_changed` (the agent's `--apply-if-changed`, default on). When false, or when
   * `changedFiles` is `undefined` (they could not be determined), the keys are only removed.
   * @default true
   */
  readonly apply?: boolean;
}

/** The result of {@link filterIfChanged}. */
export interface FilterIfChangedResult {
  readonly pipeline: Pipeline;
  /** Paths (`steps[1]`) of the steps that were given a `skip`. */
  readonly skipped: readonly string[];
  /** The agent's warnings for `if_changed` values it cannot use (the step is then not skipped). */
  readonly warnings: readonly string[];
}

function patterns(value: unknown): Glob[] | string {
  if (value === null || value === undefined) return [];
  const list: string[] = [];
  if (typeof value === "string") list.push(value);
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      if (typeof item !== "string") return `at index ${i}, the item had unsupported type ${goTypeName(item)}`;
      list.push(item);
    }
  } else return `the value had unsupported type ${goTypeName(value)}`;
  const globs: Glob[] = [];
  for (const p of list) {
    try {
      globs.push(compileGlob(p));
    } catch (error) {
      return `while parsing glob pattern "${p}": ${(error as Error).message}`;
    }
  }
  return globs;
}

/**
 * Applies `if_changed` to command, group (recursively) and trigger steps as `pipeline
 * upload` does (cli.md §6 step 8): the value is a glob, a list of globs, or `{include,
 * exclude}` (each a glob or a list); a step where no changed file is included and not
 * excluded gets `skip: "if_changed matched no unexcluded changed files in this build"`.
 * The `if_changed` key is always removed. Unusable values are reported in `warnings` and
 * the step is not skipped. Returns a new pipeline.
 *
 * @param changedFiles the build's changed paths (git's `/` form), or `undefined` when they
 * could not be determined (then nothing is skipped, as in the agent).
 */
export function filterIfChanged(
  pipeline: Pipeline,
  changedFiles: readonly string[] | undefined,
  options?: FilterIfChangedOptions,
): FilterIfChangedResult {
  const apply = (options?.apply ?? true) && changedFiles !== undefined;
  const skipped: string[] = [];
  const warnings: string[] = [];

  const decide = (value: unknown): boolean => {
    let include: Glob[];
    let exclude: Glob[] = [];
    if (isMapping(value)) {
      if (!Object.hasOwn(value, "include")) {
        warnings.push("The value for if_changed was a mapping, but it didn't have an `include` key. The step will not be skipped.");
        return false;
      }
      const inc = patterns(value["include"]);
      if (typeof inc === "string") {
        warnings.push(`Couldn't parse if_changed.include patterns: ${inc}. The step will not be skipped.`);
        return false;
      }
      include = inc;
      if (Object.hasOwn(value, "exclude")) {
        const exc = patterns(value["exclude"]);
        if (typeof exc === "string") {
          warnings.push(`Couldn't parse if_changed.exclude patterns: ${exc}. The step will not be skipped.`);
          return false;
        }
        exclude = exc;
      }
    } else {
      const inc = patterns(value);
      if (typeof inc === "string") {
        warnings.push(`Couldn't parse if_changed patterns: ${inc}. The step will not be skipped.`);
        return false;
      }
      include = inc;
    }
    const wanted = changedFiles!.some((path) => !exclude.some((g) => g.match(path)) && include.some((g) => g.match(path)));
    return !wanted;
  };

  const walk = (steps: readonly PipelineStep[], prefix: string): PipelineStep[] =>
    steps.map((step, i) => {
      if (typeof step === "string") return step;
      const kind = unknownSteps.has(step) ? undefined : inferStepKind(step);
      // `if_changed` belongs to command, group and trigger steps only; others keep the key.
      if (kind !== "command" && kind !== "group" && kind !== "trigger") return step;
      const out: Record<string, unknown> = { ...step };
      if (kind === "group" && Array.isArray(out["steps"])) out["steps"] = walk(out["steps"] as PipelineStep[], `${prefix}[${i}].steps`);
      const value = out["if_changed"];
      delete out["if_changed"];
      if (value === null || value === undefined || !apply) return out;
      if (decide(value)) {
        out["skip"] = IF_CHANGED_SKIP_MESSAGE;
        skipped.push(`${prefix}[${i}]`);
      }
      // These steps are Go maps on the wire: keys sorted.
      return sortedKeys(out);
    });

  return { pipeline: { ...pipeline, steps: walk(pipeline.steps, "steps") }, skipped, warnings };
}

/** Flags of `pipeline upload` that choose the diff base. */
export interface DiffBaseFlags {
  /** `--git-diff-base` (`BUILDKITE_GIT_DIFF_BASE`). */
  readonly gitDiffBase?: string;
}

/**
 * The git ref `if_changed` diffs against, in the agent's order: `--git-diff-base`, then
 * `origin/$BUILDKITE_PULL_REQUEST_BASE_BRANCH`, `origin/$BUILDKITE_PIPELINE_DEFAULT_BRANCH`,
 * then `origin/main` (empty values are skipped). The first entry is the one to use; the
 * rest show why. Running git is the caller's job.
 */
export function diffBaseCandidates(env: Readonly<Record<string, string | undefined>>, flags?: DiffBaseFlags): string[] {
  const out: string[] = [];
  if (flags?.gitDiffBase) out.push(flags.gitDiffBase);
  for (const name of ["BUILDKITE_PULL_REQUEST_BASE_BRANCH", "BUILDKITE_PIPELINE_DEFAULT_BRANCH"]) {
    const branch = env[name];
    if (branch) out.push(`origin/${branch}`);
  }
  out.push("origin/main");
  return out;
}
