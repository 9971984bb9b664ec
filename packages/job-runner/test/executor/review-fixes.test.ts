import { chmodSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { JOB_API_SHELL_FUNCTION, runInProcess, sandbox } from "./harness.js";

// Regressions found in review of the executor.

const JOB_API = JOB_API_SHELL_FUNCTION;

describe("secrets in env-change log lines", () => {
  it("never prints an SSH key set through the Job API, and redacts a secret setting before logging it", async () => {
    const box = sandbox();
    const key = "PRIVATEKEYMATERIAL123";
    box.write(
      path.join(box.hooksPath, "pre-command"),
      `${JOB_API}\njob_api PATCH env '{"env":{"BUILDKITE_GIT_SSH_KEY":"${key}","BUILDKITE_REFSPEC":"refs/heads/x"}}'\n`,
    );
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "true" });
    expect(result.exitCode).toBe(0);
    expect(result.raw).not.toContain(key);
    expect(result.log).toContain("# BUILDKITE_GIT_SSH_KEY changed");
    expect(result.log).toContain('# BUILDKITE_REFSPEC is now "refs/heads/x"');
  });

  it("redacts a secret-named var a shell hook exports before its change line could show it", async () => {
    const box = sandbox();
    const secret = "exported-in-a-hook-secret";
    box.write(path.join(box.hooksPath, "pre-command"), `export BUILDKITE_GIT_CLONE_FLAGS="-v --config=x.token=${secret}"\nexport API_TOKEN="${secret}"\n`);
    const result = await runInProcess(box, { ...box.env, BUILDKITE_REDACTED_VARS: "*_TOKEN,*_FLAGS", BUILDKITE_COMMAND: "true" });
    expect(result.exitCode).toBe(0);
    expect(result.raw).not.toContain(secret);
    expect(result.log).toContain("BUILDKITE_GIT_CLONE_FLAGS is now \"[REDACTED]\"");
  });
});

describe("local hooks", () => {
  it("BUILDKITE_NO_LOCAL_HOOKS exported by an agent hook refuses repository hooks", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "environment"), "export BUILDKITE_NO_LOCAL_HOOKS=true\n");
    box.write(path.join(box.checkoutPath, ".buildkite", "hooks", "pre-command"), "echo repository hook ran\n");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "echo command ran" });
    expect(result.exitCode).toBe(1);
    expect(result.log).not.toContain("repository hook ran");
    expect(result.log).not.toContain("command ran");
    expect(result.log).toMatch(/refusing to run .*pre-command, local hooks are disabled/);
  });

  it("with the checkout phase skipped and no checkout dir, no repository hooks are looked up in the start directory", async () => {
    const box = sandbox();
    const missing = path.join(box.root, "does-not-exist");
    box.write(path.join(box.root, ".buildkite", "hooks", "pre-command"), "echo stray repository hook\n");
    // runJob starts in process.cwd() (it has no cwd option), so the job must start in
    // the dir holding the stray hook for this test to be able to fail.
    const startDir = process.cwd();
    process.chdir(box.root);
    let result;
    try {
      result = await runInProcess(box, {
        ...box.env,
        BUILDKITE_BOOTSTRAP_PHASES: "command",
        BUILDKITE_BUILD_CHECKOUT_PATH: missing,
        BUILDKITE_COMMAND: "pwd",
      });
    } finally {
      process.chdir(startDir);
    }
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(`\n${box.root}\n`);
    expect(result.log).not.toContain("stray repository hook");
  });
});

describe("the default command", () => {
  it("treats an absolute command as something to evaluate, never chmod-ing a file outside the checkout", async () => {
    const box = sandbox();
    const outside = box.write(path.join(box.root, "outside.sh"), "echo outside ran\n");
    chmodSync(outside, 0o644);
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: outside });
    expect(statSync(outside).mode & 0o777).toBe(0o644);
    expect(result.log).toContain("~~~ Running commands");
    expect(result.log).not.toContain("outside ran");
    expect(result.exitCode).toBe(126);
  });
});

describe("how a hook ran is known from running it", () => {
  // Regression: the executor re-read the hook file after it ran to learn whether it
  // was wrapped, so a hook that deletes itself failed the job with HOOK_UNREADABLE.
  it("a repository post-command hook that removes itself and exits 0 leaves the job passing", async () => {
    const box = sandbox();
    const hook = box.write(
      path.join(box.checkoutPath, ".buildkite", "hooks", "post-command"),
      'rm -f "$BUILDKITE_BUILD_CHECKOUT_PATH/.buildkite/hooks/post-command"\necho self-removing hook ran\n',
    );
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "true" });
    expect(result.log).toContain("self-removing hook ran");
    expect(existsSync(hook)).toBe(false);
    expect(result.exitCode).toBe(0);
  });

  // job-executor.md §4.2: BUILDKITE_LAST_HOOK_EXIT_STATUS records each *wrapped* hook's exit code.
  it("BUILDKITE_LAST_HOOK_EXIT_STATUS is not changed by a hook run directly", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "pre-command"), "true\n");
    box.write(path.join(box.hooksPath, "post-command"), "#!/usr/bin/perl\nexit 3;\n");
    box.write(path.join(box.hooksPath, "pre-exit"), 'echo "last hook status=$BUILDKITE_LAST_HOOK_EXIT_STATUS"\n');
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "true" });
    expect(result.log).toContain("last hook status=0\n");
    expect(result.exitCode).toBe(3);
  });
});

describe("the debug environment listing", () => {
  // Regression: the listing printed values raw and sorted by name, so the mirror URL's
  // password reached the log (no redacted-var pattern matches it) and a value with a
  // newline forged a log line. executor.go's formatDebugEnvironmentVariable masks both.
  it("masks the mirror URL's password and the agent token, escapes newlines and sorts whole lines", async () => {
    const box = sandbox();
    const result = await runInProcess(box, {
      ...box.env,
      BUILDKITE_AGENT_DEBUG: "true",
      BUILDKITE_GIT_REMOTE_MIRROR_URL: "https://token:mirror-password@mirror.example/repo.git",
      BUILDKITE_X: "one\ntwo",
      BUILDKITE_X1: "z",
    });
    expect(result.exitCode).toBe(0);
    expect(result.raw).not.toContain("mirror-password");
    const listing = result.log.slice(result.log.indexOf("~~~ Buildkite environment variables"));
    expect(listing).toContain("\nBUILDKITE_GIT_REMOTE_MIRROR_URL=https://token:xxxxx@mirror.example/repo.git\n");
    expect(listing).toContain("\nBUILDKITE_AGENT_ACCESS_TOKEN=******************\n");
    // Go sorts "NAME=value" strings: "BUILDKITE_X1=" before "BUILDKITE_X=" ('1' < '=').
    expect(listing).toContain("\nBUILDKITE_X1=z\nBUILDKITE_X=one\\ntwo\n");
  });
});
