import { writeFileSync } from "node:fs";
import path from "node:path";
import { processesWith, runBootstrap, sandbox } from "./harness.js";

// Marks this file's sleeping commands in the process table.
const SLEEP = "sleep 28.417";

describe("buildkite-agent bootstrap as a real process", () => {
  it("runs a job from BUILDKITE_* env vars and exits with the command's status", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "environment"), "export GREETING=hello\n");
    const result = await runBootstrap({ ...box.env, BUILDKITE_COMMAND: 'echo "$GREETING from bootstrap"; exit 3' });
    expect(result.log).toContain("hello from bootstrap");
    expect(result.log).toContain("🚨 Error: The command exited with status 3");
    expect(result.code).toBe(3);
  });

  it("exits 1 with the real Missing line when a required env var is absent", async () => {
    const box = sandbox();
    const { BUILDKITE_PIPELINE_PROVIDER: _dropped, ...env } = box.env;
    const result = await runBootstrap({ ...env, BUILDKITE_COMMAND: "echo command-ran" });
    expect(result.code).toBe(1);
    expect(result.log).toContain("Missing pipeline-provider. See: `buildkite-agent bootstrap --help`");
    expect(result.log).not.toContain("command-ran");
  });

  it("runs the command in a PTY when BUILDKITE_PTY is on", async () => {
    const box = sandbox();
    const command = 'if [ -t 1 ]; then echo "stdout is a tty: $TERM"; else echo "not a tty"; fi';
    const pty = await runBootstrap({ ...box.env, BUILDKITE_PTY: "true", BUILDKITE_COMMAND: command });
    expect(pty.code).toBe(0);
    expect(pty.log).toContain("stdout is a tty: xterm-256color");
    const plain = await runBootstrap({ ...box.env, BUILDKITE_PTY: "false", BUILDKITE_COMMAND: command });
    expect(plain.log).toContain("not a tty");
  });

  it("on SIGTERM mid-command kills the command, runs post-command, then dies by SIGTERM", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "post-command"), 'echo "post-command cancelled=$BUILDKITE_JOB_CANCELLED"\n');
    box.write(path.join(box.hooksPath, "pre-exit"), 'echo "pre-exit timed-out=${BUILDKITE_JOB_TIMED_OUT:-no}"\n');
    const result = await runBootstrap(
      { ...box.env, BUILDKITE_CANCEL_GRACE_PERIOD: "3", BUILDKITE_COMMAND: `echo started; ${SLEEP}` },
      { interrupt: { when: "\nstarted\n", signal: "SIGTERM" } },
    );
    expect(result.signal).toBe("SIGTERM");
    expect(result.log).toContain("# Received cancellation signal, interrupting");
    expect(result.log).toContain("post-command cancelled=true");
    expect(result.log).toContain("pre-exit timed-out=no");
    expect(processesWith(SLEEP)).toEqual([]);
  });

  it("on SIGQUIT exits 131", async () => {
    const box = sandbox();
    const result = await runBootstrap(
      { ...box.env, BUILDKITE_CANCEL_GRACE_PERIOD: "3", BUILDKITE_COMMAND: `echo started; ${SLEEP}` },
      { interrupt: { when: "\nstarted\n", signal: "SIGQUIT" } },
    );
    expect(result.signal).toBeNull();
    expect(result.code).toBe(131);
    expect(processesWith(SLEEP)).toEqual([]);
  });

  it("sets BUILDKITE_JOB_TIMED_OUT when the timeout marker file exists at cancel", async () => {
    const box = sandbox();
    const marker = path.join(box.root, "timed-out");
    writeFileSync(marker, "");
    box.write(path.join(box.hooksPath, "pre-exit"), 'echo "pre-exit timed-out=${BUILDKITE_JOB_TIMED_OUT:-no}"\n');
    const result = await runBootstrap(
      {
        ...box.env,
        BUILDKITE_AGENT_JOB_TIMEOUT_FILE: marker,
        BUILDKITE_CANCEL_GRACE_PERIOD: "3",
        BUILDKITE_COMMAND: `echo started; ${SLEEP}`,
      },
      { interrupt: { when: "\nstarted\n", signal: "SIGTERM" } },
    );
    expect(result.signal).toBe("SIGTERM");
    expect(result.log).toContain("pre-exit timed-out=true");
    expect(processesWith(SLEEP)).toEqual([]);
  });
});
