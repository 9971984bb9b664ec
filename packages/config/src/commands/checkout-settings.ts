import { defineSetting } from "../setting.js";

/**
 * The git and checkout settings that `start` passes to each job and `bootstrap`
 * reads back from the job's env (clicommand/global.go). Exported one by one
 * because the two commands list them in different orders.
 */

export const skipCheckoutSetting = defineSetting({
  name: "skip-checkout",
  type: "bool",
  env: ["BUILDKITE_SKIP_CHECKOUT"],
  description: "Don't check out the repository at all",
});

export const checkoutOverrideModeSetting = defineSetting({
  name: "checkout-override-mode",
  type: "string",
  env: ["BUILDKITE_CHECKOUT_OVERRIDE_MODE"],
  default: "from-job",
  // Empty is accepted and means the default (env.ParseCheckoutOverrideMode).
  choices: ["", "strict", "from-job", "none"],
  description:
    "Who may change the checkout settings: `strict` (only the agent), `from-job` (also hooks, plugins and the Job API) " +
    "or `none` (also pipeline env and secrets); forced to `strict` without command eval",
});

export const gitCheckoutFlagsSetting = defineSetting({
  name: "git-checkout-flags",
  type: "string",
  env: ["BUILDKITE_GIT_CHECKOUT_FLAGS"],
  default: "-f",
  description: "Extra arguments for `git checkout`",
});

export const gitCloneFlagsSetting = defineSetting({
  name: "git-clone-flags",
  type: "string",
  env: ["BUILDKITE_GIT_CLONE_FLAGS"],
  default: "-v",
  description: "Extra arguments for `git clone`",
});

export const gitCleanFlagsSetting = defineSetting({
  name: "git-clean-flags",
  type: "string",
  env: ["BUILDKITE_GIT_CLEAN_FLAGS"],
  // -ff also removes nested repositories, -x ignores .gitignore, -d recurses, -q is quiet.
  default: "-ffxdq",
  description: "Extra arguments for `git clean`",
});

/**
 * No choices here: `bootstrap` takes any value (anything but "" and `strict`
 * acts as `warn`); `start` adds the check it makes at start-up.
 */
export const gitCommitVerificationSetting = defineSetting({
  name: "git-commit-verification",
  type: "string",
  env: ["BUILDKITE_GIT_COMMIT_VERIFICATION"],
  description: "Verify the signature of the checked-out commit: `strict` fails the job when it can't, `warn` only warns; empty turns it off",
});

export const gitFetchFlagsSetting = defineSetting({
  name: "git-fetch-flags",
  type: "string",
  env: ["BUILDKITE_GIT_FETCH_FLAGS"],
  default: "-v --prune",
  description: "Extra arguments for `git fetch`",
});

export const gitSparseCheckoutPathsSetting = defineSetting({
  name: "git-sparse-checkout-paths",
  type: "list",
  env: ["BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS"],
  description: "Only put these paths in the working tree (comma-separated), read as --git-sparse-checkout-mode says",
});

export const gitSparseCheckoutModeSetting = defineSetting({
  name: "git-sparse-checkout-mode",
  type: "string",
  env: ["BUILDKITE_GIT_SPARSE_CHECKOUT_MODE"],
  default: "cone",
  // Empty is accepted and means the default (job.ParseSparseCheckoutMode).
  choices: ["", "cone", "no-cone"],
  description: "How sparse checkout paths are read: `cone` (directory names, git's default) or `no-cone` (gitignore-style patterns; needs git 2.35)",
});

export const gitCloneMirrorFlagsSetting = defineSetting({
  name: "git-clone-mirror-flags",
  type: "string",
  env: ["BUILDKITE_GIT_CLONE_MIRROR_FLAGS"],
  default: "-v",
  description: "Extra arguments for `git clone` when it creates a mirror",
});

export const gitMirrorsPathSetting = defineSetting({
  name: "git-mirrors-path",
  type: "string",
  env: ["BUILDKITE_GIT_MIRRORS_PATH"],
  path: true,
  description: "Directory for shared mirrors of the repositories jobs check out; no mirrors when empty",
});

export const gitMirrorCheckoutModeSetting = defineSetting({
  name: "git-mirror-checkout-mode",
  type: "string",
  env: ["BUILDKITE_GIT_MIRROR_CHECKOUT_MODE"],
  default: "reference",
  choices: ["dissociate", "reference"],
  description:
    "How a checkout uses its mirror: `reference` borrows the mirror's objects (faster, less disk, but mirror upkeep " +
    "can break it) or `dissociate` copies them",
});

export const gitMirrorsLockTimeoutSetting = defineSetting({
  name: "git-mirrors-lock-timeout",
  type: "int",
  env: ["BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT"],
  default: 300,
  description: "Seconds to wait for the lock on a mirror being cloned or updated; make it longer than your slowest checkout",
});

export const gitMirrorsSkipUpdateSetting = defineSetting({
  name: "git-mirrors-skip-update",
  type: "bool",
  env: ["BUILDKITE_GIT_MIRRORS_SKIP_UPDATE"],
  description: "Use mirrors as they are, without fetching into them first",
});

export const gitCheckoutTimeoutSetting = defineSetting({
  name: "git-checkout-timeout",
  type: "int",
  env: ["BUILDKITE_GIT_CHECKOUT_TIMEOUT"],
  description: "Seconds one checkout attempt may take before it is killed and retried; 0 means no limit",
});

export const gitSubmoduleCloneConfigSetting = defineSetting({
  name: "git-submodule-clone-config",
  type: "list",
  env: ["BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG"],
  description: "`key=value` git config pairs for the commands that clone submodules (for all git commands, use a global git config instead)",
});

export const gitSkipFetchExistingCommitsSetting = defineSetting({
  name: "git-skip-fetch-existing-commits",
  type: "bool",
  env: ["BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS"],
  description: "Don't fetch when the commit is already in the local repository",
});

export const checkoutAttemptsSetting = defineSetting({
  name: "checkout-attempts",
  type: "int",
  env: ["BUILDKITE_CHECKOUT_ATTEMPTS"],
  default: 6,
  description: "How many times to try the checkout, the first included; retries wait 1s, 2s, 4s, …",
});
