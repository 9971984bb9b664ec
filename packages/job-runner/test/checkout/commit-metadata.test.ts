import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { AgentApiServer } from "@agent/agent-api-server";
import { ApiClient } from "@agent/api-client";
import { COMMIT_METADATA_KEY, defaultCheckout, sendCommitMetadata, type SendCommitMetadataOptions } from "../../src/checkout/index.js";
import { createGitFixture, createTranscript, fixtureEnvironment, type GitFixture, type Transcript } from "./git-fixture.js";

let fixture: GitFixture;
let checkout: string;
let server: AgentApiServer;
let client: ApiClient | undefined;

beforeAll(async () => {
  fixture = await createGitFixture();
  checkout = join(await mkdtemp(join(fixture.root, "job-")), "checkout");
  await defaultCheckout({
    runner: createTranscript().runner,
    log: createTranscript().log,
    env: fixtureEnvironment(fixture),
    checkoutPath: checkout,
    repository: fixture.origin,
    commit: "HEAD",
    branch: "main",
    sshKeyscan: false,
  });
  server = new AgentApiServer();
  await server.listen({ host: "127.0.0.1", port: 0 });
});
afterEach(() => {
  client?.close();
  client = undefined;
});
afterAll(async () => {
  await server.close();
  await fixture.cleanup();
});

function job(): { buildId: string; jobId: string; client: ApiClient } {
  const build = server.createBuild({ repo: fixture.origin });
  const created = server.createJob(build.id, { command: "true" });
  client = new ApiClient({ endpoint: server.endpoint, token: created.token });
  return { buildId: build.id, jobId: created.id, client };
}

function options(transcript: Transcript, extra: Partial<SendCommitMetadataOptions> & Pick<SendCommitMetadataOptions, "jobId" | "client">): SendCommitMetadataOptions {
  return {
    runner: transcript.runner,
    log: transcript.log,
    cwd: checkout,
    env: fixtureEnvironment(fixture),
    commit: "HEAD",
    ...extra,
  };
}

describe("sendCommitMetadata against a real Agent API server", () => {
  it("sends the real agent's git log text once, then sees it is there", async () => {
    const { buildId, jobId, client } = job();
    const transcript = createTranscript();
    await expect(sendCommitMetadata(options(transcript, { jobId, client }))).resolves.toBe("sent");
    const sha = fixture.main;
    expect(server.metaData(buildId)[COMMIT_METADATA_KEY]).toBe(
      `commit ${sha}\nabbrev-commit ${sha.slice(0, 7)}\nAuthor: Ada Tester <ada@example.com>\n\n    Second commit\n    \n    With a body\n    of two lines`,
    );
    expect(transcript.text()).toBe(
      "# Checking to see if git commit information needs to be sent to Buildkite...\n# Sending Git commit information back to Buildkite\n",
    );

    const again = createTranscript();
    await expect(sendCommitMetadata(options(again, { jobId, client }))).resolves.toBe("already-sent");
    expect(again.text()).toContain("# Git commit information has already been sent to Buildkite\n");
  });

  it.each([
    ["checkout was skipped", () => ({ skipCheckout: true }), ""],
    [
      "BUILDKITE_COMMIT_RESOLVED=true",
      () => ({ env: fixtureEnvironment(fixture, { BUILDKITE_COMMIT_RESOLVED: "true" }) }),
      "BUILDKITE_COMMIT is already resolved and meta-data populated, skipping",
    ],
  ])("skips when %s", async (_name, extra, comment) => {
    const { buildId, jobId, client } = job();
    const transcript = createTranscript();
    await expect(sendCommitMetadata(options(transcript, { jobId, client, ...extra() }))).resolves.toBe("skipped");
    expect(server.metaData(buildId)).toEqual({});
    if (comment !== "") expect(transcript.text()).toContain(`# ${comment}\n`);
    else expect(transcript.text()).toBe("");
  });

  it("only warns (optional warning git-commit-resolution-failed) when git log fails", async () => {
    const { buildId, jobId, client } = job();
    const transcript = createTranscript();
    await expect(sendCommitMetadata(options(transcript, { jobId, client, commit: "0000000000000000000000000000000000000000" }))).resolves.toBe(
      "failed",
    );
    expect(server.metaData(buildId)).toEqual({});
    expect(transcript.text()).toMatch(
      /⚠️ Warning: Couldn't send commit information to Buildkite: getting git commit information: git log exited 128: fatal: bad object 0{40}\. You can disable this warning by passing the `--disable-warnings-for git-commit-resolution-failed` flag\n/,
    );
  });

  it("only warns when the API refuses the meta-data", async () => {
    const { jobId } = job();
    client = new ApiClient({ endpoint: server.endpoint, token: "bkaj_not-a-real-token" });
    const transcript = createTranscript();
    await expect(sendCommitMetadata(options(transcript, { jobId, client }))).resolves.toBe("failed");
    expect(transcript.text()).toContain("⚠️ Warning: Couldn't send commit information to Buildkite: ");
  });
});
