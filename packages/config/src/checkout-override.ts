/**
 * What `checkout-override-mode` locks (env/protected.go). The agent consults it
 * when it lays its settings over the job env from Buildkite; the job executor
 * when hooks, plugins, the Job API or pipeline `secrets:` change the env.
 */

/** `BUILDKITE_CHECKOUT_OVERRIDE_MODE`: fixed at start; `strict` when command eval is off. */
export type CheckoutOverrideMode = "strict" | "from-job" | "none";

/** The checkout-scoped names, whose protection depends on the mode. */
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

// A step's `checkout.sparse` reaches git as arguments after `--` (paths) or as one
// of a fixed set of values (mode), never as words of a git command line, so the
// job env from Buildkite may set these under the default mode too.
const JOB_ENV_FROM_JOB_FLOOR: ReadonlySet<string> = new Set([
  "BUILDKITE_GIT_SPARSE_CHECKOUT_MODE",
  "BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS",
]);

/**
 * Whether the mode locks `name` against hooks, plugins and the Job API
 * (upstream `IsCheckoutLocked`): a checkout-scoped name in `strict` mode.
 */
export function isCheckoutLocked(name: string, mode: CheckoutOverrideMode): boolean {
  return mode === "strict" && CHECKOUT_SCOPED_VARS.has(name);
}

/**
 * Whether the mode locks `name` against pipeline `secrets:` (upstream
 * `IsCheckoutLockedForSecrets`): a checkout-scoped name unless the mode is `none`.
 */
export function isCheckoutLockedForSecrets(name: string, mode: CheckoutOverrideMode): boolean {
  return mode !== "none" && CHECKOUT_SCOPED_VARS.has(name);
}

/**
 * Whether the agent's own value of `name` wins over the job env Buildkite sent
 * (upstream `IsCheckoutLockedForJobEnv`): as for secrets, except that the sparse
 * checkout paths and mode are locked only in `strict` mode.
 */
export function isCheckoutLockedForJobEnv(name: string, mode: CheckoutOverrideMode): boolean {
  if (!CHECKOUT_SCOPED_VARS.has(name)) return false;
  return JOB_ENV_FROM_JOB_FLOOR.has(name) ? mode === "strict" : mode !== "none";
}
