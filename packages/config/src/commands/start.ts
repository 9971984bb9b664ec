import { defineCommand, defineSettings } from "../setting.js";
import { deprecatedTagSettings, tagSettings } from "./agent-tags.js";
import {
  checkoutAttemptsSetting,
  checkoutOverrideModeSetting,
  gitCheckoutFlagsSetting,
  gitCheckoutTimeoutSetting,
  gitCleanFlagsSetting,
  gitCloneFlagsSetting,
  gitCloneMirrorFlagsSetting,
  gitCommitVerificationSetting,
  gitFetchFlagsSetting,
  gitMirrorCheckoutModeSetting,
  gitMirrorsLockTimeoutSetting,
  gitMirrorsPathSetting,
  gitMirrorsSkipUpdateSetting,
  gitSkipFetchExistingCommitsSetting,
  gitSparseCheckoutModeSetting,
  gitSparseCheckoutPathsSetting,
  gitSubmoduleCloneConfigSetting,
  skipCheckoutSetting,
} from "./checkout-settings.js";
import {
  additionalHooksPathsSetting,
  buildPathSetting,
  cancelGracePeriodSetting,
  cancelSignalSetting,
  disableWarningsForSetting,
  hooksPathSetting,
  hooksShellSetting,
  jobContextDirSetting,
  jobLogsOtlpSetting,
  noMultipartArtifactUploadSetting,
  pluginsAlwaysCloneFreshSetting,
  pluginsPathSetting,
  shellSetting,
  signalGracePeriodSecondsSetting,
  socketsPathSetting,
  strictSingleHooksSetting,
  traceContextEncodingSetting,
  tracingBackendSetting,
  tracingPropagateTraceparentSetting,
  tracingServiceNameSetting,
} from "./executor-settings.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { debugHttpSetting, endpointSetting, globalSettings, noHttp2Setting, traceHttpSetting } from "./shared.js";
import { debugSigningSetting } from "./signing-settings.js";

/**
 * Every setting of `buildkite-agent start` but the global ones, in the real
 * agent's order (clicommand/agent_start.go, cli.md §3). These are also the keys
 * of the config file.
 */
export const startSettings = defineSettings([
  {
    name: "config",
    type: "string",
    env: ["BUILDKITE_AGENT_CONFIG"],
    description: "Path to a config file to read instead of searching the usual places",
  },
  {
    name: "name",
    type: "string",
    env: ["BUILDKITE_AGENT_NAME"],
    description:
      "The agent's name; `%spawn` becomes the worker's number, while `%hostname`, `%random` and `%pid` are filled in by Buildkite",
  },
  {
    name: "priority",
    type: "string",
    env: ["BUILDKITE_AGENT_PRIORITY"],
    description: "The agent's priority; jobs go to agents with a higher priority first",
  },
  {
    name: "acquire-job",
    type: "string",
    env: ["BUILDKITE_AGENT_ACQUIRE_JOB"],
    description: "Run only the job with this ID, then exit",
  },
  {
    name: "reflect-exit-status",
    type: "bool",
    env: ["BUILDKITE_AGENT_REFLECT_EXIT_STATUS"],
    description: "With --acquire-job, exit with the job's exit status",
  },
  {
    name: "disconnect-after-job",
    type: "bool",
    env: ["BUILDKITE_AGENT_DISCONNECT_AFTER_JOB"],
    description: "Run a single job, then disconnect (with --spawn, each worker runs one job)",
  },
  {
    name: "disconnect-after-idle-timeout",
    type: "int",
    env: ["BUILDKITE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT"],
    description: "Seconds every worker may sit idle before the agent disconnects; 0 means never",
  },
  {
    name: "disconnect-after-uptime",
    type: "int",
    env: ["BUILDKITE_AGENT_DISCONNECT_AFTER_UPTIME"],
    description: "Seconds after which the agent takes no more jobs and exits once the running ones finish; 0 means never",
  },
  cancelGracePeriodSetting,
  {
    name: "enable-job-log-tmpfile",
    type: "bool",
    env: ["BUILDKITE_ENABLE_JOB_LOG_TMPFILE"],
    description: "Also write each job's log to a temporary file, named in BUILDKITE_JOB_LOG_TMPFILE and deleted when the job ends",
  },
  {
    name: "job-log-path",
    type: "string",
    env: ["BUILDKITE_JOB_LOG_PATH"],
    path: true,
    description: "Directory for the --enable-job-log-tmpfile files; the system temp dir when empty",
  },
  {
    name: "write-job-logs-to-stdout",
    type: "bool",
    env: ["BUILDKITE_WRITE_JOB_LOGS_TO_STDOUT"],
    description: "Copy job output to the agent's stdout, handy for collecting logs from containers",
  },
  jobLogsOtlpSetting,
  shellSetting,
  hooksShellSetting,
  ...tagSettings,
  skipCheckoutSetting,
  checkoutOverrideModeSetting,
  gitCheckoutFlagsSetting,
  gitCloneFlagsSetting,
  gitCleanFlagsSetting,
  // start refuses anything else at start-up; bootstrap does not.
  { ...gitCommitVerificationSetting, choices: ["", "strict", "warn"] },
  gitFetchFlagsSetting,
  gitSparseCheckoutPathsSetting,
  gitSparseCheckoutModeSetting,
  gitCloneMirrorFlagsSetting,
  gitMirrorsPathSetting,
  gitMirrorCheckoutModeSetting,
  gitMirrorsLockTimeoutSetting,
  gitMirrorsSkipUpdateSetting,
  gitCheckoutTimeoutSetting,
  gitSubmoduleCloneConfigSetting,
  gitSkipFetchExistingCommitsSetting,
  checkoutAttemptsSetting,
  {
    name: "bootstrap-script",
    type: "string",
    env: ["BUILDKITE_BOOTSTRAP_SCRIPT_PATH"],
    // Empty: the CLI uses `"<this executable>" bootstrap` (shell-quoted).
    path: "if-exists",
    description: "The command that runs each job; this executable's `bootstrap` subcommand when empty",
  },
  { ...buildPathSetting, required: true },
  hooksPathSetting,
  additionalHooksPathsSetting,
  socketsPathSetting,
  pluginsPathSetting,
  {
    name: "no-ansi-timestamps",
    type: "bool",
    env: ["BUILDKITE_NO_ANSI_TIMESTAMPS"],
    description: "Don't insert ANSI timestamp codes into job output",
  },
  {
    name: "timestamp-lines",
    type: "bool",
    env: ["BUILDKITE_TIMESTAMP_LINES"],
    description: "Start each line of job output with a timestamp (only together with --no-ansi-timestamps)",
  },
  {
    name: "health-check-addr",
    type: "string",
    env: ["BUILDKITE_AGENT_HEALTH_CHECK_ADDR"],
    description: "Serve a health check over HTTP on this host:port; off when empty",
  },
  {
    name: "no-pty",
    type: "bool",
    env: ["BUILDKITE_NO_PTY"],
    description: "Don't run jobs in a pseudo-terminal (always the case on Windows)",
  },
  {
    name: "no-ssh-keyscan",
    type: "bool",
    env: ["BUILDKITE_NO_SSH_KEYSCAN"],
    description: "Don't run ssh-keyscan for the repository's host before checkout",
  },
  {
    name: "no-command-eval",
    type: "bool",
    env: ["BUILDKITE_NO_COMMAND_EVAL"],
    description: "Refuse to run commands that jobs provide, including plugins; also forces --checkout-override-mode strict",
  },
  {
    name: "no-plugins",
    type: "bool",
    env: ["BUILDKITE_NO_PLUGINS"],
    description: "Refuse to run plugins (implied by --no-command-eval or --no-local-hooks unless set explicitly)",
  },
  {
    name: "no-plugin-validation",
    type: "bool",
    env: ["BUILDKITE_NO_PLUGIN_VALIDATION"],
    // A BoolT flag: validation is off unless --no-plugin-validation=false.
    default: true,
    description: "Don't check plugin configuration against each plugin's definition; set to false to check it",
  },
  pluginsAlwaysCloneFreshSetting,
  {
    name: "no-local-hooks",
    type: "bool",
    env: ["BUILDKITE_NO_LOCAL_HOOKS"],
    description: "Refuse to run hooks found in the checked-out repository",
  },
  {
    name: "no-git-submodules",
    type: "bool",
    // Two env vars: for this setting the config file always beats them (a loader quirk, cli.md §2).
    env: ["BUILDKITE_NO_GIT_SUBMODULES", "BUILDKITE_DISABLE_GIT_SUBMODULES"],
    description: "Don't check out git submodules",
  },
  {
    name: "no-feature-reporting",
    type: "bool",
    env: ["BUILDKITE_AGENT_NO_FEATURE_REPORTING"],
    description: "Don't tell Buildkite which agent features are turned on",
  },
  {
    name: "allowed-repositories",
    type: "list",
    env: ["BUILDKITE_ALLOWED_REPOSITORIES"],
    description: "Regular expressions a job's repository URL must match one of, or the job is refused (e.g. `^git@github.com:acme/.*`)",
  },
  {
    name: "enable-environment-variable-allowlist",
    type: "bool",
    env: ["BUILDKITE_ENABLE_ENVIRONMENT_VARIABLE_ALLOWLIST"],
    description: "Refuse jobs with environment variables that are neither Buildkite's own nor allowed by --allowed-environment-variables",
  },
  {
    name: "allowed-environment-variables",
    type: "list",
    env: ["BUILDKITE_ALLOWED_ENVIRONMENT_VARIABLES"],
    description: "Regular expressions for the environment variable names jobs may have (needs --enable-environment-variable-allowlist)",
  },
  {
    name: "allowed-plugins",
    type: "list",
    env: ["BUILDKITE_ALLOWED_PLUGINS"],
    description: "Regular expressions every plugin of a job must match one of, or the job is refused",
  },
  {
    name: "metrics-datadog",
    type: "bool",
    env: ["BUILDKITE_METRICS_DATADOG"],
    description: "Send the agent's metrics to DogStatsD",
  },
  {
    name: "metrics-datadog-host",
    type: "string",
    env: ["BUILDKITE_METRICS_DATADOG_HOST"],
    default: "127.0.0.1:8125",
    description: "The DogStatsD address (host:port, over UDP) for --metrics-datadog",
  },
  {
    name: "metrics-datadog-distributions",
    type: "bool",
    env: ["BUILDKITE_METRICS_DATADOG_DISTRIBUTIONS"],
    description: "Report timings to Datadog as distributions",
  },
  {
    name: "log-format",
    type: "string",
    env: ["BUILDKITE_LOG_FORMAT"],
    default: "text",
    // Empty is accepted and means text (clicommand/global.go CreateLogger).
    choices: ["", "text", "json"],
    description: "Format of the agent's own log: `text` (on stderr) or `json` (on stdout)",
  },
  {
    name: "spawn",
    type: "int",
    env: ["BUILDKITE_AGENT_SPAWN"],
    default: 1,
    description: "How many workers to run side by side (not with --spawn-per-cpu)",
  },
  {
    name: "spawn-per-cpu",
    type: "int",
    env: ["BUILDKITE_AGENT_SPAWN_PER_CPU"],
    description: "How many workers to run per CPU (not with --spawn)",
  },
  {
    name: "spawn-with-priority",
    type: "bool",
    env: ["BUILDKITE_AGENT_SPAWN_WITH_PRIORITY"],
    description: "Give each spawned worker its number as its priority",
  },
  cancelSignalSetting,
  signalGracePeriodSecondsSetting,
  // start refuses an unknown backend at start-up; bootstrap does not.
  { ...tracingBackendSetting, choices: ["", "datadog", "opentelemetry"] },
  tracingPropagateTraceparentSetting,
  tracingServiceNameSetting,
  {
    name: "verification-jwks-file",
    type: "string",
    env: ["BUILDKITE_AGENT_VERIFICATION_JWKS_FILE"],
    path: true,
    description: "A JSON Web Key Set to verify job signatures with",
  },
  {
    name: "signing-jwks-file",
    type: "string",
    env: ["BUILDKITE_AGENT_SIGNING_JWKS_FILE"],
    path: true,
    description: "A key to sign the steps of every pipeline this agent's jobs upload (for hmac-sha256, the file's raw content)",
  },
  {
    name: "signing-jwks-key-id",
    type: "string",
    env: ["BUILDKITE_AGENT_SIGNING_JWKS_KEY_ID"],
    description: "Which key of --signing-jwks-file to sign with; may be left out when the set holds one key",
  },
  {
    name: "signing-aws-kms-key",
    type: "string",
    env: ["BUILDKITE_AGENT_SIGNING_AWS_KMS_KEY"],
    description: "An AWS KMS key ID or alias to sign and verify pipelines with",
  },
  {
    name: "signing-gcp-kms-key",
    type: "string",
    env: ["BUILDKITE_AGENT_SIGNING_GCP_KMS_KEY"],
    description:
      "A Google Cloud KMS key version to sign and verify pipelines with " +
      "(projects/*/locations/*/keyRings/*/cryptoKeys/*/cryptoKeyVersions/*)",
  },
  debugSigningSetting,
  {
    name: "verification-failure-behavior",
    type: "string",
    env: ["BUILDKITE_AGENT_JOB_VERIFICATION_NO_SIGNATURE_BEHAVIOR"],
    default: "block",
    // No choices: the real agent checks it (block or warn) only when a
    // verification JWKS is set, which command-rules.ts does.
    description: "What to do with a job whose signature is missing or does not verify: `block` it or `warn` and run it",
  },
  disableWarningsForSetting,
  {
    name: "ping-mode",
    type: "string",
    env: ["BUILDKITE_AGENT_PING_MODE"],
    default: "auto",
    // ping-only is an old alias of poll-only (command-rules.ts rewrites it).
    choices: ["auto", "poll-only", "ping-only", "stream-only"],
    description: "How jobs reach the agent: `auto` (streaming, falling back to polling), `poll-only` or `stream-only`",
  },
  {
    name: "token",
    type: "string",
    env: ["BUILDKITE_AGENT_TOKEN"],
    required: true,
    indirect: true,
    secret: true,
    description: "The cluster or unclustered registration token; `file://PATH` or `fd://N` reads it from a file or an inherited file descriptor",
  },
  endpointSetting,
  noHttp2Setting,
  debugHttpSetting,
  traceHttpSetting,
  {
    name: "kubernetes-exec",
    type: "bool",
    env: ["BUILDKITE_KUBERNETES_EXEC"],
    description: "For agent-stack-k8s only: carry job output and exit statuses between the pod's containers over a Unix socket",
  },
  {
    name: "kubernetes-container-start-timeout",
    type: "duration",
    env: ["BUILDKITE_KUBERNETES_CONTAINER_START_TIMEOUT"],
    default: "5m",
    description: "With --kubernetes-exec, how long to wait for all of the pod's containers to start",
  },
  jobContextDirSetting,
  redactedVarsSetting,
  strictSingleHooksSetting,
  traceContextEncodingSetting,
  noMultipartArtifactUploadSetting,
  {
    name: "artifact-upload-concurrency",
    type: "int",
    env: ["BUILDKITE_ARTIFACT_UPLOAD_CONCURRENCY"],
    description: "The most artifact uploads a job's `artifact upload` runs at once; 0 leaves its default",
  },
  {
    name: "kubernetes-log-collection-grace-period",
    type: "duration",
    env: ["BUILDKITE_KUBERNETES_LOG_COLLECTION_GRACE_PERIOD"],
    default: "50s",
    hidden: true,
    description: "Deprecated and unused",
  },
  ...deprecatedTagSettings,
  {
    name: "no-automatic-ssh-fingerprint-verification",
    type: "bool",
    env: ["BUILDKITE_NO_AUTOMATIC_SSH_FINGERPRINT_VERIFICATION"],
    hidden: true,
    renamedTo: "no-ssh-keyscan",
    description: "Deprecated: use --no-ssh-keyscan",
  },
  {
    name: "disconnect-after-job-timeout",
    type: "int",
    env: ["BUILDKITE_AGENT_DISCONNECT_AFTER_JOB_TIMEOUT"],
    // Not a rename: a value above 0 is copied into the idle timeout (command-rules.ts).
    hidden: true,
    description: "Deprecated: use --disconnect-after-idle-timeout",
  },
]);

export const startCommand = defineCommand({
  path: ["start"],
  summary: "Start an agent that takes jobs from Buildkite and runs them",
  description: `Registers with Buildkite using the registration token, then waits for jobs
and runs each one with the bootstrap script (by default this executable's
\`bootstrap\` subcommand), which checks out the code, runs the hooks and plugins
and the step's command. Jobs run in a pseudo-terminal where the platform has one.

Settings come from flags and BUILDKITE_* env vars, which beat a config file
(keys are the flag names), which beats the defaults.

Exits 0 once every worker has stopped and 1 on an error; with --acquire-job,
27 when Buildkite rejects the job, and the job's own exit status when
--reflect-exit-status is set.

Example:

    $ buildkite-agent start --token xxx --tags "queue=deploy,os=linux"`,
  args: [],
  settings: defineSettings([...globalSettings, ...startSettings]),
  readsConfigFile: true,
});
