import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { JobLog } from "../../src/job-log.js";
import { createProcessRunner, type ProcessRunner } from "../../src/process-runner.js";

/** A temp dir per test; `cleanup` removes every one made. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(prefix = "plugins-test-"): Promise<string> {
    const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
    this.#dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}

/** An env for git that never touches the real ~/.gitconfig. */
export function gitEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_GLOBAL: path.join(home, "gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
  };
}

export function git(cwd: string, env: Record<string, string>, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
}

/** Writes files (path → content; executable when the path is under hooks/). */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content, { mode: name.includes("hooks/") ? 0o755 : 0o644 });
  }
}

/** The shas of a plugin repo the tests clone: tag v1.0.0 on the first commit, branch `feature` ahead by one. */
export interface PluginRepo {
  readonly dir: string;
  readonly first: string;
  readonly feature: string;
  readonly main: string;
}

/** Makes a git repo holding a plugin (hooks/environment), with a tag, a branch and a later main commit. */
export async function makePluginRepo(dir: string, env: Record<string, string>, files: Record<string, string> = { "hooks/environment": "echo v1\n" }): Promise<PluginRepo> {
  await fs.mkdir(dir, { recursive: true });
  git(dir, env, "init", "-q", "-b", "main");
  await writeFiles(dir, { ...files, "VERSION": "1\n" });
  git(dir, env, "add", "-A");
  git(dir, env, "commit", "-q", "-m", "first");
  git(dir, env, "tag", "v1.0.0");
  const first = git(dir, env, "rev-parse", "HEAD");
  git(dir, env, "checkout", "-q", "-b", "feature");
  await writeFiles(dir, { VERSION: "feature\n" });
  git(dir, env, "commit", "-q", "-am", "feature");
  const feature = git(dir, env, "rev-parse", "HEAD");
  git(dir, env, "checkout", "-q", "main");
  await writeFiles(dir, { VERSION: "2\n" });
  git(dir, env, "commit", "-q", "-am", "second");
  return { dir, first, feature, main: git(dir, env, "rev-parse", "HEAD") };
}

/** A job log and a process runner writing into one collected string. */
export function collectingLog(): { log: JobLog; runProcess: ProcessRunner; text: () => string } {
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { log: new JobLog(output, { ansi: false }), runProcess: createProcessRunner({ output, pty: false }), text: () => text };
}

/** Every entry under `dir`, recursively, relative to it (a small tree only). */
export async function tree(dir: string, depth = 2): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string, level: number): Promise<void> => {
    for (const entry of (await fs.readdir(current, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const relative = path.relative(dir, path.join(current, entry.name));
      out.push(relative);
      if (entry.isDirectory() && level < depth) await walk(path.join(current, entry.name), level + 1);
    }
  };
  await walk(dir, 1);
  return out;
}
