import { parseGoBool, parseGoInt, type BootstrapConfig } from "@agent/config";
import type { Environment } from "../environment.js";
import type { Logger } from "../logger.js";

/**
 * The executor settings hooks may change through the environment
 * (internal/job/config.go): re-read after every hook, when present.
 * `BUILDKITE_COMMAND` and `BUILDKITE_COMMIT` are deliberately not here.
 */
export interface ExecutorSettings {
  repository: string;
  refspec: string;
  gitSubmodules: boolean;
  gitLfsEnabled: boolean;
  cleanCheckout: boolean;
  skipCheckout: boolean;
  gitSparseCheckoutPaths: string[];
  gitSparseCheckoutMode: string;
  gitSkipFetchExistingCommits: boolean;
  gitCheckoutTimeout: number;
  gitCheckoutFlags: string;
  gitCloneFlags: string;
  gitFetchFlags: string;
  gitCloneMirrorFlags: string;
  gitMirrorCheckoutMode: string;
  gitCleanFlags: string;
  gitSshKey: string;
  gitCommitVerification: string;
  gitSubmoduleCloneConfig: string[];
  pluginsAlwaysCloneFresh: boolean;
  gitMirrorsSkipUpdate: boolean;
  artifactUploadPaths: string;
  artifactUploadDestination: string;
}

type Kind = "string" | "bool" | "int" | "list";

/** Each setting's env var, its {@link ExecutorSettings} field and how its text is parsed. */
export const SETTING_VARS: ReadonlyArray<readonly [name: string, key: keyof ExecutorSettings, kind: Kind]> = [
  ["BUILDKITE_REPO", "repository", "string"],
  ["BUILDKITE_REFSPEC", "refspec", "string"],
  ["BUILDKITE_GIT_SUBMODULES", "gitSubmodules", "bool"],
  ["BUILDKITE_GIT_LFS_ENABLED", "gitLfsEnabled", "bool"],
  ["BUILDKITE_CLEAN_CHECKOUT", "cleanCheckout", "bool"],
  ["BUILDKITE_SKIP_CHECKOUT", "skipCheckout", "bool"],
  ["BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS", "gitSparseCheckoutPaths", "list"],
  ["BUILDKITE_GIT_SPARSE_CHECKOUT_MODE", "gitSparseCheckoutMode", "string"],
  ["BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS", "gitSkipFetchExistingCommits", "bool"],
  ["BUILDKITE_GIT_CHECKOUT_TIMEOUT", "gitCheckoutTimeout", "int"],
  ["BUILDKITE_GIT_CHECKOUT_FLAGS", "gitCheckoutFlags", "string"],
  ["BUILDKITE_GIT_CLONE_FLAGS", "gitCloneFlags", "string"],
  ["BUILDKITE_GIT_FETCH_FLAGS", "gitFetchFlags", "string"],
  ["BUILDKITE_GIT_CLONE_MIRROR_FLAGS", "gitCloneMirrorFlags", "string"],
  ["BUILDKITE_GIT_MIRROR_CHECKOUT_MODE", "gitMirrorCheckoutMode", "string"],
  ["BUILDKITE_GIT_CLEAN_FLAGS", "gitCleanFlags", "string"],
  ["BUILDKITE_GIT_SSH_KEY", "gitSshKey", "string"],
  ["BUILDKITE_GIT_COMMIT_VERIFICATION", "gitCommitVerification", "string"],
  ["BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG", "gitSubmoduleCloneConfig", "list"],
  ["BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH", "pluginsAlwaysCloneFresh", "bool"],
  ["BUILDKITE_GIT_MIRRORS_SKIP_UPDATE", "gitMirrorsSkipUpdate", "bool"],
  ["BUILDKITE_ARTIFACT_PATHS", "artifactUploadPaths", "string"],
  ["BUILDKITE_ARTIFACT_UPLOAD_DESTINATION", "artifactUploadDestination", "string"],
];

/** The settings as the bootstrap starts with them. */
export function initialSettings(config: BootstrapConfig): ExecutorSettings {
  return {
    repository: config.repository,
    refspec: config.refspec,
    gitSubmodules: config.gitSubmodules,
    gitLfsEnabled: config.gitLfsEnabled,
    cleanCheckout: config.cleanCheckout,
    skipCheckout: config.skipCheckout,
    gitSparseCheckoutPaths: [...config.gitSparseCheckoutPaths],
    gitSparseCheckoutMode: config.gitSparseCheckoutMode,
    gitSkipFetchExistingCommits: config.gitSkipFetchExistingCommits,
    gitCheckoutTimeout: config.gitCheckoutTimeout,
    gitCheckoutFlags: config.gitCheckoutFlags,
    gitCloneFlags: config.gitCloneFlags,
    gitFetchFlags: config.gitFetchFlags,
    gitCloneMirrorFlags: config.gitCloneMirrorFlags,
    gitMirrorCheckoutMode: config.gitMirrorCheckoutMode,
    gitCleanFlags: config.gitCleanFlags,
    gitSshKey: config.gitSshKey,
    gitCommitVerification: config.gitCommitVerification,
    gitSubmoduleCloneConfig: [...config.gitSubmoduleCloneConfig],
    pluginsAlwaysCloneFresh: config.pluginsAlwaysCloneFresh,
    gitMirrorsSkipUpdate: config.gitMirrorsSkipUpdate,
    artifactUploadPaths: config.artifactUploadPaths,
    artifactUploadDestination: config.artifactUploadDestination,
  };
}

function parse(kind: Kind, text: string): string | boolean | number | string[] | undefined {
  switch (kind) {
    case "string":
      return text;
    case "bool":
      return parseGoBool(text);
    case "int":
      return parseGoInt(text);
    case "list":
      // As the agent: split on commas, no trimming; an empty value is an empty list.
      return text === "" ? [] : text.split(",");
  }
}

/**
 * Re-reads the settings from the live environment (after a hook or Job API
 * change). A var that is absent keeps the old setting; one that does not parse
 * is ignored with a warning on the bootstrap's own log, naming the var and the
 * expected type but never its value: that log reaches the job log unredacted.
 */
export function rereadSettings(settings: ExecutorSettings, environment: Environment, logger: Logger): void {
  const target = settings as unknown as Record<string, unknown>;
  for (const [name, key, kind] of SETTING_VARS) {
    const text = environment.get(name);
    if (text === undefined) continue;
    const value = parse(kind, text);
    if (value === undefined) logger.warn(`ignoring ${name}: its value is not a valid ${kind}`);
    else target[key] = value;
  }
}
