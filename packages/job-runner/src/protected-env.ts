import { isCheckoutLocked, isCheckoutLockedForSecrets, type CheckoutOverrideMode } from "@agent/config";

// The checkout-override rules live with the setting in @agent/config, which the
// agent also consults when it lays its settings over the job env.
export { CHECKOUT_SCOPED_VARS, isCheckoutLocked, isCheckoutLockedForSecrets, type CheckoutOverrideMode } from "@agent/config";

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

/** Whether a hook, plugin or Job API call may change `name` in this mode. */
export function isChangeAllowed(name: string, mode: CheckoutOverrideMode): boolean {
  return !PROTECTED_VARS.has(name) && !isCheckoutLocked(name, mode);
}

/** Whether pipeline `secrets:` may export `name` in this mode. */
export function isSecretTargetAllowed(name: string, mode: CheckoutOverrideMode): boolean {
  return !SECRET_PROTECTED_VARS.has(name) && !isCheckoutLockedForSecrets(name, mode);
}
