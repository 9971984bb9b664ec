import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Environment, JobApiServer } from "@agent/job-runner";
import { BIN } from "./run-agent.js";

/** What the declarer behind `POST /promise-failure` answers, by exit status; accepted when not listed. */
export type Declarations = Record<number, { accepted: boolean; upstreamStatus?: number; error?: string }>;

/**
 * A real Job API server on a Unix socket in a fresh temp dir, recording what
 * reached its redaction and promise-failure callbacks. `close()` stops it and
 * removes the dir.
 */
export interface JobApiFixture {
  readonly dir: string;
  readonly environment: Environment;
  readonly server: JobApiServer;
  /** `BUILDKITE_AGENT_JOB_API_SOCKET` and `_TOKEN` for the job's commands. */
  readonly jobEnv: Readonly<Record<string, string>>;
  readonly redactions: string[];
  readonly declared: { exitStatus: number; reason: string | undefined }[];
  close(): Promise<void>;
}

export async function startJobApi(initial: Record<string, string>, declarations: Declarations = {}): Promise<JobApiFixture> {
  // Short: a Unix socket path must stay under 108 bytes.
  const dir = mkdtempSync(path.join(tmpdir(), "bkja-"));
  const environment = new Environment(initial);
  const redactions: string[] = [];
  const declared: { exitStatus: number; reason: string | undefined }[] = [];
  const server = new JobApiServer({
    environment,
    mode: "from-job",
    socketsPath: dir,
    closeGraceMs: 1000,
    onRedaction: (value) => void redactions.push(value),
    promiseFailure: async (exitStatus, reason) => {
      declared.push({ exitStatus, reason });
      return declarations[exitStatus] ?? { accepted: true, upstreamStatus: 200 };
    },
  });
  let endpoint;
  try {
    endpoint = await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    environment,
    server,
    jobEnv: { BUILDKITE_AGENT_JOB_API_SOCKET: endpoint.socketPath, BUILDKITE_AGENT_JOB_API_TOKEN: endpoint.token },
    redactions,
    declared,
    async close() {
      try {
        await server.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly cwd?: string;
}

export interface ProcessRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real executable with `env` only (plus PATH), `stdin` piped in, killed after 20 s. */
export function runProcess(args: readonly string[], options: RunOptions = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
      cwd: options.cwd ?? process.cwd(),
      stdio: ["pipe", "pipe", "pipe"],
      timeout: 20_000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}
