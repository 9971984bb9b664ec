import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The real executable, as users run it; `pnpm build` must have produced dist/. */
export const BIN = fileURLToPath(new URL("../bin/buildkite-agent", import.meta.url));

export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

export interface AgentRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A scratch directory with an empty HOME and an empty config file, so that runs
 * never read the machine's ~/.buildkite-agent or the developer's env vars.
 * Call `remove()` in afterAll.
 */
export interface Sandbox {
  readonly dir: string;
  readonly home: string;
  /** An empty config file to pass as `--config`, so `start` reads no file found on the machine. */
  readonly emptyConfig: string;
  readonly buildPath: string;
  /** Runs the bin with `node`, an environment of PATH, HOME and `env` only, and a time limit. */
  run(args: readonly string[], env?: Readonly<Record<string, string>>): AgentRun;
  /** The same, without blocking, for tests that run many commands side by side. */
  runAsync(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<AgentRun>;
  remove(): void;
}

export function createSandbox(): Sandbox {
  const dir = mkdtempSync(path.join(tmpdir(), "buildkite-agent-cli-"));
  const home = path.join(dir, "home");
  const emptyConfig = path.join(dir, "empty.cfg");
  mkdirSync(home);
  writeFileSync(emptyConfig, "");
  return {
    dir,
    home,
    emptyConfig,
    buildPath: path.join(dir, "builds"),
    run(args, env = {}) {
      const result = spawnSync(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ...env },
        cwd: dir,
        encoding: "utf8",
        timeout: 20_000,
        killSignal: "SIGKILL",
      });
      if (result.error) throw result.error;
      return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
    },
    runAsync(args, env = {}) {
      return new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          [BIN, ...args],
          { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ...env }, cwd: dir, encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL" },
          (error, stdout, stderr) => {
            // A non-zero exit is an outcome to assert on, not a failure to run.
            if (error && typeof error.code !== "number") return reject(error);
            resolve({ status: error ? (error.code as number) : 0, signal: (error?.signal as NodeJS.Signals | undefined) ?? null, stdout, stderr });
          },
        );
      });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** No stack trace in the output: no `    at f (file:1:2)` frames, no `node:internal` paths. */
export function expectNoStack(run: AgentRun): void {
  const output = run.stdout + run.stderr;
  if (/^\s+at .+/m.test(output) || output.includes("node:internal")) {
    throw new Error(`output has a stack trace:\n${output}`);
  }
}
