import { afterEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Environment } from "../../src/index.js";
import { configureRepositoryCredentials } from "../../src/checkout/index.js";
import { createTranscript } from "./git-fixture.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setUp(): Promise<{ env: Environment; config: () => string }> {
  dir = await mkdtemp(join(tmpdir(), "credentials-"));
  const globalConfig = join(dir, "gitconfig");
  await writeFile(globalConfig, "");
  const vars = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, GIT_CONFIG_GLOBAL: globalConfig, GIT_CONFIG_NOSYSTEM: "1" };
  return {
    env: new Environment(vars),
    config: () => execFileSync("git", ["config", "--global", "--list"], { env: vars, encoding: "utf8" }),
  };
}

describe("configureRepositoryCredentials", () => {
  it.each([
    ["an https repository", "https://github.com/acme/app.git", false, false],
    ["a git@github.com: repository", "git@github.com:acme/app.git", false, true],
    ["any repository with the legacy GitHub App flag", "https://gitlab.com/acme/app.git", true, true],
  ])("configures the helper for %s (https rewrite: %s)", async (_name, repository, githubApp, rewrite) => {
    const { env, config } = await setUp();
    const transcript = createTranscript();
    const result = await configureRepositoryCredentials({
      runner: transcript.runner,
      log: transcript.log,
      env,
      cwd: dir!,
      agentPath: "/opt/build kite/it's/buildkite-agent",
      repository,
      githubApp,
    });
    expect(result).toEqual({ httpsRewrite: rewrite });
    expect(config()).toBe(
      "credential.usehttppath=true\n" +
        "credential.helper=!'/opt/build kite/it'\\''s/buildkite-agent' git-credentials-helper\n" +
        (rewrite ? "url.https://github.com/.insteadof=git@github.com:\n" : ""),
    );
    // The agent's set-up is not the job's business: nothing printed.
    expect(transcript.text()).toBe("");
  });

  it("is idempotent when called again after pre-checkout hooks", async () => {
    const { env, config } = await setUp();
    const transcript = createTranscript();
    const run = () =>
      configureRepositoryCredentials({ runner: transcript.runner, log: transcript.log, env, cwd: dir!, agentPath: "/a", repository: "git@github.com:x/y" });
    await run();
    await run();
    expect(config().split("\n").filter((line) => line.startsWith("credential.helper="))).toHaveLength(1);
  });

  it("fails the job with CHECKOUT_CREDENTIALS_FAILED when git config cannot write", async () => {
    const { env } = await setUp();
    env.set("GIT_CONFIG_GLOBAL", join(dir!, "no", "such", "dir", "gitconfig"));
    const transcript = createTranscript();
    await expect(
      configureRepositoryCredentials({ runner: transcript.runner, log: transcript.log, env, cwd: dir!, agentPath: "/a", repository: "x" }),
    ).rejects.toMatchObject({ code: "CHECKOUT_CREDENTIALS_FAILED" });
  });
});
