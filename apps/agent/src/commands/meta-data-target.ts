import type { MetaDataTarget } from "@agent/api-client";

/**
 * Whose meta-data the reading commands (`get`, `exists`, `keys`) use: the
 * build named by `--build` (`BUILDKITE_METADATA_BUILD_ID`) when given, else the
 * build of `--job` (`BUILDKITE_JOB_ID`), as clicommand/meta_data_get.go picks.
 */
export function metaDataTarget(config: { readonly job: string; readonly build: string }): MetaDataTarget {
  return config.build !== "" ? { scope: "build", id: config.build } : { scope: "job", id: config.job };
}
