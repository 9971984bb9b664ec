/**
 * Names no hook, plugin or Job API call may change (env/protected.go): the agent
 * sets them and the job trusts them.
 */
export const PROTECTED_VARS: ReadonlySet<string> = new Set([
  "BUILDKITE_AGENT_ACCESS_TOKEN",
  "BUILDKITE_AGENT_DEBUG",
  "BUILDKITE_AGENT_ENDPOINT",
  "BUILDKITE_AGENT_JOB_TIMEOUT_FILE",
  "BUILDKITE_AGENT_PID",
  "BUILDKITE_BIN_PATH",
  "BUILDKITE_BUILD_PATH",
  "BUILDKITE_CHECKOUT_OVERRIDE_MODE",
  "BUILDKITE_COMMAND_EVAL",
  "BUILDKITE_CONFIG_PATH",
  "BUILDKITE_CONTAINER_COUNT",
  "BUILDKITE_GIT_CLONE_MIRROR_FLAGS",
  "BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT",
  "BUILDKITE_GIT_MIRRORS_PATH",
  "BUILDKITE_GIT_MIRRORS_SKIP_UPDATE",
  "BUILDKITE_GIT_MIRROR_CHECKOUT_MODE",
  "BUILDKITE_GIT_REMOTE_MIRROR_URL",
  "BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG",
  "BUILDKITE_HOOKS_PATH",
  "BUILDKITE_HOOKS_SHELL",
  "BUILDKITE_JOB_CONTEXT_DIR",
  "BUILDKITE_KUBERNETES_EXEC",
  "BUILDKITE_LOCAL_HOOKS_ENABLED",
  "BUILDKITE_PLUGINS_ENABLED",
  "BUILDKITE_PLUGINS_PATH",
  "BUILDKITE_SHELL",
  "BUILDKITE_SSH_KEYSCAN",
]);

/** Names pipeline `secrets:` may not set, though hooks may change them. */
export const SECRET_PROTECTED_VARS: ReadonlySet<string> = new Set([
  ...PROTECTED_VARS,
  "BUILDKITE_ARTIFACT_PATHS",
  "BUILDKITE_ARTIFACT_UPLOAD_DESTINATION",
  "BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH",
  "BUILDKITE_REFSPEC",
  "BUILDKITE_REPO",
]);

/** Checkout-scoped names: locked in `strict` checkout-override mode, and for secrets unless mode `none`. */
export const CHECKOUT_SCOPED_VARS: ReadonlySet<string> = new Set([
  "BUILDKITE_GIT_CHECKOUT_FLAGS",
  "BUILDKITE_GIT_CHECKOUT_TIMEOUT",
  "BUILDKITE_GIT_CLEAN_FLAGS",
  "BUILDKITE_GIT_CLONE_FLAGS",
  "BUILDKITE_GIT_COMMIT_VERIFICATION",
  "BUILDKITE_GIT_FETCH_FLAGS",
  "BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS",
  "BUILDKITE_GIT_SPARSE_CHECKOUT_MODE",
  "BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS",
  "BUILDKITE_GIT_SUBMODULES",
  "BUILDKITE_SKIP_CHECKOUT",
]);

/** `BUILDKITE_CHECKOUT_OVERRIDE_MODE`: fixed at start; `strict` when command eval is off. */
export type CheckoutOverrideMode = "strict" | "from-job" | "none";

/**
 * Whether checkout-override mode locks `name` against hooks, plugins and the Job
 * API (upstream `IsCheckoutLocked`): a checkout-scoped name in `strict` mode.
 * Protected names are refused whatever the mode; see {@link isChangeAllowed}.
 */
export function isCheckoutLocked(name: string, mode: CheckoutOverrideMode): boolean {
  return mode === "strict" && CHECKOUT_SCOPED_VARS.has(name);
}

/**
 * Whether checkout-override mode locks `name` against pipeline `secrets:`
 * (upstream `IsCheckoutLockedForSecrets`): a checkout-scoped name unless the mode is `none`.
 */
export function isCheckoutLockedForSecrets(name: string, mode: CheckoutOverrideMode): boolean {
  return mode !== "none" && CHECKOUT_SCOPED_VARS.has(name);
}

/** Whether a hook, plugin or Job API call may change `name` in this mode. */
export function isChangeAllowed(name: string, mode: CheckoutOverrideMode): boolean {
  return !PROTECTED_VARS.has(name) && !isCheckoutLocked(name, mode);
}

/** Whether pipeline `secrets:` may export `name` in this mode. */
export function isSecretTargetAllowed(name: string, mode: CheckoutOverrideMode): boolean {
  return !SECRET_PROTECTED_VARS.has(name) && !isCheckoutLockedForSecrets(name, mode);
}
