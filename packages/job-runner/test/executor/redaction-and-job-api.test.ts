import path from "node:path";
import { JOB_API_SHELL_FUNCTION, runInProcess, sandbox } from "./harness.js";

/** A shell function hooks use to call the Job API over its Unix socket (curl is on this machine). */
const JOB_API = JOB_API_SHELL_FUNCTION;

describe("redaction", () => {
  it("never shows a *_TOKEN value: not in executor lines, command output or hook output", async () => {
    const box = sandbox();
    const secret = "s3cr3t-deploy-value";
    box.write(path.join(box.hooksPath, "pre-command"), `echo "hook prints $DEPLOY_TOKEN"\necho "stderr $DEPLOY_TOKEN" >&2\n`);
    box.write(path.join(box.hooksPath, "post-command"), 'printf "split %s\\n" "$DEPLOY_TOKEN"\n');
    const result = await runInProcess(box, {
      ...box.env,
      DEPLOY_TOKEN: secret,
      BUILDKITE_COMMAND: 'echo "command prints $DEPLOY_TOKEN"',
    });
    expect(result.exitCode).toBe(0);
    expect(result.raw).not.toContain(secret);
    expect(result.log).toContain("hook prints [REDACTED]");
    expect(result.log).toContain("stderr [REDACTED]");
    expect(result.log).toContain("command prints [REDACTED]");
    expect(result.log).toContain("split [REDACTED]");
  });

  it("redacts a value added through the Job API from then on", async () => {
    const box = sandbox();
    const secret = "runtime-generated-secret";
    box.write(path.join(box.hooksPath, "pre-command"), `${JOB_API}\njob_api POST redactions '{"redact":"${secret}"}'\n`);
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: `echo "now: ${secret}"` });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("status=201");
    expect(result.log).toContain("now: [REDACTED]");
    // Even the API's own answer echoing the value comes after it was added.
    expect(result.raw).not.toContain(secret);
  });

  it("warns about values too short to redact", async () => {
    const box = sandbox();
    const result = await runInProcess(box, { ...box.env, SHORT_TOKEN: "abc", BUILDKITE_COMMAND: "echo $SHORT_TOKEN" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(
      "⚠️ Warning: Some variables have values below minimum length (6 bytes) and will not be redacted: SHORT_TOKEN",
    );
  });
});

describe("the Job API from inside a job", () => {
  it("lets a hook set a var with PATCH /env that the command sees, and refuses a protected one", async () => {
    const box = sandbox();
    box.write(
      path.join(box.hooksPath, "pre-command"),
      [
        JOB_API,
        `job_api PATCH env '{"env":{"FROM_JOB_API":"patched"}}'`,
        `job_api PATCH env '{"env":{"BUILDKITE_AGENT_ACCESS_TOKEN":"stolen"}}'`,
      ].join("\n"),
    );
    box.write(
      path.join(box.hooksPath, "post-command"),
      [
        'curl --silent --unix-socket "$BUILDKITE_AGENT_JOB_API_SOCKET" -w " status=%{http_code}\\n" http://job/api/current-job/v0/env',
        'curl --silent --unix-socket "$BUILDKITE_AGENT_JOB_API_SOCKET" -H "Authorization: Bearer wrong" -w " status=%{http_code}\\n" http://job/api/current-job/v0/env',
      ].join("\n"),
    );
    const result = await runInProcess(box, {
      ...box.env,
      BUILDKITE_COMMAND: 'echo "command sees $FROM_JOB_API / $BUILDKITE_AGENT_ACCESS_TOKEN"',
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('{"added":["FROM_JOB_API"],"updated":[]}');
    expect(result.log).toContain(
      "the following environment variables are protected, and cannot be modified: [BUILDKITE_AGENT_ACCESS_TOKEN]",
    );
    expect(result.log).toContain("status=422");
    expect(result.log).toContain("command sees patched / [REDACTED]");
    expect(result.log).toContain('authorization header is required"}\n status=401');
    expect(result.log).toContain('invalid authorization token"}\n status=401');
  });
});
