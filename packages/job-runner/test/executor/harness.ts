import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { ApiClient } from "@agent/api-client";
import { AgentApiServer } from "@agent/agent-api-server";
import { bootstrapCommand, loadConfig } from "@agent/config";
import { runJob, type ArtifactUploader, type ArtifactUploadRequest, type JobOutcome } from "../../src/index.js";

/** The real `buildkite-agent` entry point (built by `pnpm build` in apps/agent). */
export const AGENT_BIN = fileURLToPath(new URL("../../../../apps/agent/bin/buildkite-agent", import.meta.url));

const ANSI = /\u001b\[[0-9;]*m/gu;

/** Log text without colours, so assertions read like the Buildkite UI. */
export function plain(text: string): string {
  return text.replace(ANSI, "");
}

/** One job's sandbox: temp dirs for home, builds, hooks, plugins and sockets. */
export interface Sandbox {
  readonly root: string;
  readonly hooksPath: string;
  readonly checkoutPath: string;
  /** Every hook made with {@link Sandbox.hook} appends a line here. */
  readonly orderFile: string;
  /** The env of a job that skips checkout and runs `BUILDKITE_COMMAND` (override freely). */
  readonly env: Record<string, string>;
  /** A git env that never reads the user's config. */
  readonly gitEnv: Record<string, string>;
  git(cwd: string, ...args: string[]): string;
  /** Writes an executable file (parents made). */
  write(file: string, content: string, mode?: number): string;
  /** A shell hook in `dir` that records "<label>" in the order file, then runs `body`. */
  hook(dir: string, name: string, label: string, body?: string): string;
  order(): string[];
}

const sandboxes: string[] = [];
afterEach(() => {
  for (const dir of sandboxes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh sandbox, removed after the current test. */
export function sandbox(): Sandbox {
  // Short: the Job API socket lives under it (Unix socket paths < 108 bytes).
  const root = mkdtempSync(path.join(tmpdir(), "ex-"));
  sandboxes.push(root);
  for (const dir of ["home", "builds", "hooks", "plugins", "s"]) mkdirSync(path.join(root, dir));
  writeFileSync(path.join(root, "gitconfig"), "[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n");
  const gitEnv: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: path.join(root, "home"),
    GIT_CONFIG_GLOBAL: path.join(root, "gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Ada Tester",
    GIT_AUTHOR_EMAIL: "ada@example.com",
    GIT_COMMITTER_NAME: "Ada Tester",
    GIT_COMMITTER_EMAIL: "ada@example.com",
  };
  const checkoutPath = path.join(root, "checkout");
  const orderFile = path.join(root, "order");
  const env: Record<string, string> = {
    ...gitEnv,
    BUILDKITE_JOB_ID: "job-1",
    BUILDKITE_REPO: path.join(root, "no-repo.git"),
    BUILDKITE_COMMIT: "HEAD",
    BUILDKITE_BRANCH: "main",
    BUILDKITE_AGENT_NAME: "test-agent",
    BUILDKITE_ORGANIZATION_SLUG: "acme",
    BUILDKITE_PIPELINE_SLUG: "app",
    BUILDKITE_PIPELINE_PROVIDER: "git",
    BUILDKITE_BUILD_PATH: path.join(root, "builds"),
    BUILDKITE_BUILD_CHECKOUT_PATH: checkoutPath,
    BUILDKITE_HOOKS_PATH: path.join(root, "hooks"),
    BUILDKITE_SOCKETS_PATH: path.join(root, "s"),
    BUILDKITE_PLUGINS_PATH: path.join(root, "plugins"),
    BUILDKITE_SKIP_CHECKOUT: "true",
    BUILDKITE_PTY: "false",
    BUILDKITE_COMMAND: "true",
    // Nothing may reach a real endpoint: a test that needs the API passes a client.
    BUILDKITE_AGENT_ENDPOINT: "http://127.0.0.1:9/v3",
    BUILDKITE_AGENT_ACCESS_TOKEN: "agent-access-token",
    ORDER_FILE: orderFile,
  };
  const write = (file: string, content: string, mode = 0o755): string => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  };
  return {
    root,
    hooksPath: path.join(root, "hooks"),
    checkoutPath,
    orderFile,
    env,
    gitEnv,
    git: (cwd, ...args) =>
      execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim(),
    write,
    hook: (dir, name, label, body = "") =>
      write(path.join(dir, name), `#!/bin/bash\necho "${label}" >> "$ORDER_FILE"\n${body}\n`),
    order: () => {
      try {
        return readFileSync(orderFile, "utf8").split("\n").filter((line) => line !== "");
      } catch {
        return [];
      }
    },
  };
}

/** A git repository with one commit of `files`, pushed to a bare origin; returns the origin path and sha. */
export function makeRepo(box: Sandbox, name: string, files: Record<string, string>): { origin: string; sha: string; work: string } {
  const work = path.join(box.root, `${name}-work`);
  mkdirSync(work);
  box.git(work, "init", "-q");
  for (const [file, content] of Object.entries(files)) {
    box.write(path.join(work, file), content, file.includes("hooks/") || file.endsWith(".sh") ? 0o755 : 0o644);
  }
  box.git(work, "add", "-A");
  box.git(work, "commit", "-q", "-m", `${name} first`);
  const origin = path.join(box.root, `${name}.git`);
  box.git(box.root, "clone", "-q", "--bare", work, origin);
  return { origin, sha: box.git(work, "rev-parse", "HEAD"), work };
}

/** An uploader that records each request (and the hook order), failing with `exitStatus` when given. */
export function recordingUploader(box: Sandbox, exitStatus?: number): ArtifactUploader & { calls: ArtifactUploadRequest[] } {
  const calls: ArtifactUploadRequest[] = [];
  return {
    calls,
    async upload(request) {
      calls.push(request);
      writeFileSync(box.orderFile, "upload\n", { flag: "a" });
      if (exitStatus !== undefined) {
        throw Object.assign(new Error(`upload failed with status ${exitStatus}`), { exitStatus });
      }
    },
  };
}

/** What an in-process job produced. */
export interface InProcessResult extends JobOutcome {
  /** The job log without ANSI colours. */
  readonly log: string;
  readonly raw: string;
}

/** Runs a job in process through `runJob`, as `bootstrap` would with this env. */
export async function runInProcess(
  box: Sandbox,
  env: Record<string, string>,
  options: {
    artifactUploader?: ArtifactUploader;
    apiClient?: ApiClient;
    signal?: AbortSignal;
    onOutput?: (text: string) => void;
    agentPath?: string;
  } = {},
): Promise<InProcessResult> {
  const config = loadConfig(bootstrapCommand, { env, flags: {}, configSearchPaths: [] }).values;
  const output = new PassThrough();
  let raw = "";
  output.on("data", (chunk: Buffer) => {
    raw += chunk.toString("utf8");
    options.onOutput?.(plain(raw));
  });
  const outcome = await runJob(config, {
    env,
    output,
    tempDir: box.root,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.apiClient === undefined ? {} : { apiClient: options.apiClient }),
    ...(options.artifactUploader === undefined ? {} : { artifactUploader: options.artifactUploader }),
    ...(options.agentPath === undefined ? {} : { agentPath: options.agentPath }),
  });
  return { ...outcome, raw, log: plain(raw) };
}

/** A real Agent API server with one build and job; the env points the job at it. */
export interface ApiFixture {
  readonly server: AgentApiServer;
  readonly buildId: string;
  readonly client: ApiClient;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startApi(): Promise<ApiFixture> {
  const server = new AgentApiServer();
  const { endpoint } = await server.listen({ host: "127.0.0.1", port: 0 });
  const build = server.createBuild({ pipelineSlug: "app" });
  const job = server.createJob(build.id, { command: "true" });
  const client = new ApiClient({ endpoint, token: job.token, env: {} });
  return {
    server,
    buildId: build.id,
    client,
    env: { BUILDKITE_JOB_ID: job.id, BUILDKITE_AGENT_ENDPOINT: endpoint, BUILDKITE_AGENT_ACCESS_TOKEN: job.token },
    close: () => server.close(),
  };
}

/** What a real `buildkite-agent bootstrap` process did. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly log: string;
}

/**
 * Runs `buildkite-agent bootstrap` as a real process with exactly `env`.
 * `interrupt` sends `signal` once the log contains `when`. Bounded by `timeoutMs`.
 */
export function runBootstrap(
  env: Record<string, string>,
  options: { interrupt?: { when: string; signal: NodeJS.Signals }; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT_BIN, "bootstrap"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    let sent = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bootstrap did not finish in time; log so far:\n${plain(text)}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      const interrupt = options.interrupt;
      if (interrupt !== undefined && !sent && plain(text).includes(interrupt.when)) {
        sent = true;
        child.kill(interrupt.signal);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, log: plain(text) });
    });
  });
}

/** Pids of live processes whose command line contains `marker` (zombies excluded). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/u.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (cmdline.includes(marker) && state !== "Z") found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Resolves once `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A shell function hooks use to call the Job API over its Unix socket with curl:
 * `job_api METHOD PATH BODY` prints the answer and ` status=<code>`.
 */
export const JOB_API_SHELL_FUNCTION = [
  "job_api() {",
  '  curl --silent --show-error --unix-socket "$BUILDKITE_AGENT_JOB_API_SOCKET" \\',
  '    -H "Authorization: Bearer $BUILDKITE_AGENT_JOB_API_TOKEN" -H "Content-Type: application/json" \\',
  '    -X "$1" "http://job/api/current-job/v0/$2" -d "$3" -w " status=%{http_code}\\n"',
  "}",
].join("\n");
