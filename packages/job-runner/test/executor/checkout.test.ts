import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createGitFixture, type GitFixture } from "../checkout/git-fixture.js";
import { runInProcess, sandbox, startApi, type ApiFixture, type Sandbox } from "./harness.js";

let fixture: GitFixture;
beforeAll(async () => {
  fixture = await createGitFixture();
});
afterAll(async () => {
  await fixture.cleanup();
});

let api: ApiFixture | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function checkout(box: Sandbox, env: Record<string, string>) {
  api = await startApi();
  return runInProcess(
    box,
    {
      ...box.env,
      ...api.env,
      BUILDKITE_SKIP_CHECKOUT: "false",
      BUILDKITE_CHECKOUT_ATTEMPTS: "1",
      BUILDKITE_REPO: fixture.origin,
      BUILDKITE_COMMAND: 'echo "checked-out=$(git rev-parse HEAD)"',
      ...env,
    },
    { apiClient: api.client },
  );
}

describe("checkout through runJob from a local bare repository", () => {
  it("checks out a branch at HEAD and sends the commit meta-data to the API", async () => {
    const box = sandbox();
    const result = await checkout(box, { BUILDKITE_COMMIT: "HEAD", BUILDKITE_BRANCH: "main" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("git fetch -v --prune -- origin main");
    expect(result.log).toContain(`checked-out=${fixture.main}`);
    const sent = api?.server.metaData(api.buildId)["buildkite:git:commit"] ?? "";
    expect(sent).toContain(`commit ${fixture.main}\n`);
    expect(sent).toContain("Author: Ada Tester <ada@example.com>");
    expect(sent).toContain("    Second commit");
  });

  it("checks out a specific commit", async () => {
    const box = sandbox();
    const result = await checkout(box, { BUILDKITE_COMMIT: fixture.feature, BUILDKITE_BRANCH: "feature" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(`checked-out=${fixture.feature}`);
  });

  it("checks out a tag through a refspec", async () => {
    const box = sandbox();
    const result = await checkout(box, {
      BUILDKITE_REFSPEC: "refs/tags/v1.0",
      BUILDKITE_COMMIT: fixture.tagged,
      BUILDKITE_BRANCH: "main",
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("origin refs/tags/v1.0");
    expect(result.log).toContain(`checked-out=${fixture.tagged}`);
  });

  it("checks out a GitHub pull request ref", async () => {
    const box = sandbox();
    const result = await checkout(box, {
      BUILDKITE_PULL_REQUEST: "7",
      BUILDKITE_PIPELINE_PROVIDER: "github",
      BUILDKITE_COMMIT: fixture.pullRequest,
      BUILDKITE_BRANCH: "pr-branch",
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("refs/pull/7/head");
    expect(result.log).toContain(`checked-out=${fixture.pullRequest}`);
  });

  it("checks out submodules", async () => {
    const box = sandbox();
    const result = await checkout(box, { BUILDKITE_COMMIT: fixture.withSubmodule, BUILDKITE_BRANCH: "with-submodule" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("submodule update --init --recursive --force");
    expect(readFileSync(path.join(box.checkoutPath, "sub/sub.txt"), "utf8")).toBe("from the submodule\n");
  });

  it("ignores a hook changing BUILDKITE_COMMIT", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "environment"), `export BUILDKITE_COMMIT=${fixture.mainFirst}\n`);
    const result = await checkout(box, { BUILDKITE_COMMIT: fixture.main, BUILDKITE_BRANCH: "main" });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(`checked-out=${fixture.main}`);
  });

  it("fails clearly on a repository that does not exist", async () => {
    const box = sandbox();
    const missing = path.join(box.root, "nowhere.git");
    const result = await checkout(box, { BUILDKITE_REPO: missing });
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain(missing);
    expect(result.log).toContain("🚨 Error:");
    expect(result.log).not.toContain("checked-out=");
  });

  it("fails clearly on a commit that does not exist", async () => {
    const box = sandbox();
    const bogus = "0123456789abcdef0123456789abcdef01234567";
    const result = await checkout(box, { BUILDKITE_COMMIT: bogus, BUILDKITE_BRANCH: "main" });
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain(bogus);
    expect(result.log).toContain("🚨 Error:");
    expect(result.log).not.toContain("checked-out=");
    expect(existsSync(box.checkoutPath)).toBe(true);
  });
});
