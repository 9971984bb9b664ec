import path from "node:path";
import { loadConfig, startCommand, type SettingDefinition } from "../src/index.js";
import { START_ENV as required } from "./required-env.js";
import { makeTempDir, writeFile } from "./temp-dir.js";

// The real agent's `start` settings as ../shared/spec/cli.md §3 lists them:
// [flag, env vars, default]. Written out here from the spec, independently of
// the definitions, so a wrong definition fails.
const SPEC: ReadonlyArray<readonly [string, readonly string[], unknown]> = [
  ["config", ["BUILDKITE_AGENT_CONFIG"], ""],
  ["token", ["BUILDKITE_AGENT_TOKEN"], ""],
  ["endpoint", ["BUILDKITE_AGENT_ENDPOINT"], "https://agent-edge.buildkite.com/v3"],
  ["no-http2", ["BUILDKITE_NO_HTTP2"], false],
  ["debug-http", ["BUILDKITE_AGENT_DEBUG_HTTP"], false],
  ["trace-http", ["BUILDKITE_AGENT_TRACE_HTTP"], false],
  ["name", ["BUILDKITE_AGENT_NAME"], ""],
  ["priority", ["BUILDKITE_AGENT_PRIORITY"], ""],
  ["acquire-job", ["BUILDKITE_AGENT_ACQUIRE_JOB"], ""],
  ["reflect-exit-status", ["BUILDKITE_AGENT_REFLECT_EXIT_STATUS"], false],
  ["disconnect-after-job", ["BUILDKITE_AGENT_DISCONNECT_AFTER_JOB"], false],
  ["disconnect-after-idle-timeout", ["BUILDKITE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT"], 0],
  ["disconnect-after-uptime", ["BUILDKITE_AGENT_DISCONNECT_AFTER_UPTIME"], 0],
  ["cancel-grace-period", ["BUILDKITE_CANCEL_GRACE_PERIOD"], 10],
  ["signal-grace-period-seconds", ["BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS"], -1],
  ["cancel-signal", ["BUILDKITE_CANCEL_SIGNAL"], "SIGTERM"],
  ["enable-job-log-tmpfile", ["BUILDKITE_ENABLE_JOB_LOG_TMPFILE"], false],
  ["job-log-path", ["BUILDKITE_JOB_LOG_PATH"], ""],
  ["write-job-logs-to-stdout", ["BUILDKITE_WRITE_JOB_LOGS_TO_STDOUT"], false],
  ["job-logs-otlp", ["BUILDKITE_JOB_LOGS_OTLP"], false],
  ["log-format", ["BUILDKITE_LOG_FORMAT"], "text"],
  ["shell", ["BUILDKITE_SHELL"], "/bin/bash -e -c"],
  ["hooks-shell", ["BUILDKITE_HOOKS_SHELL"], ""],
  ["queue", ["BUILDKITE_AGENT_QUEUE"], ""],
  ["tags", ["BUILDKITE_AGENT_TAGS"], []],
  ["tags-from-host", ["BUILDKITE_AGENT_TAGS_FROM_HOST"], false],
  ["tags-from-ec2-meta-data", ["BUILDKITE_AGENT_TAGS_FROM_EC2_META_DATA"], false],
  ["tags-from-ec2-meta-data-paths", ["BUILDKITE_AGENT_TAGS_FROM_EC2_META_DATA_PATHS"], []],
  ["tags-from-ec2-tags", ["BUILDKITE_AGENT_TAGS_FROM_EC2_TAGS"], false],
  ["tags-from-ecs-meta-data", ["BUILDKITE_AGENT_TAGS_FROM_ECS_META_DATA"], false],
  ["tags-from-gcp-meta-data", ["BUILDKITE_AGENT_TAGS_FROM_GCP_META_DATA"], false],
  ["tags-from-gcp-meta-data-paths", ["BUILDKITE_AGENT_TAGS_FROM_GCP_META_DATA_PATHS"], []],
  ["tags-from-gcp-labels", ["BUILDKITE_AGENT_TAGS_FROM_GCP_LABELS"], false],
  ["wait-for-ec2-tags-timeout", ["BUILDKITE_AGENT_WAIT_FOR_EC2_TAGS_TIMEOUT"], 10_000],
  ["wait-for-ec2-meta-data-timeout", ["BUILDKITE_AGENT_WAIT_FOR_EC2_META_DATA_TIMEOUT"], 10_000],
  ["wait-for-ecs-meta-data-timeout", ["BUILDKITE_AGENT_WAIT_FOR_ECS_META_DATA_TIMEOUT"], 10_000],
  ["wait-for-gcp-labels-timeout", ["BUILDKITE_AGENT_WAIT_FOR_GCP_LABELS_TIMEOUT"], 10_000],
  ["fail-on-missing-tags", ["BUILDKITE_AGENT_FAIL_ON_MISSING_TAGS"], false],
  ["skip-checkout", ["BUILDKITE_SKIP_CHECKOUT"], false],
  ["checkout-override-mode", ["BUILDKITE_CHECKOUT_OVERRIDE_MODE"], "from-job"],
  ["git-checkout-flags", ["BUILDKITE_GIT_CHECKOUT_FLAGS"], "-f"],
  ["git-clone-flags", ["BUILDKITE_GIT_CLONE_FLAGS"], "-v"],
  ["git-clean-flags", ["BUILDKITE_GIT_CLEAN_FLAGS"], "-ffxdq"],
  ["git-fetch-flags", ["BUILDKITE_GIT_FETCH_FLAGS"], "-v --prune"],
  ["git-clone-mirror-flags", ["BUILDKITE_GIT_CLONE_MIRROR_FLAGS"], "-v"],
  ["git-commit-verification", ["BUILDKITE_GIT_COMMIT_VERIFICATION"], ""],
  ["git-sparse-checkout-paths", ["BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS"], []],
  ["git-sparse-checkout-mode", ["BUILDKITE_GIT_SPARSE_CHECKOUT_MODE"], "cone"],
  ["git-mirrors-path", ["BUILDKITE_GIT_MIRRORS_PATH"], ""],
  ["git-mirror-checkout-mode", ["BUILDKITE_GIT_MIRROR_CHECKOUT_MODE"], "reference"],
  ["git-mirrors-lock-timeout", ["BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT"], 300],
  ["git-mirrors-skip-update", ["BUILDKITE_GIT_MIRRORS_SKIP_UPDATE"], false],
  ["git-checkout-timeout", ["BUILDKITE_GIT_CHECKOUT_TIMEOUT"], 0],
  ["git-submodule-clone-config", ["BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG"], []],
  ["git-skip-fetch-existing-commits", ["BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS"], false],
  ["checkout-attempts", ["BUILDKITE_CHECKOUT_ATTEMPTS"], 6],
  ["no-git-submodules", ["BUILDKITE_NO_GIT_SUBMODULES", "BUILDKITE_DISABLE_GIT_SUBMODULES"], false],
  ["bootstrap-script", ["BUILDKITE_BOOTSTRAP_SCRIPT_PATH"], ""],
  ["build-path", ["BUILDKITE_BUILD_PATH"], ""],
  ["hooks-path", ["BUILDKITE_HOOKS_PATH"], ""],
  ["additional-hooks-paths", ["BUILDKITE_ADDITIONAL_HOOKS_PATHS"], []],
  ["sockets-path", ["BUILDKITE_SOCKETS_PATH"], "$HOME/.buildkite-agent/sockets"],
  ["plugins-path", ["BUILDKITE_PLUGINS_PATH"], ""],
  ["no-ansi-timestamps", ["BUILDKITE_NO_ANSI_TIMESTAMPS"], false],
  ["timestamp-lines", ["BUILDKITE_TIMESTAMP_LINES"], false],
  ["health-check-addr", ["BUILDKITE_AGENT_HEALTH_CHECK_ADDR"], ""],
  ["no-pty", ["BUILDKITE_NO_PTY"], false],
  ["no-ssh-keyscan", ["BUILDKITE_NO_SSH_KEYSCAN"], false],
  ["no-command-eval", ["BUILDKITE_NO_COMMAND_EVAL"], false],
  ["no-plugins", ["BUILDKITE_NO_PLUGINS"], false],
  ["no-plugin-validation", ["BUILDKITE_NO_PLUGIN_VALIDATION"], true],
  ["plugins-always-clone-fresh", ["BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH"], false],
  ["no-local-hooks", ["BUILDKITE_NO_LOCAL_HOOKS"], false],
  ["no-feature-reporting", ["BUILDKITE_AGENT_NO_FEATURE_REPORTING"], false],
  ["allowed-repositories", ["BUILDKITE_ALLOWED_REPOSITORIES"], []],
  ["allowed-plugins", ["BUILDKITE_ALLOWED_PLUGINS"], []],
  ["enable-environment-variable-allowlist", ["BUILDKITE_ENABLE_ENVIRONMENT_VARIABLE_ALLOWLIST"], false],
  ["allowed-environment-variables", ["BUILDKITE_ALLOWED_ENVIRONMENT_VARIABLES"], []],
  ["metrics-datadog", ["BUILDKITE_METRICS_DATADOG"], false],
  ["metrics-datadog-host", ["BUILDKITE_METRICS_DATADOG_HOST"], "127.0.0.1:8125"],
  ["metrics-datadog-distributions", ["BUILDKITE_METRICS_DATADOG_DISTRIBUTIONS"], false],
  ["spawn", ["BUILDKITE_AGENT_SPAWN"], 1],
  ["spawn-per-cpu", ["BUILDKITE_AGENT_SPAWN_PER_CPU"], 0],
  ["spawn-with-priority", ["BUILDKITE_AGENT_SPAWN_WITH_PRIORITY"], false],
  ["tracing-backend", ["BUILDKITE_TRACING_BACKEND"], ""],
  ["tracing-propagate-traceparent", ["BUILDKITE_TRACING_PROPAGATE_TRACEPARENT"], false],
  ["tracing-service-name", ["BUILDKITE_TRACING_SERVICE_NAME"], "buildkite-agent"],
  ["trace-context-encoding", ["BUILDKITE_TRACE_CONTEXT_ENCODING"], "gob"],
  ["verification-jwks-file", ["BUILDKITE_AGENT_VERIFICATION_JWKS_FILE"], ""],
  ["verification-failure-behavior", ["BUILDKITE_AGENT_JOB_VERIFICATION_NO_SIGNATURE_BEHAVIOR"], "block"],
  ["signing-jwks-file", ["BUILDKITE_AGENT_SIGNING_JWKS_FILE"], ""],
  ["signing-jwks-key-id", ["BUILDKITE_AGENT_SIGNING_JWKS_KEY_ID"], ""],
  ["signing-aws-kms-key", ["BUILDKITE_AGENT_SIGNING_AWS_KMS_KEY"], ""],
  ["signing-gcp-kms-key", ["BUILDKITE_AGENT_SIGNING_GCP_KMS_KEY"], ""],
  ["debug-signing", ["BUILDKITE_AGENT_DEBUG_SIGNING"], false],
  ["disable-warnings-for", ["BUILDKITE_AGENT_DISABLE_WARNINGS_FOR"], []],
  ["ping-mode", ["BUILDKITE_AGENT_PING_MODE"], "auto"],
  ["kubernetes-exec", ["BUILDKITE_KUBERNETES_EXEC"], false],
  ["kubernetes-container-start-timeout", ["BUILDKITE_KUBERNETES_CONTAINER_START_TIMEOUT"], 300_000],
  ["job-context-dir", ["BUILDKITE_JOB_CONTEXT_DIR"], ""],
  ["redacted-vars", ["BUILDKITE_REDACTED_VARS"], ["*_PASSWORD", "*_SECRET", "*_TOKEN", "*_PRIVATE_KEY", "*_SSH_KEY", "*_ACCESS_KEY", "*_SECRET_KEY", "*_CONNECTION_STRING", "*_API_KEY"]],
  ["strict-single-hooks", ["BUILDKITE_STRICT_SINGLE_HOOKS"], false],
  ["no-multipart-artifact-upload", ["BUILDKITE_NO_MULTIPART_ARTIFACT_UPLOAD"], false],
  ["artifact-upload-concurrency", ["BUILDKITE_ARTIFACT_UPLOAD_CONCURRENCY"], 0],
  // The global flags every command has.
  ["no-color", ["BUILDKITE_AGENT_NO_COLOR"], false],
  ["debug", ["BUILDKITE_AGENT_DEBUG"], false],
  ["log-level", ["BUILDKITE_AGENT_LOG_LEVEL"], "notice"],
  ["experiment", ["BUILDKITE_AGENT_EXPERIMENT"], []],
  ["profile", ["BUILDKITE_AGENT_PROFILE"], ""],
];

const dir = makeTempDir();
const home = path.join(dir, "home");
const settings = new Map<string, SettingDefinition>(startCommand.settings.map((setting) => [setting.name, setting]));

function loadStart(options: { flags?: Record<string, string | boolean | string[]>; env?: Record<string, string>; file?: string }) {
  return loadConfig(startCommand, {
    flags: options.flags ?? {},
    env: { ...required, ...options.env },
    homeDir: home,
    cwd: dir,
    configSearchPaths: options.file === undefined ? [] : [writeFile(dir, `start-${Math.random()}.cfg`, options.file)],
  });
}

describe("start: every setting of the spec, with its env vars and default", () => {
  const defaults = loadStart({}).values as unknown as Record<string, unknown>;

  it.each(SPEC)("%s", (name, env, expected) => {
    const setting = settings.get(name);
    expect(setting).toBeDefined();
    expect(setting!.env).toEqual(env);
    if (name === "token" || name === "build-path") return; // required: set above
    const want = typeof expected === "string" ? expected.replace("$HOME", home) : expected;
    expect(defaults[name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())]).toEqual(want);
  });

  it("has no visible setting the spec does not list", () => {
    const listed = new Set(SPEC.map(([name]) => name));
    const extra = startCommand.settings.filter((setting) => !setting.hidden && !listed.has(setting.name)).map((s) => s.name);
    expect(extra).toEqual([]);
  });
});

/** A value of the setting's type that differs from its default, as text, and its typed form. */
function sample(setting: SettingDefinition): [string, unknown] {
  if (setting.choices) {
    const choice = setting.choices.find((candidate) => candidate !== "" && candidate !== setting.default) ?? setting.choices[0]!;
    return [choice, choice];
  }
  switch (setting.type) {
    case "bool":
      return setting.default === true ? ["false", false] : ["true", true];
    case "int":
      return ["7", 7];
    case "duration":
      return ["2m", 120_000];
    case "list":
      return ["a=1,b=2", ["a=1", "b=2"]];
    case "string":
      return setting.path ? ["/srv/x", "/srv/x"] : ["some-value", "some-value"];
  }
}

// Like the real agent's config-completeness test: every setting can be set
// through each of its three routes, and each route gives the same typed value.
describe("start: every setting has a flag, an env var and a config-file key", () => {
  // Settings whose value other settings rewrite, or that need another to be valid.
  const interplay = new Set(["config", "token", "build-path", "queue", "allowed-environment-variables", "spawn-per-cpu", "acquire-job", "verification-jwks-file", "signal-grace-period-seconds", "cancel-grace-period", "ping-mode"]);
  const plain = startCommand.settings.filter((setting) => !setting.renamedTo && !interplay.has(setting.name));

  it.each(plain.map((setting) => [setting.name, setting] as const))("%s", (name, setting) => {
    const [text, typed] = sample(setting);
    const key = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const flag = setting.type === "bool" ? text === "true" : setting.type === "list" ? [text] : text;
    const viaFlag = loadStart({ flags: { [name]: flag } }).values as unknown as Record<string, unknown>;
    const viaEnv = loadStart({ env: { [setting.env[0]!]: text } }).values as unknown as Record<string, unknown>;
    const viaFile = loadStart({ file: `${name}="${text}"\n` }).values as unknown as Record<string, unknown>;
    for (const values of [viaFlag, viaEnv, viaFile]) expect(values[key]).toEqual(typed);
  });
});
