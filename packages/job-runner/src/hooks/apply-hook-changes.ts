import { goQuote } from "@agent/log-redactor";
import type { Environment } from "../environment.js";
import type { JobLog } from "../job-log.js";
import { isChangeAllowed, type CheckoutOverrideMode } from "../protected-env.js";
import { SETTING_VARS } from "../executor/settings.js";
import { changedNames, withoutNames, type EnvChanges } from "./env-changes.js";

/**
 * The executor settings re-read from the environment after every hook
 * (job-executor.md §4.4; internal/job/config.go): a hook changing one of these
 * changes how the job runs, so the log shows its new value. Derived from the
 * settings table the executor re-reads them with.
 */
export const EXECUTOR_SETTING_VARS: ReadonlySet<string> = new Set(SETTING_VARS.map(([name]) => name));

// A private key is an executor setting, but its value must not reach the job
// log (the real agent prints it; default redacted-vars do not match its name).
export const VALUE_HIDDEN_SETTINGS: ReadonlySet<string> = new Set(["BUILDKITE_GIT_SSH_KEY"]);

/** Options for {@link applyHookChanges}. */
export interface ApplyHookChangesOptions {
  /** The job's checkout-override mode: `strict` also blocks the checkout-scoped vars. */
  readonly mode: CheckoutOverrideMode;
  /** Where the `# …` comments go. */
  readonly log: JobLog;
  /**
   * Names whose new value is shown in the log (`# NAME is now "v"`) rather than
   * hidden (`# NAME added`). @default {@link EXECUTOR_SETTING_VARS}
   */
  readonly executorSettingVars?: ReadonlySet<string>;
}

/** What {@link applyHookChanges} did. */
export interface AppliedHookChanges {
  /** The changes made to the environment (the input minus `blocked`). */
  readonly applied: EnvChanges;
  /** Protected or checkout-locked names whose change was dropped, sorted. */
  readonly blocked: readonly string[];
}

/**
 * Applies a hook's env changes to the live job environment (executor.go
 * `applyEnvironmentChanges`): changes to protected names, and to checkout-scoped
 * names in `strict` mode, are dropped with the comment
 * `Changes to some env vars were blocked; the affected vars are: [A B]`; the rest
 * are applied, and each is logged as a comment, values hidden (`# NAME added`,
 * `# NAME changed`, `# NAME removed`) except for executor settings
 * (`# NAME is now "v"`, `# NAME was "a" and is now "b"`). Each group is logged in
 * name order (the real agent's order is Go map order, i.e. random). Refreshing
 * redactors and re-reading executor settings stay with the executor.
 */
export function applyHookChanges(
  environment: Environment,
  changes: EnvChanges,
  options: ApplyHookChangesOptions,
): AppliedHookChanges {
  const blocked = [...new Set(changedNames(changes).filter((name) => !isChangeAllowed(name, options.mode)))].sort();
  if (blocked.length > 0) {
    // Go's %v of a []string: `[A B]`.
    options.log.comment(`Changes to some env vars were blocked; the affected vars are: [${blocked.join(" ")}]`);
  }
  const applied = withoutNames(changes, blocked);
  for (const [name, value] of Object.entries(applied.added)) environment.set(name, value);
  for (const [name, change] of Object.entries(applied.changed)) environment.set(name, change.new);
  for (const name of applied.removed) environment.delete(name);

  const settingVars = options.executorSettingVars ?? EXECUTOR_SETTING_VARS;
  const showsValue = (name: string): boolean => settingVars.has(name) && !VALUE_HIDDEN_SETTINGS.has(name);
  for (const name of Object.keys(applied.added).sort()) {
    options.log.comment(showsValue(name) ? `${name} is now "${goQuote(applied.added[name]!)}"` : `${name} added`);
  }
  for (const name of Object.keys(applied.changed).sort()) {
    const change = applied.changed[name]!;
    options.log.comment(
      showsValue(name) ? `${name} was "${goQuote(change.old)}" and is now "${goQuote(change.new)}"` : `${name} changed`,
    );
  }
  // A removed setting keeps its old value (settings are read only when present), so it is never `is now`.
  for (const name of [...applied.removed].sort()) options.log.comment(`${name} removed`);
  return { applied, blocked };
}
