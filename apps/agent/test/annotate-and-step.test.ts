import { describe, expect, it } from "@jest/globals";
import { jobPerTest, runJobCommand } from "./job-command-harness.js";

const job = jobPerTest();

describe("annotate", () => {
  it("sends the argument with style, context, priority and scope", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("annotate", ["All tests passed :rocket:"], {
      env,
      flags: { style: "success", context: "tests", priority: "7" },
      stdin: "ignored, the argument wins",
    });
    expect(run).toMatchObject({ status: 0, stdout: "" });
    expect(server.annotations(buildId)).toEqual([
      expect.objectContaining({ context: "tests", style: "success", priority: 7, scope: "build", body: "All tests passed :rocket:" }),
    ]);
  });

  it("reads the body from piped stdin, and --append adds to the same context", async () => {
    const { env, server, buildId } = await job();
    expect((await runJobCommand("annotate", [], { env, stdin: "# Coverage\n" })).status).toBe(0);
    const run = await runJobCommand("annotate", [], { env, stdin: "92%\n", flags: { append: true } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("Reading annotation body from STDIN");
    expect(server.annotations(buildId)).toEqual([expect.objectContaining({ context: "default", body: "# Coverage\n92%\n" })]);
  });

  it("does not read stdin when it is a terminal or /dev/null (a character device)", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("annotate", [], { env, stdin: "tty" });
    expect(run.stderr).not.toContain("Reading annotation body from STDIN");
    // Without a body there is nothing for this server to show; the refusal is the server's (422), in one line.
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: failed to annotate build: POST \S+annotations: 422 /m);
    expect(server.annotations(buildId)).toEqual([]);
  });

  it("redacts secrets from the body before sending it, with a warning", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("annotate", ["key: sk_live_abcdef123, not sk_live_abc"], {
      env: { ...env, STRIPE_API_KEY: "sk_live_abcdef123" },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("Annotation body contained one or more secrets from environment variables that have been redacted");
    expect(server.annotations(buildId)[0]!.body).toBe("key: [REDACTED], not sk_live_abc");
  });

  it("refuses a body over 1 MiB (after redaction) without calling Buildkite", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("annotate", [], { env, stdin: "x".repeat(1024 * 1024 + 1) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\nbuildkite-agent: fatal: annotation body size \(1048577B\) exceeds maximum \(1048576B\)\n$/);
    expect(server.requests().filter((request) => request.route.startsWith("annotations"))).toEqual([]);
    expect(server.annotations(buildId)).toEqual([]);
  });

  it("accepts exactly 1 MiB, and a body that redaction brings under the limit", async () => {
    const { env, server, buildId } = await job();
    expect((await runJobCommand("annotate", [], { env, stdin: "y".repeat(1024 * 1024), flags: { context: "a" } })).status).toBe(0);
    const secret = "s".repeat(100);
    const body = `${secret}${"z".repeat(1024 * 1024 - 50)}`;
    const run = await runJobCommand("annotate", [], { env: { ...env, BIG_SECRET: secret }, stdin: body, flags: { context: "b" } });
    expect(run.status).toBe(0);
    expect(server.annotations(buildId)).toHaveLength(2);
  });
});

describe("annotation remove", () => {
  it("removes the annotation of the given context, and the `default` one without --context", async () => {
    const { env, server, buildId } = await job();
    await runJobCommand("annotate", ["one"], { env, flags: { context: "keep" } });
    await runJobCommand("annotate", ["two"], { env });
    expect(await runJobCommand("annotation remove", [], { env })).toMatchObject({ status: 0, stdout: "" });
    expect(server.annotations(buildId).map((annotation) => annotation.context)).toEqual(["keep"]);
  });

  it("fails in one line when there is no such annotation", async () => {
    const { env } = await job();
    const run = await runJobCommand("annotation remove", [], { env, flags: { context: "missing" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: failed to remove annotation: DELETE \S+annotations\/missing\?scope=build: 404 /);
  });
});

describe("step get / update / cancel", () => {
  it("get prints an attribute of the current step (BUILDKITE_STEP_ID) with a newline", async () => {
    const { env } = await job();
    expect(await runJobCommand("step get", ["label"], { env })).toMatchObject({ status: 0, stdout: "Test\n" });
  });

  it("update changes the label by key, from the argument or stdin, redacting secrets, and --append adds", async () => {
    const { env, server, jobId } = await job();
    expect((await runJobCommand("step update", ["label", "Deploying"], { env, flags: { step: "test" } })).status).toBe(0);
    expect(server.job(jobId)!.step.label).toBe("Deploying");
    const run = await runJobCommand("step update", ["label"], {
      env: { ...env, NPM_TOKEN: "npm_0123456789" },
      stdin: " with npm_0123456789",
      flags: { append: true },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("Reading value from STDIN");
    expect(run.stderr).toMatch(/New value for step "\S+" attribute "label" contained one or more secrets/);
    expect(server.job(jobId)!.step.label).toBe("Deploying with [REDACTED]");
  });

  it("update of an attribute Buildkite refuses is one fatal line", async () => {
    const { env } = await job();
    const run = await runJobCommand("step update", ["priority", "5"], { env });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: failed to change step: PUT \S+steps\/\S+: 422 .*only label/);
  });

  it("cancel cancels the step's jobs and logs the step id", async () => {
    const { env, server, jobId, stepId } = await job();
    const run = await runJobCommand("step cancel", [], { env, flags: { force: true, "force-grace-period-seconds": "5" } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`Successfully cancelled step: ${stepId}`);
    expect(server.job(jobId)!.state).toMatch(/cancel/);
  });

  it("cancel refuses a negative grace period before calling Buildkite", async () => {
    const { env, server, jobId } = await job();
    const run = await runJobCommand("step cancel", [], { env, flags: { "force-grace-period-seconds": "-1" } });
    expect(run).toMatchObject({
      status: 1,
      stderr: "buildkite-agent: fatal: the value of ′--force-grace-period-seconds′ must be greater than or equal to 0\n",
    });
    expect(server.job(jobId)!.state).toBe("running");
  });

  it("get of an unknown step fails in one line", async () => {
    const { env } = await job();
    const run = await runJobCommand("step get", ["label"], { env, flags: { step: "nope" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: failed to get step: POST \S+steps\/nope\/export: 404 [^\n]*\n$/);
  });
});
