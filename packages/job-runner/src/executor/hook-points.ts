import { applyHookChanges, findHooks, runHook, type HookFile } from "../hooks/index.js";
import { hookDisplayName } from "../hooks/find-hooks.js";
import { pluginEnvironment, pluginHookPath, reportPluginEnvironment, type PluginCheckout } from "../plugins/index.js";
import { JobRunnerError } from "../errors.js";
import type { JobState } from "./job-state.js";
import { PhaseFailure } from "./phase-failure.js";
import { signalText } from "./signal-text.js";

/** Where a hook point looks, in order. */
export type HookScopeName = "agent" | "repository" | "plugin";

async function agentHooks(state: JobState, name: string): Promise<HookFile[]> {
  return findHooks(name, { agent: state.hookPaths });
}

async function repositoryHooks(state: JobState, name: string): Promise<HookFile[]> {
  if (state.checkoutRoot === undefined) return [];
  const hooks = await findHooks(name, { checkoutPath: state.checkoutRoot });
  // An agent hook may switch local hooks off for this job, so the env is read each time.
  const disabledByEnv = ["true", "1"].includes(state.environment.get("BUILDKITE_NO_LOCAL_HOOKS") ?? "");
  if (hooks.length > 0 && (!state.config.localHooksEnabled || disabledByEnv)) {
    throw new JobRunnerError(
      "HOOK_LOCAL_HOOKS_DISABLED",
      `refusing to run ${hooks.map((hook) => hook.path).join(", ")}, local hooks are disabled`,
    );
  }
  return hooks;
}

async function pluginHooks(state: JobState, name: string): Promise<Array<{ hook: HookFile; plugin: PluginCheckout }>> {
  const found: Array<{ hook: HookFile; plugin: PluginCheckout }> = [];
  for (const plugin of state.activePlugins) {
    const path = await pluginHookPath(plugin, name);
    if (path !== undefined) {
      found.push({ hook: { scope: "plugin", name, path, pluginDisplayName: plugin.plugin.displayName }, plugin });
    }
  }
  return found;
}

/**
 * Runs one hook and carries its effects into the job, as executor.go
 * `executeHook` does: env changes (protected ones dropped), the working
 * directory, a pending `workdir set`, settings re-read, redactors refreshed,
 * and for a wrapped (shell) hook `BUILDKITE_LAST_HOOK_EXIT_STATUS`, as the real
 * agent sets it only there. A non-zero exit is a {@link PhaseFailure}.
 */
export async function executeHook(state: JobState, hook: HookFile, plugin?: PluginCheckout, signal?: AbortSignal): Promise<void> {
  const label = hookDisplayName(hook);
  let extraEnv: Record<string, string> = {};
  if (plugin !== undefined) {
    const generated = pluginEnvironment(plugin.plugin);
    reportPluginEnvironment(state.log, plugin.plugin, generated);
    extraEnv = { ...generated.env };
  }
  state.output.stream.flush();
  const result = await runHook(hook, {
    env: state.environment.with(extraEnv),
    cwd: state.cwd,
    runner: state.runner,
    log: state.log,
    ...(state.config.hooksShell === "" ? {} : { hooksShell: state.config.hooksShell }),
    tempDir: state.tempDir,
    signal: signal ?? state.signal,
    debug: state.config.debug,
  });
  state.output.stream.flush();
  if (result.wrapped) state.environment.set("BUILDKITE_LAST_HOOK_EXIT_STATUS", String(result.exitCode));
  if (result.changes !== undefined) {
    // Plugin vars are in the wrapper's before-dump too, so only the hook's own changes to them show here.
    state.learnSecretsIn(result.changes);
    applyHookChanges(state.environment, result.changes, { mode: state.mode, log: state.log });
  }
  // A `workdir set` waits for the next unwrapped hook: a shell hook's own `cd` wins.
  const workdir = result.wrapped ? result.workdir : state.jobApi?.takePendingWorkdir();
  if (workdir !== undefined && workdir !== state.cwd) state.chdir(workdir);
  state.afterEnvironmentChange();
  if (result.exitCode !== 0) {
    // executor.go executeHook: `running "<label>" <type> hook: <cause>`, where a
    // wrapped shell hook's cause is the agent's own sentence and a directly run
    // hook's is Go's exec error ("exit status 3", "signal: terminated").
    let cause: string;
    if (result.type === "shell") {
      cause = `the ${label} hook ${result.signal === undefined ? `exited with status ${result.exitCode}` : `was killed by ${result.signal}`}`;
    } else {
      cause = result.signal === undefined ? `exit status ${result.exitCode}` : `signal: ${signalText(result.signal)}`;
    }
    throw new PhaseFailure(`running "${label}" ${result.type} hook: ${cause}`, result.exitCode);
  }
}

/**
 * Runs every hook called `name` in these scopes, in order (agent hooks-paths,
 * then the repository's, then each active plugin's). Stops at the first failure.
 */
export async function runHookPoint(
  state: JobState,
  name: string,
  scopes: readonly HookScopeName[],
  signal?: AbortSignal,
): Promise<void> {
  for (const scope of scopes) {
    if (scope === "plugin") {
      for (const { hook, plugin } of await pluginHooks(state, name)) await executeHook(state, hook, plugin, signal);
      continue;
    }
    const hooks = scope === "agent" ? await agentHooks(state, name) : await repositoryHooks(state, name);
    for (const hook of hooks) await executeHook(state, hook, undefined, signal);
  }
}

/**
 * A hook point with one source only (`checkout`, `command`): plugin hooks if any
 * plugin has one (the 2nd and later with a warning, or skipped with
 * `strict-single-hooks`), else the repository's (command only), else the agent's.
 * Returns false when no hook exists, so the default runs.
 */
export async function runSingleHookPoint(
  state: JobState,
  name: "checkout" | "command",
  signal?: AbortSignal,
): Promise<boolean> {
  const plugins = await pluginHooks(state, name);
  if (plugins.length > 0) {
    for (const [index, { hook, plugin }] of plugins.entries()) {
      if (index > 0) {
        if (state.config.strictSingleHooks) {
          state.log.comment(`Ignoring ${name} hook from plugin ${plugin.plugin.displayName}: strict-single-hooks is on`);
          continue;
        }
        state.log.warning(
          `The additional ${name} hook from plugin ${plugin.plugin.displayName} will be ignored in a future version of the agent. ` +
            "To enforce single plugin hooks, pass the `--strict-single-hooks` flag",
        );
      }
      await executeHook(state, hook, plugin, signal);
    }
    return true;
  }
  const local = name === "command" ? await repositoryHooks(state, name) : [];
  const chosen = local.length > 0 ? local : await agentHooks(state, name);
  if (chosen.length === 0) return false;
  for (const hook of chosen) await executeHook(state, hook, undefined, signal);
  return true;
}
