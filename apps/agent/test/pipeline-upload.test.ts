import { afterEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  CONFORMANCE,
  recordingProxy,
  runJobCommand,
  startJob,
  tempDir,
  type CommandRun,
  type JobFixture,
  type RunOptions,
} from "./job-command-harness.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A running job on a server that settles async uploads without waiting (Retry-After 0, one pending poll). */
async function job(): Promise<JobFixture> {
  const fixture = await startJob({ server: { pipelineRetryAfterSeconds: 0, asyncPipelinePolls: 1 } });
  cleanups.push(() => fixture.server.close());
  return fixture;
}

function dir(): string {
  const made = tempDir("bk-pipeline-");
  cleanups.push(made.remove);
  return made.dir;
}

function write(root: string, file: string, text: string): string {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
  return file;
}

const GIT_IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"];
function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", [...GIT_IDENTITY, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A repository with `main` (README) and a checked-out `feature` branch that changed `foo/x.go`. */
function gitRepo(): string {
  const root = dir();
  git(root, "init", "-q", "-b", "main");
  write(root, "README.md", "hi\n");
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", "initial");
  git(root, "checkout", "-q", "-b", "feature");
  write(root, "foo/x.go", "package foo\n");
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", "change foo");
  return root;
}

/** A dry run needs no job or server, only the (required) access token. */
const DRY_ENV = { BUILDKITE_AGENT_ACCESS_TOKEN: "unused" };

function upload(args: readonly string[], options: RunOptions): Promise<CommandRun> {
  return runJobCommand("pipeline upload", args, options);
}

function warnLines(run: CommandRun): string[] {
  return run.stderr.split("\n").filter((line) => / WARN /.test(line));
}

function fatalLine(run: CommandRun): string | undefined {
  return run.stderr.split("\n").find((line) => line.startsWith("buildkite-agent: fatal: "));
}

const VALID_DIR = new URL("pipeline-schema/valid-pipelines/", CONFORMANCE);
const validPipelines = readdirSync(fileURLToPath(VALID_DIR)).filter((name) => /\.ya?ml$/.test(name)).sort();

describe("pipeline upload: the valid example pipelines", () => {
  it("has examples to check", () => {
    expect(validPipelines.length).toBeGreaterThanOrEqual(10);
  });

  // go-pipeline's own warnings (e.g. for `type: commands`) are the real agent's and stay; the schema finds nothing.
  it.each(validPipelines)("%s uploads, is applied, and gives no schema warning", async (name) => {
    const fixture = await job();
    const repo = gitRepo();
    const file = write(repo, name, readFileSync(new URL(name, VALID_DIR), "utf8"));
    const run = await upload([file], { env: fixture.env, cwd: repo });
    expect(fatalLine(run)).toBeUndefined();
    expect(warnLines(run).filter((line) => !line.includes("There were some issues with the pipeline input"))).toEqual([]);
    expect(run.stderr).not.toContain("schema");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`Successfully parsed and uploaded pipeline #1 from "${name}"`);
    expect(fixture.server.pipelineUploads(fixture.jobId)).toEqual([expect.objectContaining({ state: "applied" })]);
  });
});

// Each case: the pipeline, and the path the warning must name.
const invalidPipelines: [string, string, string][] = [
  ["a string timeout", "steps:\n  - command: x\n    timeout_in_minutes: abc\n", "steps[0].timeout_in_minutes"],
  ["a bad retry value", "steps:\n  - command: x\n    retry:\n      automatic: banana\n", "steps[0].retry.automatic"],
  ["a block field without key", "steps:\n  - block: Go\n    fields:\n      - text: Name\n", "steps[0].fields[0].key"],
  ["a nested soft_fail", "steps:\n  - group: G\n    steps:\n      - command: y\n        soft_fail: maybe\n", "steps[0].steps[0].soft_fail"],
  ["a trigger message list", "steps:\n  - trigger: deploy\n    build:\n      message: [1]\n", "steps[0].build.message"],
  ["an unknown step", "steps:\n  - foo: bar\n", "steps[0]"],
  ["a bad continue_on_failure", "steps:\n  - wait: ~\n    continue_on_failure: sometimes\n", "steps[0].continue_on_failure"],
  ["numeric agents", "steps:\n  - command: x\n    agents: 5\n", "steps[0].agents"],
  ["a string concurrency", "steps:\n  - command: x\n    concurrency: two\n    concurrency_group: g\n", "steps[0].concurrency"],
  ["a numeric notify", "notify: 5\nsteps: []\n", "notify"],
  ["input options that are not a list", "steps:\n  - input: Q\n    fields:\n      - select: Pick\n        key: k\n        options: nope\n", "steps[0].fields[0].options"],
  ["a word priority", "steps:\n  - command: x\n    priority: high\n", "steps[0].priority"],
  ["a numeric depends_on", "steps:\n  - command: x\n    depends_on: 5\n", "steps[0].depends_on"],
  ["a mapping of artifact paths", "steps:\n  - command: x\n    artifact_paths: {a: b}\n", "steps[0].artifact_paths"],
];

describe("pipeline upload: pipelines the schema refuses", () => {
  it.each(invalidPipelines)("%s: a warning names the path, and the upload proceeds", async (_name, yaml, where) => {
    const root = dir();
    const run = await upload([write(root, "p.yml", yaml)], { env: DRY_ENV, cwd: root, flags: { "dry-run": true } });
    expect(run.status).toBe(0);
    expect(warnLines(run)).toContainEqual(
      expect.stringContaining(`Pipeline "p.yml" does not match Buildkite's pipeline schema - pipeline upload will proceed, but might not succeed:`),
    );
    expect(run.stderr).toMatch(new RegExp(`schema - pipeline upload will proceed, but might not succeed:\n(.+\n)*${escape(where)}: `));
    expect(JSON.parse(run.stdout)).toHaveProperty("steps");
  });

  it.each(invalidPipelines)("%s: with --reject-parse-warnings it is fatal and nothing is printed", async (_name, yaml, where) => {
    const root = dir();
    const run = await upload([write(root, "p.yml", yaml)], {
      env: DRY_ENV,
      cwd: root,
      flags: { "dry-run": true, "reject-parse-warnings": true },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(fatalLine(run)).toMatch(
      new RegExp(`^buildkite-agent: fatal: pipeline "p\\.yml" parsed with warnings; refusing upload because --reject-parse-warnings is enabled: (.*; )?${escape(where)}: `),
    );
  });

  it("with --reject-parse-warnings nothing reaches Buildkite", async () => {
    const fixture = await job();
    const root = dir();
    const run = await upload([write(root, "p.yml", invalidPipelines[0]![1])], { env: fixture.env, cwd: root, flags: { "reject-parse-warnings": true } });
    expect(run.status).toBe(1);
    expect(fixture.server.requests().filter((request) => request.route.startsWith("pipelines"))).toEqual([]);
  });

  it("without it, the server's rejection of the async upload is logged and exits 1 without a fatal line", async () => {
    const fixture = await job();
    const root = dir();
    const run = await upload([write(root, "p.yml", invalidPipelines[0]![1])], { env: fixture.env, cwd: root });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/ERROR +Couldn't upload: .*rejected: Pipeline is invalid: .*timeout_in_minutes/);
    expect(fatalLine(run)).toBeUndefined();
    expect(fixture.server.pipelineUploads(fixture.jobId)).toEqual([expect.objectContaining({ state: "rejected" })]);
  });
});

describe("pipeline upload: secrets", () => {
  const pipeline = "steps:\n  - command: deploy --token $DEPLOY_TOKEN\n";

  it("warns when the pipeline holds a secret env value, and still uploads", async () => {
    const fixture = await job();
    const root = dir();
    const run = await upload([write(root, "p.yml", pipeline)], { env: { ...fixture.env, DEPLOY_TOKEN: "dt_0123456789" }, cwd: root });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      'Pipeline "p.yml" contains values interpolated from the following secret environment variables: [DEPLOY_TOKEN], which could leak sensitive information into the Buildkite UI.',
    );
    expect(fixture.server.pipelineUploads(fixture.jobId)).toHaveLength(1);
  });

  it("with --reject-secrets refuses it, exit 1, and uploads nothing", async () => {
    const fixture = await job();
    const root = dir();
    const run = await upload([write(root, "p.yml", pipeline)], {
      env: { ...fixture.env, DEPLOY_TOKEN: "dt_0123456789" },
      cwd: root,
      flags: { "reject-secrets": true },
    });
    expect(run.status).toBe(1);
    expect(fatalLine(run)).toBe(
      'buildkite-agent: fatal: pipeline "p.yml" contains values interpolated from the following secret environment variables: [DEPLOY_TOKEN], and cannot be uploaded to Buildkite',
    );
    expect(fixture.server.requests().filter((request) => request.route.startsWith("pipelines"))).toEqual([]);
  });

  it("with --reject-secrets still prints the warnings the agent logs before refusing", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", pipeline)], {
      env: { ...DRY_ENV, DEPLOY_TOKEN: "dt_0123456789", SHORT_TOKEN: "abc" },
      cwd: root,
      flags: { "dry-run": true, "reject-secrets": true },
    });
    expect(run.status).toBe(1);
    expect(warnLines(run).join("\n")).toMatch(/below minimum length.*SHORT_TOKEN/s);
    expect(fatalLine(run)).toMatch(/\[DEPLOY_TOKEN\], and cannot be uploaded/);
  });

  it("refuses a secret-named step env var with a literal value, but not a pure $VAR reference", async () => {
    const root = dir();
    const literal = "steps:\n  - command: x\n    env:\n      DB_PASSWORD: hunter2hunter2\n";
    const reference = "steps:\n  - command: x\n    env:\n      DB_PASSWORD: $$DB_PASSWORD\n";
    const flags = { "dry-run": true, "reject-secrets": true };
    const refused = await upload([write(root, "a.yml", literal)], { env: DRY_ENV, cwd: root, flags });
    expect(fatalLine(refused)).toMatch(/\[DB_PASSWORD\], and cannot be uploaded/);
    expect((await upload([write(root, "b.yml", reference)], { env: DRY_ENV, cwd: root, flags })).status).toBe(0);
  });

  it("does not scan when --redacted-vars is empty", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", pipeline)], {
      env: { ...DRY_ENV, DEPLOY_TOKEN: "dt_0123456789", BUILDKITE_REDACTED_VARS: "" },
      cwd: root,
      flags: { "dry-run": true, "reject-secrets": true },
    });
    expect(run.status).toBe(0);
  });
});

describe("pipeline upload: bad input", () => {
  it("invalid YAML: one line with the file, line and column, exit 1", async () => {
    const root = dir();
    const run = await upload([write(root, "bad.yml", "steps:\n  - command: [\n")], { env: DRY_ENV, cwd: root, flags: { "dry-run": true } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(fatalLine(run)).toMatch(/^buildkite-agent: fatal: pipeline parsing of "bad\.yml" failed: line \d+, column \d+: \S/);
    expect(run.stderr.split("\n").filter((line) => line.startsWith("buildkite-agent:"))).toHaveLength(1);
  });

  it("a file that does not exist", async () => {
    const root = dir();
    const run = await upload(["missing.yml"], { env: DRY_ENV, cwd: root });
    expect(run.status).toBe(1);
    expect(fatalLine(run)).toBe("buildkite-agent: fatal: failed to read file: open missing.yml: no such file or directory");
  });

  it("an empty file", async () => {
    const root = dir();
    const run = await upload([write(root, "sub/empty.yml", "")], { env: DRY_ENV, cwd: root });
    expect(run.status).toBe(1);
    expect(fatalLine(run)).toBe('buildkite-agent: fatal: pipeline file "sub/empty.yml" is empty');
  });

  it.each([
    ["${MISSING?}", "$MISSING: not set"],
    ["${MISSING?please set it}", "$MISSING: please set it"],
  ])("a missing required variable %s", async (expression, message) => {
    const root = dir();
    const run = await upload([write(root, "p.yml", `steps:\n  - command: echo ${expression}\n`)], { env: DRY_ENV, cwd: root, flags: { "dry-run": true } });
    expect(run.status).toBe(1);
    expect(fatalLine(run)).toBe(`buildkite-agent: fatal: pipeline interpolation of "p.yml" failed: interpolating command: ${message}`);
  });

  it("several default files", async () => {
    const root = dir();
    write(root, "buildkite.yml", "steps: []\n");
    write(root, ".buildkite/pipeline.yml", "steps: []\n");
    const run = await upload([], { env: DRY_ENV, cwd: root, stdin: "tty" });
    expect(fatalLine(run)).toBe(
      "buildkite-agent: fatal: found multiple configuration files: buildkite.yml, .buildkite/pipeline.yml; please keep only 1 configuration file present",
    );
  });

  it("no file, no stdin and no default file", async () => {
    const run = await upload([], { env: DRY_ENV, cwd: dir(), stdin: "tty" });
    expect(run.status).toBe(1);
    expect(fatalLine(run)).toBe(
      "buildkite-agent: fatal: could not find a default pipeline configuration file; see `buildkite-agent pipeline upload --help` for more information",
    );
  });

  it("an unknown --format for --dry-run", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", "steps: []\n")], { env: DRY_ENV, cwd: root, flags: { "dry-run": true, format: "toml" } });
    expect(fatalLine(run)).toBe('buildkite-agent: fatal: unknown output format "toml"');
  });

  // We cannot sign; uploading unsigned steps that verifying agents would refuse is worse than stopping.
  it("a signing key, which this agent cannot use", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", "steps: []\n")], { env: DRY_ENV, cwd: root, flags: { "dry-run": true, "jwks-file": "key.json" } });
    expect(run).toMatchObject({ status: 1, stdout: "" });
    expect(fatalLine(run)).toBe("buildkite-agent: fatal: couldn't sign pipeline: signing pipelines is not supported by this agent");
  });

  it("a real upload without a job", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", "steps: []\n")], { env: DRY_ENV, cwd: root });
    expect(fatalLine(run)).toBe(
      "buildkite-agent: fatal: missing job parameter; this is usually set in the environment for a Buildkite job via BUILDKITE_JOB_ID",
    );
  });
});

describe("pipeline upload: where the pipeline comes from", () => {
  it("finds the one default file when stdin is not piped", async () => {
    const root = dir();
    write(root, ".buildkite/pipeline.yml", "steps:\n  - command: from-default\n");
    const run = await upload([], { env: DRY_ENV, cwd: root, stdin: "tty", flags: { "dry-run": true } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Found config file ".buildkite/pipeline.yml"');
    expect(JSON.parse(run.stdout).steps[0].command).toBe("from-default");
  });

  it("reads piped stdin before looking for a default file", async () => {
    const root = dir();
    write(root, "buildkite.yml", "steps:\n  - command: from-file\n");
    const run = await upload([], { env: DRY_ENV, cwd: root, stdin: '{"steps":[{"command":"from-stdin"}]}', flags: { "dry-run": true } });
    expect(run.stderr).toContain("Reading pipeline config from STDIN");
    expect(JSON.parse(run.stdout).steps[0].command).toBe("from-stdin");
  });

  it("uploads nothing for empty stdin, exit 0", async () => {
    const fixture = await job();
    const run = await upload([], { env: fixture.env, cwd: dir(), stdin: "" });
    expect(run.status).toBe(0);
    expect(fixture.server.pipelineUploads(fixture.jobId)).toEqual([]);
  });

  it("uploads each document of a multi-document file, and each file given, in order", async () => {
    const fixture = await job();
    const root = dir();
    const first = write(root, "multi.yml", "steps:\n  - command: one\n---\nsteps:\n  - command: two\n");
    const second = write(root, "more.json", '{"steps":[{"command":"three"}]}');
    const run = await upload([first, second], { env: fixture.env, cwd: root, flags: { replace: true } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Successfully parsed and uploaded pipeline #1 from "multi.yml"');
    expect(run.stderr).toContain('Successfully parsed and uploaded pipeline #2 from "multi.yml"');
    expect(run.stderr).toContain('Successfully parsed and uploaded pipeline #1 from "more.json"');
    const uploads = fixture.server.pipelineUploads(fixture.jobId);
    expect(uploads.map((u) => (u.pipeline as { steps: { command: string }[] }).steps[0]!.command)).toEqual(["one", "two", "three"]);
    expect(uploads.every((u) => u.replace && u.state === "applied")).toBe(true);
  });

  it("uploads every document through one Agent API client, over one kept-alive connection", async () => {
    const fixture = await job();
    const proxy = await recordingProxy(fixture.endpoint);
    cleanups.push(() => proxy.close());
    const root = dir();
    const file = write(root, "multi.yml", "steps:\n  - command: one\n---\nsteps:\n  - command: two\n---\nsteps:\n  - command: three\n");
    const run = await upload([file], { env: { ...fixture.env, BUILDKITE_AGENT_ENDPOINT: proxy.endpoint }, cwd: root });
    expect(run.status).toBe(0);
    expect(fixture.server.pipelineUploads(fixture.jobId)).toHaveLength(3);
    // Three uploads and their status polls, one after another on the same socket.
    expect(proxy.userAgents.length).toBeGreaterThanOrEqual(6);
    expect(proxy.connections()).toBe(1);
  });
});

describe("pipeline upload: what is sent", () => {
  it("interpolates with the top-level env first, overriding the job's env; $$ escapes", async () => {
    const root = dir();
    const yaml = 'env:\n  TARGET: "staging-${REGION}"\n  REGION: override\nsteps:\n  - command: "deploy $TARGET ${REGION} $$HOME ${UNSET:-fallback}"\n';
    const run = await upload([write(root, "p.yml", yaml)], { env: { ...DRY_ENV, REGION: "eu" }, cwd: root, flags: { "dry-run": true } });
    expect(run.status).toBe(0);
    const sent = JSON.parse(run.stdout);
    expect(sent.env).toEqual({ TARGET: "staging-eu", REGION: "override" });
    expect(sent.steps[0].command).toBe("deploy staging-eu override $HOME fallback");
  });

  // Regression: each document was interpolated with the job's env alone, so a
  // later document or file saw none of an earlier one's top-level env.
  it.each([
    ["overrides the job's env", [], "deploy override to prod-override"],
    ["fills only new names with interpolation-prefers-runtime-env", ["interpolation-prefers-runtime-env"], "deploy eu to prod-eu"],
  ])("an earlier document's top-level env is seen by later documents and files: %s", async (_name, experiment, expected) => {
    const fixture = await job();
    const root = dir();
    const first = write(root, "multi.yml", 'env:\n  REGION: override\n  STAGE: "prod-${REGION}"\nsteps:\n  - command: one\n---\nsteps:\n  - command: "deploy $REGION to $STAGE"\n');
    const second = write(root, "more.yml", 'steps:\n  - command: "deploy $REGION to $STAGE"\n');
    const flags: Record<string, string[]> = experiment.length > 0 ? { experiment } : {};
    const run = await upload([first, second], { env: { ...fixture.env, REGION: "eu" }, cwd: root, flags });
    expect(run.status).toBe(0);
    const commands = fixture.server.pipelineUploads(fixture.jobId).map((u) => (u.pipeline as { steps: { command: string }[] }).steps[0]!.command);
    expect(commands).toEqual(["one", expected, expected]);
  });

  it("--no-interpolation leaves every reference as written", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", "steps:\n  - command: echo ${X?} $Y\n")], {
      env: DRY_ENV,
      cwd: root,
      flags: { "dry-run": true, "no-interpolation": true },
    });
    expect(JSON.parse(run.stdout).steps[0].command).toBe("echo ${X?} $Y");
  });

  it("resolves BUILDKITE_COMMIT to the full SHA with git before interpolating", async () => {
    const repo = gitRepo();
    const head = git(repo, "rev-parse", "HEAD");
    write(repo, "p.yml", "steps:\n  - command: deploy $BUILDKITE_COMMIT\n");
    const run = await upload(["p.yml"], { env: { ...DRY_ENV, BUILDKITE_COMMIT: "feature" }, cwd: repo, flags: { "dry-run": true } });
    expect(run.stderr).toContain(`Updating BUILDKITE_COMMIT to "${head}"`);
    expect(JSON.parse(run.stdout).steps[0].command).toBe(`deploy ${head}`);
  });

  it("keeps BUILDKITE_COMMIT, with a warning, when git cannot resolve it", async () => {
    const root = dir();
    write(root, "p.yml", "steps:\n  - command: deploy $BUILDKITE_COMMIT\n");
    const run = await upload(["p.yml"], { env: { ...DRY_ENV, BUILDKITE_COMMIT: "HEAD" }, cwd: root, flags: { "dry-run": true } });
    expect(run.status).toBe(0);
    expect(warnLines(run).join("\n")).toMatch(/Error running git rev-parse "HEAD": exit status 128/);
    expect(JSON.parse(run.stdout).steps[0].command).toBe("deploy HEAD");
  });

  it("adds BUILDKITE_TRACE_CONTEXT to the pipeline's env", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", "steps: []\n")], {
      env: { ...DRY_ENV, BUILDKITE_TRACE_CONTEXT: "abc123" },
      cwd: root,
      flags: { "dry-run": true },
    });
    expect(JSON.parse(run.stdout).env).toEqual({ BUILDKITE_TRACE_CONTEXT: "abc123" });
  });

  it("expands plugin sources as buildkite.com would, and prints YAML with --format yaml", async () => {
    const root = dir();
    const yaml = "steps:\n  - command: x\n    plugins:\n      - docker#v5.12.0:\n          image: node\n      - acme/lint#v1\n";
    const json = await upload([write(root, "p.yml", yaml)], { env: DRY_ENV, cwd: root, flags: { "dry-run": true } });
    expect(JSON.parse(json.stdout).steps[0].plugins).toEqual([
      { "github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0": { image: "node" } },
      { "github.com/acme/lint-buildkite-plugin#v1": null },
    ]);
    expect(json.stdout).toMatch(/^\{\n  "steps": \[/);
    const asYaml = await upload(["p.yml"], { env: DRY_ENV, cwd: root, flags: { "dry-run": true, format: "yaml" } });
    expect(asYaml.stdout).toMatch(/^steps:\n/m);
    expect(asYaml.stdout).toContain("github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0");
  });
});

describe("pipeline upload: if_changed", () => {
  const yaml = [
    "steps:",
    "  - command: always",
    "  - command: foo",
    '    if_changed: "foo/**"',
    "  - command: bar",
    '    if_changed: "bar/**"',
    "  - group: G",
    "    steps:",
    "      - command: go",
    '        if_changed: { include: "**.go", exclude: "foo/**" }',
    "",
  ].join("\n");
  const skip = "if_changed matched no unexcluded changed files in this build";

  it("skips steps whose globs match none of the files changed since the merge-base with the diff base", async () => {
    const repo = gitRepo();
    const run = await upload([write(repo, "p.yml", yaml)], { env: DRY_ENV, cwd: repo, flags: { "dry-run": true, "git-diff-base": "main" } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("if_changed found 1 changed file");
    const steps = JSON.parse(run.stdout).steps;
    expect(steps[0]).not.toHaveProperty("skip");
    expect(steps[1]).not.toHaveProperty("skip");
    expect(steps[2].skip).toBe(skip);
    expect(steps[3].steps[0].skip).toBe(skip);
    expect(run.stdout).not.toContain('"if_changed"');
  });

  it("takes the changed files from --changed-files-path instead of git", async () => {
    const root = dir();
    write(root, "changed.txt", "bar/readme.md\n\n");
    const run = await upload([write(root, "p.yml", yaml)], { env: DRY_ENV, cwd: root, flags: { "dry-run": true, "changed-files-path": "changed.txt" } });
    expect(run.stderr).toContain('if_changed read 1 changed file from "changed.txt"');
    const steps = JSON.parse(run.stdout).steps;
    expect([steps[1].skip, steps[2].skip]).toEqual([skip, undefined]);
  });

  it("reads at most 64 MiB of --changed-files-path: beyond, it logs why and skips nothing", async () => {
    const root = dir();
    // Sparse: 64 MiB and one byte of NULs, without writing them.
    writeFileSync(path.join(root, "changed.txt"), "");
    truncateSync(path.join(root, "changed.txt"), 64 * 1024 * 1024 + 1);
    const run = await upload([write(root, "p.yml", yaml)], { env: DRY_ENV, cwd: root, flags: { "dry-run": true, "changed-files-path": "changed.txt" } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      'Couldn\'t read changed files from "changed.txt", not skipping any pipeline steps: reading changed files from "changed.txt": changed.txt is larger than 67108864 bytes',
    );
    expect(run.stdout).not.toContain('"skip"');
  });

  it("skips nothing, logging why, when git cannot tell what changed; --apply-if-changed=false only drops the keys", async () => {
    const root = dir();
    const run = await upload([write(root, "p.yml", yaml)], { env: DRY_ENV, cwd: root, flags: { "dry-run": true } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Couldn\'t determine git diff from upstream, not skipping any pipeline steps: git rev-parse "origin/main": exit status 128');
    expect(run.stdout).not.toContain("skip");
    const off = await upload(["p.yml"], { env: DRY_ENV, cwd: root, flags: { "dry-run": true, "apply-if-changed": false } });
    expect(off.stderr).not.toContain("git diff");
    expect(off.stdout).not.toMatch(/skip|if_changed/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
