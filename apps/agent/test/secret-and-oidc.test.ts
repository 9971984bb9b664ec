import { afterEach, describe, expect, it } from "@jest/globals";
import { Environment, JobApiServer } from "@agent/job-runner";
import { runJobCommand, startJob, tempDir, type JobFixture } from "./job-command-harness.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A running job plus the Job API its bootstrap would serve, recording every redaction. */
async function jobWithJobApi(): Promise<JobFixture & { redactions: string[]; jobEnv: Record<string, string> }> {
  const fixture = await startJob();
  cleanups.push(() => fixture.server.close());
  const sockets = tempDir("bk-sock-");
  cleanups.push(sockets.remove);
  const redactions: string[] = [];
  const jobApi = new JobApiServer({
    environment: new Environment({}),
    mode: "from-job",
    socketsPath: sockets.dir,
    onRedaction: (value) => void redactions.push(value),
    promiseFailure: async () => ({ accepted: true }),
  });
  const { socketPath, token } = await jobApi.start();
  cleanups.push(() => jobApi.close());
  const jobEnv = { ...fixture.env, BUILDKITE_AGENT_JOB_API_SOCKET: socketPath, BUILDKITE_AGENT_JOB_API_TOKEN: token };
  return { ...fixture, redactions, jobEnv };
}

describe("secret get", () => {
  it("prints one secret's value with a newline, after adding it to the job's redactor", async () => {
    const { server, buildId, jobEnv, redactions } = await jobWithJobApi();
    server.setSecret("deploy_key", "s3cr3t-deploy", { buildId });
    expect(await runJobCommand("secret get", ["deploy_key"], { env: jobEnv })).toMatchObject({ status: 0, stdout: "s3cr3t-deploy\n" });
    expect(redactions).toEqual(["s3cr3t-deploy"]);
  });

  it("prints several as one JSON object with sorted keys, and --format env as sorted shell lines", async () => {
    const { server, buildId, jobEnv, redactions } = await jobWithJobApi();
    server.setSecret("zeta", "it's <z>", { buildId });
    server.setSecret("alpha", "a\nb", { buildId });
    const json = await runJobCommand("secret get", ["zeta", "alpha"], { env: jobEnv });
    expect(json).toMatchObject({ status: 0, stdout: '{"alpha":"a\\nb","zeta":"it\'s <z>"}\n' });
    const env = await runJobCommand("secret get", ["zeta", "alpha"], { env: jobEnv, flags: { format: "env" } });
    expect(env).toMatchObject({ status: 0, stdout: "ALPHA='a\nb'\nZETA='it'\\''s <z>'\n" });
    const oneAsJson = await runJobCommand("secret get", ["alpha"], { env: jobEnv, flags: { format: "json" } });
    expect(oneAsJson.stdout).toBe('{"alpha":"a\\nb"}\n');
    expect(new Set(redactions)).toEqual(new Set(["it's <z>", "a\nb"]));
  });

  it("prints nothing and lists every key that failed", async () => {
    const { server, buildId, jobEnv } = await jobWithJobApi();
    server.setSecret("ok", "value-ok", { buildId });
    const run = await runJobCommand("secret get", ["ok", "missing_one", "missing_two"], { env: jobEnv });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const fatal = run.stderr.split("\n").find((line) => line.startsWith("buildkite-agent: fatal:"))!;
    expect(fatal).toMatch(/^buildkite-agent: fatal: Failed to fetch some secrets: secret "missing_one": .*404.*; secret "missing_two": .*404/);
    // Regression: each failure was also logged at ERROR, so it showed twice; Go prints only the returned error.
    expect(run.stderr.split("\n").filter((line) => / ERROR /.test(line))).toEqual([]);
  });

  it("refuses to print without the Job API, unless --skip-redaction", async () => {
    const { server, buildId, env } = await jobWithJobApi();
    server.setSecret("k", "value-k", { buildId });
    const refused = await runJobCommand("secret get", ["k"], { env });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      "buildkite-agent: fatal: automatic secret redaction requires the Job API, but the Job API client could not be created " +
        "(error: BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined). The command failed instead of outputting secret values because " +
        "they could leak in logs without redaction. To output the secret values anyway, explicitly opt out of redaction with " +
        "--skip-redaction or BUILDKITE_AGENT_SECRET_GET_SKIP_SECRET_REDACTION=true\n",
    );
    expect(await runJobCommand("secret get", ["k"], { env, flags: { "skip-redaction": true } })).toMatchObject({ status: 0, stdout: "value-k\n" });
  });
});

describe("oidc request-token", () => {
  it("prints the token after adding it to the redactor; --format gcp prints Google's JSON", async () => {
    const { jobEnv, redactions, server } = await jobWithJobApi();
    const jwt = await runJobCommand("oidc request-token", [], { env: jobEnv, flags: { audience: "sts.amazonaws.com", lifetime: "900" } });
    expect(jwt.status).toBe(0);
    const token = jwt.stdout.trimEnd();
    expect(jwt.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*\n$/);
    expect(redactions).toEqual([token]);
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { aud: string; exp: number; iat: number };
    expect(claims.aud).toBe("sts.amazonaws.com");
    expect(claims.exp - claims.iat).toBe(900);
    expect(server.requests().some((request) => request.route.startsWith("oidc"))).toBe(true);

    const gcp = await runJobCommand("oidc request-token", [], { env: jobEnv, flags: { format: "gcp" } });
    expect(gcp.status).toBe(0);
    expect(JSON.parse(gcp.stdout)).toEqual({
      id_token: expect.stringMatching(/^[\w-]+\.[\w-]+\./),
      token_type: "urn:ietf:params:oauth:token-type:jwt",
      version: 1,
      success: true,
    });
    expect(gcp.stdout).toMatch(/^\{"id_token":"[^"]+","token_type":"urn:ietf:params:oauth:token-type:jwt","version":1,"success":true\}\n$/);
  });

  it("refuses to print the token without the Job API, unless --skip-redaction", async () => {
    const { env } = await jobWithJobApi();
    const refused = await runJobCommand("oidc request-token", [], { env });
    expect(refused).toMatchObject({ status: 1, stdout: "" });
    expect(refused.stderr).toMatch(
      /^buildkite-agent: fatal: automatic OIDC token redaction requires the Job API, but the Job API client could not be created \(error: BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined\)\. The command failed instead of outputting the token because it could leak .* BUILDKITE_AGENT_OIDC_REQUEST_TOKEN_SKIP_TOKEN_REDACTION=true\n$/,
    );
    const skipped = await runJobCommand("oidc request-token", [], { env, flags: { "skip-redaction": true } });
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toMatch(/^\S+\n$/);
  });

  it("logs which audience failed when Buildkite refuses", async () => {
    const { jobEnv } = await jobWithJobApi();
    const run = await runJobCommand("oidc request-token", [], {
      env: { ...jobEnv, BUILDKITE_AGENT_ACCESS_TOKEN: "bkaj_not-a-token" },
      flags: { audience: "gcp" },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Could not obtain OIDC token for audience gcp");
    expect(run.stderr).toMatch(/buildkite-agent: fatal: POST \S+oidc\/tokens: 401 /);
  });
});
