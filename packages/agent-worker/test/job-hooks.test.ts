import { describe, expect, it } from "@jest/globals";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { captureLogger, jobFinished, startPool, startServer, stripTimestamps, tempDir } from "./harness.js";

/** A pre-bootstrap hook's output lines in the agent log (as runHook logs them). */
function hookLines(lines: readonly string[], hook: string): string[] {
  const prefix = `info: ${hook}: `;
  return lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length).replace(/ \{"hook":.*\}$/, ""));
}

describe("agent hooks without a hooks shell (Go's shell.Script)", () => {
  // Regression: hooks ran as `<shell> <file>` with `shell` (/bin/bash -e -c), so bash
  // tried to *execute* the file and a non-executable hook failed with 126.
  it("runs a non-executable pre-bootstrap hook without a shebang with bash", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "pre-bootstrap"), 'echo "bash=${BASH_VERSION:+yes} job=$BUILDKITE_JOB_ID"\n', { mode: 0o644 });
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "echo ran" });
    startPool(server, { hooksPath: hooks, logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, signalReason: undefined });
    expect(hookLines(lines, "pre-bootstrap")).toEqual([`bash=yes job=${job.id}`]);
    expect(stripTimestamps(await server.jobLog(job.id))).toBe("ran\n");
  });

  it("runs a hook with a shebang directly, its interpreter chosen by the shebang", async () => {
    const server = await startServer();
    const hooks = tempDir();
    // /bin/cat as the interpreter prints the file: no shell could have run it.
    writeFileSync(path.join(hooks, "pre-bootstrap"), "#!/bin/cat\nnot a shell command\n", { mode: 0o755 });
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "echo ran" });
    startPool(server, { hooksPath: hooks, logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(hookLines(lines, "pre-bootstrap")).toEqual(["#!/bin/cat", "not a shell command"]);
  });

  it("falls back to sh, with a warning, when bash is not on the PATH", async () => {
    const server = await startServer();
    const hooks = tempDir();
    const bin = tempDir();
    for (const tool of ["sh", "cat"]) symlinkSync(`/bin/${tool}`, path.join(bin, tool));
    writeFileSync(path.join(hooks, "pre-bootstrap"), 'echo "bash=${BASH_VERSION:-no}"\n', { mode: 0o644 });
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "echo ran" });
    // The hook's PATH is the agent's; the executor is a fixture with an absolute path.
    startPool(server, { hooksPath: hooks, logger, env: { PATH: bin } });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(hookLines(lines, "pre-bootstrap")).toEqual(["bash=no"]);
    expect(lines.some((line) => line.startsWith("warn: Couldn't find bash on the PATH. Attempting to fall back to sh."))).toBe(true);
  });

  it("still runs hooks as `<hooks shell> <file>` when hooksShell is set", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "pre-bootstrap"), "#!/bin/cat\necho via-the-hooks-shell\n", { mode: 0o644 });
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    startPool(server, { hooksPath: hooks, hooksShell: "/bin/sh -e", logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(hookLines(lines, "pre-bootstrap")).toEqual(["via-the-hooks-shell"]);
  });

  it("runs agent-startup and agent-shutdown found as <name> or <name>.ps1 in every hooks directory", async () => {
    const server = await startServer();
    const out = tempDir();
    const [first, second] = [tempDir(), tempDir()];
    // Not executable, no shebang: bash. A .ps1 with a shebang runs directly.
    writeFileSync(path.join(first, "agent-startup"), `echo first >> ${out}/startup\n`, { mode: 0o644 });
    writeFileSync(path.join(second, "agent-startup.ps1"), `#!/bin/sh\necho second >> ${out}/startup\n`, { mode: 0o755 });
    writeFileSync(path.join(second, "agent-shutdown.ps1"), `#!/bin/sh\necho "$BUILDKITE_AGENT_NAMES" >> ${out}/shutdown\n`, { mode: 0o755 });
    const { pool } = startPool(server, { hooksPath: first, additionalHooksPaths: [second], name: "ps-%spawn" });
    await pool.ready;
    expect(readFileSync(path.join(out, "startup"), "utf8")).toBe("first\nsecond\n");
    expect(await pool.stop("graceful")).toEqual({ exitCode: 0 });
    expect(readFileSync(path.join(out, "shutdown"), "utf8")).toBe("ps-1\n");
  });
});

describe("hook lookup: <name>, then <name>.ps1 (lifecycle.md §9)", () => {
  it("prefers the bare name over .ps1 in the same directory", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "pre-bootstrap"), "echo bare\n", { mode: 0o644 });
    writeFileSync(path.join(hooks, "pre-bootstrap.ps1"), "#!/bin/sh\necho ps1\n", { mode: 0o755 });
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    startPool(server, { hooksPath: hooks, logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(hookLines(lines, "pre-bootstrap")).toEqual(["bare"]);
    expect(hookLines(lines, "pre-bootstrap.ps1")).toEqual([]);
  });

  it("runs a .ps1 without a shebang as `pwsh -file <hook>`, pwsh found on the PATH", async () => {
    const server = await startServer();
    const hooks = tempDir();
    const bin = tempDir();
    // A stand-in pwsh that shows how it was called.
    writeFileSync(path.join(bin, "pwsh"), '#!/bin/sh\necho "pwsh $*"\n', { mode: 0o755 });
    mkdirSync(path.join(hooks, "pre-bootstrap"));
    const ps1 = path.join(hooks, "pre-bootstrap.ps1");
    writeFileSync(ps1, "Write-Output 'hi'\n", { mode: 0o644 });
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    startPool(server, { hooksPath: hooks, logger, env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    // A directory named like the hook is skipped, as Go's hook.Find does.
    expect(hookLines(lines, "pre-bootstrap.ps1")).toEqual([`pwsh -file ${ps1}`]);
  });

  it("refuses the job with a clear reason when a .ps1 hook needs pwsh and there is none", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "pre-bootstrap.ps1"), "Write-Output 'hi'\n", { mode: 0o644 });
    // A PATH without pwsh, even on machines that have PowerShell installed.
    const bin = tempDir();
    for (const tool of ["sh", "cat"]) symlinkSync(`/bin/${tool}`, path.join(bin, tool));
    const { logger, lines } = captureLogger();
    const job = server.createJob(server.createBuild().id, { command: "echo should-not-run" });
    startPool(server, { hooksPath: hooks, logger, env: { PATH: bin } });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "agent_refused" });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(
      "pre-bootstrap hook rejected this job, see the buildkite-agent logs for more details\n",
    );
    expect(lines).toContain(
      `error: pre-bootstrap hook rejected this job: error finding pwsh, needed to run .ps1 scripts: pwsh is not on the PATH {"job":"${job.id}"}`,
    );
  });
});
