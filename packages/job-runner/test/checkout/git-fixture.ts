import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Environment, JobLog, createProcessRunner, type ProcessRunner } from "../../src/index.js";

/** Repositories made once per test file: an origin with branches, a tag, a PR ref and a submodule. */
export interface GitFixture {
  readonly root: string;
  /** A git env that never touches the real ~/.gitconfig. */
  readonly env: Record<string, string>;
  /** Bare origin (a local path). */
  readonly origin: string;
  readonly main: string;
  readonly mainFirst: string;
  readonly feature: string;
  readonly tagged: string;
  readonly pullRequest: string;
  readonly withSubmodule: string;
  readonly submoduleCommit: string;
  git(cwd: string, ...args: string[]): string;
  cleanup(): Promise<void>;
}

export async function createGitFixture(): Promise<GitFixture> {
  const root = await mkdtemp(join(tmpdir(), "checkout-fixture-"));
  const home = join(root, "home");
  await mkdir(home);
  await writeFile(join(root, "gitconfig"), "[init]\n\tdefaultBranch = main\n");
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_GLOBAL: join(root, "gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Ada Tester",
    GIT_AUTHOR_EMAIL: "ada@example.com",
    GIT_COMMITTER_NAME: "Ada Tester",
    GIT_COMMITTER_EMAIL: "ada@example.com",
    GIT_TERMINAL_PROMPT: "0",
  };
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  const commit = async (cwd: string, file: string, content: string, message: string): Promise<string> => {
    await writeFile(join(cwd, file), content);
    git(cwd, "add", file);
    git(cwd, "commit", "-q", "-m", message);
    return git(cwd, "rev-parse", "HEAD");
  };

  const sub = join(root, "sub");
  await mkdir(sub);
  git(sub, "init", "-q");
  const submoduleCommit = await commit(sub, "sub.txt", "from the submodule\n", "Submodule content");
  const subBare = join(root, "sub.git");
  git(root, "clone", "-q", "--bare", sub, subBare);

  const work = join(root, "work");
  await mkdir(work);
  git(work, "init", "-q");
  const mainFirst = await commit(work, "a.txt", "a\n", "First commit");
  git(work, "tag", "v1.0");
  const main = await commit(work, "b.txt", "b\n", "Second commit\n\nWith a body\nof two lines");
  git(work, "checkout", "-q", "-b", "feature", mainFirst);
  const feature = await commit(work, "feature.txt", "feature\n", "Feature work");
  git(work, "checkout", "-q", "-b", "pr-branch", main);
  const pullRequest = await commit(work, "pr.txt", "pr\n", "Pull request work");
  git(work, "checkout", "-q", "-b", "with-submodule", main);
  git(work, "-c", "protocol.file.allow=always", "submodule", "add", "-q", subBare, "sub");
  git(work, "commit", "-q", "-m", "Add a submodule");
  const withSubmodule = git(work, "rev-parse", "HEAD");

  const origin = join(root, "origin.git");
  git(root, "init", "-q", "--bare", origin);
  git(work, "push", "-q", origin, "main", "feature", "with-submodule", "v1.0");
  // GitHub's pull request ref: not a branch, only reachable as refs/pull/7/head.
  git(work, "push", "-q", origin, `${pullRequest}:refs/pull/7/head`);

  return {
    root,
    env,
    origin,
    main,
    mainFirst,
    feature,
    tagged: mainFirst,
    pullRequest,
    withSubmodule,
    submoduleCommit,
    git,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A runner and job log writing to one transcript (no ANSI, no PTY: fast and plain). */
export interface Transcript {
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  text(): string;
}

export function createTranscript(): Transcript {
  const chunks: string[] = [];
  const output = new PassThrough();
  output.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  return {
    runner: createProcessRunner({ output, pty: false }),
    log: new JobLog({ write: (text: string) => chunks.push(text) }, { ansi: false }),
    text: () => chunks.join(""),
  };
}

export function fixtureEnvironment(fixture: GitFixture, extra: Record<string, string> = {}): Environment {
  return new Environment({ ...fixture.env, ...extra });
}
