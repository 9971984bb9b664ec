import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { recordingUploader, runInProcess, sandbox } from "./harness.js";

const PHASES = ["environment", "pre-checkout", "checkout", "post-checkout", "pre-command", "command", "post-command", "pre-exit"];

function everyHook(box: ReturnType<typeof sandbox>, failing: string, status: number): void {
  for (const name of PHASES) {
    box.hook(box.hooksPath, name, name, name === failing ? `exit ${status}` : "");
  }
  box.hook(box.hooksPath, "pre-artifact", "pre-artifact");
}

describe("a failing hook in each phase", () => {
  it.each([
    // [failing hook, what runs, exit status]
    // tearDown is deferred before setUp, so pre-exit runs even then.
    ["environment", ["environment", "pre-exit"], 5],
    ["pre-checkout", ["environment", "pre-checkout", "pre-exit"], 6],
    ["checkout", ["environment", "pre-checkout", "checkout", "pre-exit"], 7],
    ["post-checkout", ["environment", "pre-checkout", "checkout", "post-checkout", "pre-exit"], 8],
    // pre-command failing: command and post-command skipped, artifacts still attempted.
    [
      "pre-command",
      ["environment", "pre-checkout", "checkout", "post-checkout", "pre-command", "pre-artifact", "upload", "pre-exit"],
      9,
    ],
    [
      "post-command",
      ["environment", "pre-checkout", "checkout", "post-checkout", "pre-command", "command", "post-command", "pre-artifact", "upload", "pre-exit"],
      11,
    ],
  ] as const)("%s exiting non-zero", async (failing, ran, status) => {
    const box = sandbox();
    everyHook(box, failing, status);
    const uploader = recordingUploader(box);
    const result = await runInProcess(
      box,
      { ...box.env, BUILDKITE_SKIP_CHECKOUT: "false", BUILDKITE_ARTIFACT_PATHS: "x", BUILDKITE_COMMAND: "echo never" },
      { artifactUploader: uploader },
    );
    expect(box.order()).toEqual(ran);
    expect(result.exitCode).toBe(status);
    expect(result.log).toContain(`the agent ${failing} hook exited with status ${status}`);
  });

  // Regression: the message left out the hook type that executor.go executeHook writes
  // ("running %q shell hook: …"), and gave a directly run hook the shell hook's sentence.
  it.each([
    ["shell", () => "exit 3\n", 'running "agent pre-command" shell hook: the agent pre-command hook exited with status 3'],
    ["script", () => "#!/usr/bin/env node\nprocess.exit(4);\n", 'running "agent pre-command" script hook: exit status 4'],
    ["binary", () => readFileSync("/bin/false"), 'running "agent pre-command" binary hook: exit status 1'],
  ])("names the %s hook type in the failure", async (_type, content, message) => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "pre-command"), "");
    writeFileSync(path.join(box.hooksPath, "pre-command"), content());
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "echo never" });
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain(`🚨 Error: ${message}\n`);
  });

  it("a failing command hook is the command failing: post-command still runs", async () => {
    const box = sandbox();
    everyHook(box, "command", 4);
    const result = await runInProcess(box, box.env);
    expect(result.exitCode).toBe(4);
    expect(box.order()).toEqual(["environment", "pre-checkout", "post-checkout", "pre-command", "command", "post-command", "pre-exit"]);
    expect(result.log).toContain("🚨 Error: The command exited with status 4");
  });

  it("a failing pre-exit hook overrides the command's status", async () => {
    const box = sandbox();
    box.hook(box.hooksPath, "pre-exit", "pre-exit", "exit 12");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "exit 3" });
    expect(result.exitCode).toBe(12);
    expect(result.log).toContain("Error tearing down job executor");
  });

  it("a non-executable binary hook fails its phase with a line naming it", async () => {
    const box = sandbox();
    const hook = box.write(path.join(box.hooksPath, "pre-command"), "#!/usr/bin/env python3\nprint('hi')\n", 0o644);
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "echo command-ran" });
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain(hook);
    expect(result.log).not.toContain("command-ran");
  });

  it("skips a missing hook silently (a directory with the hook's name is not a hook)", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "pre-command", "x"), "");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "echo command-ran" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("command-ran");
    expect(result.log).not.toContain("pre-command hook");
  });
});

describe("exit status (job-executor.md §2)", () => {
  it.each([
    ["true", 0],
    ["exit 1", 1],
    ["exit 3", 3],
  ])("the command %j exits %i", async (command, status) => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: command });
    expect(result.exitCode).toBe(status);
    if (status !== 0) expect(result.log).toContain(`^^^ +++\n🚨 Error: The command exited with status ${status}`);
  });

  it("a set-up failure (bad BUILDKITE_SECRETS_CONFIG) exits 125 and runs nothing after", async () => {
    const box = sandbox();
    box.hook(box.hooksPath, "environment", "environment");
    box.hook(box.hooksPath, "pre-exit", "pre-exit");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_SECRETS_CONFIG: "not json", BUILDKITE_COMMAND: "echo command-ran" });
    expect(result.exitCode).toBe(125);
    expect(result.log).toContain("Error setting up job executor: BUILDKITE_SECRETS_CONFIG is not valid JSON");
    expect(result.log).not.toContain("command-ran");
    expect(box.order()).toEqual(["pre-exit"]);
  });

  it("an upload failure with a passing command gives the upload's status", async () => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, BUILDKITE_ARTIFACT_PATHS: "x" }, { artifactUploader: recordingUploader(box, 7) });
    expect(result.exitCode).toBe(7);
    expect(result.log).toContain("upload failed with status 7");
  });

  it("an upload failure with a failing command gives the command's status", async () => {
    const box = sandbox();
    const result = await runInProcess(
      box,
      { ...box.env, BUILDKITE_ARTIFACT_PATHS: "x", BUILDKITE_COMMAND: "exit 2" },
      { artifactUploader: recordingUploader(box, 7) },
    );
    expect(result.exitCode).toBe(2);
  });

  it("an upload failure beats a pre-command failure (the command never ran)", async () => {
    const box = sandbox();
    box.hook(box.hooksPath, "pre-command", "pre-command", "exit 9");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_ARTIFACT_PATHS: "x" }, { artifactUploader: recordingUploader(box, 7) });
    expect(result.exitCode).toBe(7);
  });

  it("a command killed by a signal gives -1", async () => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "kill -KILL $$" });
    expect(result.exitCode).toBe(-1);
    expect(result.log).toContain("The command was interrupted by a signal: signal: killed");
  });
});
