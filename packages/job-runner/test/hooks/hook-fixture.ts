import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { JobLog } from "../../src/job-log.js";
import { createProcessRunner } from "../../src/process-runner.js";
import type { HookContext } from "../../src/hooks/index.js";

/** A temp dir per test with a job log, a runner and a base hook context; `cleanup()` removes it. */
export interface HookFixture {
  readonly dir: string;
  /** Everything the log and the hook processes wrote, in order. */
  readonly output: () => string;
  readonly context: HookContext;
  readonly write: (relativePath: string, body: string, mode?: number) => Promise<string>;
  readonly cleanup: () => Promise<void>;
}

export async function hookFixture(overrides: Partial<HookContext> = {}): Promise<HookFixture> {
  // realpath: on some systems the temp dir is behind a symlink, and the shell reports the real path.
  const dir = await realpath(await mkdtemp(join(tmpdir(), "hooks-test-")));
  const tempDir = join(dir, "tmp");
  const cwd = join(dir, "work");
  await mkdir(tempDir);
  await mkdir(cwd);
  const chunks: string[] = [];
  const output = new PassThrough();
  output.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  const log = new JobLog({ write: (text: string) => output.write(text) }, { ansi: false });
  const runner = createProcessRunner({ output, pty: false, signalGracePeriodMs: 500, outputDrainTimeoutMs: 500 });
  return {
    dir,
    output: () => chunks.join(""),
    context: { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, cwd, runner, log, tempDir, ...overrides },
    write: async (relativePath, body, mode = 0o755) => {
      const path = join(dir, relativePath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
      await chmod(path, mode);
      return path;
    },
    cleanup: async () => {
      output.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `text` as one single-quoted POSIX shell word. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
