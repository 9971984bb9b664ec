import { statSync } from "node:fs";
import path from "node:path";
import { runInProcess, sandbox } from "./harness.js";

describe("command eval rules (job-executor.md §6)", () => {
  it("evaluates a multi-line command as one bash -e -c argument, stopping at the first failing line", async () => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "echo line-one\nfalse\necho line-three" });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain("~~~ Running commands\n$ echo line-one\nfalse\necho line-three\nline-one\n");
    expect(result.log).not.toContain("line-three\n^^^");
    expect(result.log.match(/line-three/gu)).toHaveLength(1);
  });

  it("runs a command naming a file in the checkout as a script, made executable", async () => {
    const box = sandbox();
    const script = box.write(path.join(box.checkoutPath, "script.sh"), "#!/bin/sh\necho \"script ran with $0\"\n", 0o644);
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "script.sh" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("~~~ Running script\n$ ./script.sh\nscript ran with ./script.sh");
    expect(statSync(script).mode & 0o111).not.toBe(0);
  });

  it("with BUILDKITE_COMMAND_EVAL=false refuses to evaluate, with the No such file comment", async () => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND_EVAL: "false", BUILDKITE_COMMAND: "echo evaluated" });
    expect(result.log).toContain('# No such file: "echo evaluated"');
    expect(result.log).toContain("this agent is not allowed to evaluate console commands");
    // Regression: the error came without the "^^^ +++" that CommandPhase prints before any command error.
    expect(result.log).toContain('# No such file: "echo evaluated"\n^^^ +++\n🚨 Error: this agent is not allowed');
    expect(result.log).not.toContain("\nevaluated");
    // Not a command failure: recorded as 1, and the job exits with it.
    expect(result.exitCode).toBe(1);
  });

  it("with BUILDKITE_COMMAND_EVAL=false still runs a script inside the checkout", async () => {
    const box = sandbox();
    box.write(path.join(box.checkoutPath, "ci/test.sh"), "#!/bin/sh\necho from-script\n");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND_EVAL: "false", BUILDKITE_COMMAND: "ci/test.sh" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("from-script");
  });

  it("with BUILDKITE_COMMAND_EVAL=false refuses a script outside the checkout", async () => {
    const box = sandbox();
    box.write(path.join(box.root, "outside.sh"), "#!/bin/sh\necho outside-ran\n");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND_EVAL: "false", BUILDKITE_COMMAND: "../outside.sh" });
    expect(result.log).toContain('# No such file: "../outside.sh"');
    expect(result.log).not.toContain("outside-ran");
    expect(result.exitCode).toBe(1);
  });

  it("uses BUILDKITE_SHELL instead of bash", async () => {
    const box = sandbox();
    const result = await runInProcess(box, {
      ...box.env,
      BUILDKITE_SHELL: "/bin/sh -e -c",
      // $BASH_VERSION is set only under bash.
      BUILDKITE_COMMAND: 'echo "bash=${BASH_VERSION:-none}"',
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("bash=none");
    const bash = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: 'echo "bash=${BASH_VERSION:-none}"' });
    expect(bash.log).not.toContain("bash=none");
  });

  it("reports an empty command as an error", async () => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: "  \n " });
    expect(result.log).toContain("the command phase has no `command` to execute");
    expect(result.exitCode).toBe(1);
  });
});
