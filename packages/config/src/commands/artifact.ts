import { defineCommand, defineSetting, defineSettings } from "../setting.js";
import { noMultipartArtifactUploadSetting } from "./executor-settings.js";
import { buildSetting, jobSetting } from "./job-flags.js";
import { apiSettings, globalSettings } from "./shared.js";

/** Limits a search to one step; unlike `step …`'s --step it has no env var. */
const stepScopeSetting = defineSetting({
  name: "step",
  type: "string",
  env: [],
  description: "Only look at artifacts from this step: its key or label, or a job ID",
});

const includeRetriedJobsSetting = defineSetting({
  name: "include-retried-jobs",
  type: "bool",
  env: ["BUILDKITE_AGENT_INCLUDE_RETRIED_JOBS"],
  description: "Also look at artifacts from earlier attempts of retried jobs, not only the latest",
});

const searchedBuildSetting = buildSetting({ required: true, description: "The build the artifacts were uploaded to" });

export const artifactUploadCommand = defineCommand({
  path: ["artifact", "upload"],
  summary: "Upload files as artifacts of the job",
  description: `Uploads the files matching the pattern (several patterns separated by \`;\`) as
the job's artifacts. Quote the pattern so the shell does not expand it; \`**\`
matches across directories. Files go to Buildkite's storage unless a destination
is given: \`s3://bucket/prefix\`, \`gs://bucket/prefix\`, \`rt://repo/path\` or an
Azure Blob container URL (credentials come from BUILDKITE_S3_*, BUILDKITE_GS_*,
BUILDKITE_ARTIFACTORY_* or BUILDKITE_AZURE_BLOB_* env vars).

Exits 0 when no file matches (after logging it), 1 when an upload fails.

Example:

    $ buildkite-agent artifact upload "log/**/*.log;coverage/*.xml"
    $ buildkite-agent artifact upload "pkg/*.tar.gz" s3://acme-artifacts/$BUILDKITE_JOB_ID`,
  args: [
    { name: "pattern", required: true, missingLabel: "upload paths", description: "Globs of the files to upload, separated by --delimiter" },
    {
      name: "destination",
      description: "Where to upload instead of Buildkite's storage; BUILDKITE_ARTIFACT_UPLOAD_DESTINATION when omitted",
    },
  ],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    jobSetting({ required: true, description: "The job the artifacts belong to" }),
    {
      name: "content-type",
      type: "string",
      env: ["BUILDKITE_ARTIFACT_CONTENT_TYPE"],
      description: "The Content-Type to give every uploaded file, instead of one guessed from its extension",
    },
    {
      name: "literal",
      type: "bool",
      env: ["BUILDKITE_AGENT_ARTIFACT_LITERAL"],
      description: "Treat each path as a file name, not a glob",
    },
    {
      name: "delimiter",
      type: "string",
      env: ["BUILDKITE_AGENT_ARTIFACT_DELIMITER"],
      default: ";",
      description: "What separates several paths in the pattern (may be several characters); empty means one path",
    },
    {
      name: "glob-resolve-follow-symlinks",
      type: "bool",
      env: ["BUILDKITE_AGENT_ARTIFACT_GLOB_RESOLVE_FOLLOW_SYMLINKS"],
      description: "Follow symlinks to directories while matching globs (symlinks to files are uploaded either way)",
    },
    {
      name: "upload-skip-symlinks",
      type: "bool",
      env: ["BUILDKITE_ARTIFACT_UPLOAD_SKIP_SYMLINKS"],
      description: "Leave out matched files that are symlinks",
    },
    {
      name: "follow-symlinks",
      type: "bool",
      env: ["BUILDKITE_AGENT_ARTIFACT_SYMLINKS"],
      hidden: true,
      renamedTo: "glob-resolve-follow-symlinks",
      description: "Deprecated: use --glob-resolve-follow-symlinks",
    },
    {
      name: "concurrency",
      type: "int",
      // Shared with start's artifact-upload-concurrency, which the agent exports to jobs.
      env: ["BUILDKITE_ARTIFACT_UPLOAD_CONCURRENCY"],
      // 0: the command uses the number of CPUs, the real default.
      description: "How many uploads to run at once; the number of CPUs when 0",
    },
    noMultipartArtifactUploadSetting,
  ]),
});

export const artifactDownloadCommand = defineCommand({
  path: ["artifact", "download"],
  summary: "Download a build's artifacts to this machine",
  description: `Downloads the build's artifacts whose paths match the query into the
destination directory, keeping their relative paths. Quote the query so the
shell does not expand it. When the destination's last directory is the query's
first one (\`app/logs/*\` into \`out/app\`), it is not repeated.

Exits 1 when nothing matches or any download fails.

Example:

    $ buildkite-agent artifact download "pkg/*.tar.gz" . --step build-linux`,
  args: [
    { name: "query", required: true, missingLabel: "artifact search query", description: "A glob matched against artifact paths" },
    { name: "destination", required: true, missingLabel: "artifact download path", description: "The existing directory to download into" },
  ],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    stepScopeSetting,
    searchedBuildSetting,
    includeRetriedJobsSetting,
    {
      name: "no-s3-multipart-download",
      type: "bool",
      env: ["BUILDKITE_NO_S3_MULTIPART_DOWNLOAD"],
      description: "Download each artifact from a custom S3 bucket in one request rather than in parts",
    },
  ]),
});

export const artifactSearchCommand = defineCommand({
  path: ["artifact", "search"],
  summary: "List a build's artifacts that match a query",
  description: `Prints one line per artifact of the build whose path matches the query,
formatted by --format. Format specifiers: %i artifact ID, %p path, %c creation
time (RFC 3339, UTC), %j ID of the job that uploaded it, %s size in bytes,
%S SHA-1, %T SHA-256, %u download URL. Escapes such as \\n are understood.

Exits 1 when nothing matches, unless --allow-empty-results.

Example:

    $ buildkite-agent artifact search "reports/*.xml" --format "%p %s\\n"`,
  args: [{ name: "query", required: true, missingLabel: "artifact search query", description: "A glob matched against artifact paths" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    stepScopeSetting,
    searchedBuildSetting,
    includeRetriedJobsSetting,
    {
      name: "allow-empty-results",
      type: "bool",
      env: [],
      description: "Exit 0 with no output when nothing matches",
    },
    {
      name: "format",
      type: "string",
      env: [],
      // Backslash escapes stay literal here; the command unescapes them (Go strconv.Unquote-style).
      default: "%j %p %c\\n",
      description: "How to print each artifact, using the specifiers listed above",
    },
  ]),
});

export const artifactShasumCommand = defineCommand({
  path: ["artifact", "shasum"],
  summary: "Print the checksum of one artifact",
  description: `Prints the SHA-1 (or, with --sha256, SHA-256) checksum that the agent
computed when it uploaded the single artifact matching the query.

Exits 1 unless exactly one artifact matches, or with --sha256 when the artifact
has no SHA-256 recorded.

Example:

    $ buildkite-agent artifact shasum "pkg/release.tar.gz" --sha256`,
  args: [{ name: "query", required: true, missingLabel: "artifact search query", description: "A glob that must match exactly one artifact path" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "sha256",
      type: "bool",
      env: [],
      description: "Print the SHA-256 checksum instead of SHA-1",
    },
    stepScopeSetting,
    searchedBuildSetting,
    includeRetriedJobsSetting,
  ]),
});
