import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { makeRepo, runInProcess, sandbox, startApi, type ApiFixture, type Sandbox } from "./harness.js";

// Repository credentials and SSH keyscan (job-executor.md §2 row 3, executor.go
// configureRepositoryProviderGitCredentials). Fake `ssh` and `ssh-keyscan` on PATH
// record which hosts would be scanned; git `insteadOf` rules in the sandbox's
// global config send the SSH-looking URLs to local bare repositories.

let api: ApiFixture | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A bin dir whose `ssh-keyscan` appends its arguments to the returned file and finds nothing. */
function fakeSsh(box: Sandbox): { bin: string; scans: () => string[] } {
  const bin = path.join(box.root, "fake-bin");
  mkdirSync(bin);
  const record = path.join(box.root, "keyscans");
  box.write(path.join(bin, "ssh-keyscan"), `#!/bin/sh\necho "$*" >> "${record}"\nexit 1\n`);
  // `ssh -G` failing makes the keyscan use the URL's own host.
  box.write(path.join(bin, "ssh"), "#!/bin/sh\nexit 255\n");
  return {
    bin,
    scans: () => {
      try {
        return readFileSync(record, "utf8").split("\n").filter((line) => line !== "");
      } catch {
        return [];
      }
    },
  };
}

/** Maps `url` to the local `target` for every git in the sandbox. */
function redirect(box: Sandbox, url: string, target: string): void {
  appendFileSync(path.join(box.root, "gitconfig"), `[url "${target}"]\n\tinsteadOf = ${url}\n`);
}

describe("repository credentials and ssh-keyscan", () => {
  // Regression: the provider-neutral flag's rewrite turned keyscan off for the whole
  // checkout, submodules included; upstream skips only the repository's own host.
  it("the provider-neutral flag skips the keyscan of a git@github.com: repository but still scans its submodules", async () => {
    const box = sandbox();
    const ssh = fakeSsh(box);
    const sub = makeRepo(box, "sub", { "sub.txt": "from the submodule\n" });
    const app = makeRepo(box, "app", { "README": "app\n" });
    box.git(app.work, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.origin, "sub");
    box.git(app.work, "config", "--file", ".gitmodules", "submodule.sub.url", "ssh://git@submodules.example/acme/sub.git");
    box.git(app.work, "commit", "-q", "-am", "Add a submodule");
    box.git(app.work, "push", "-q", app.origin, "HEAD:main");
    redirect(box, "ssh://git@submodules.example/acme/sub.git", sub.origin);
    // Longer than the credentials' `git@github.com:` rule, so it wins and no network is used.
    redirect(box, "git@github.com:acme/app.git", app.origin);
    api = await startApi();
    const result = await runInProcess(
      box,
      {
        ...box.env,
        ...api.env,
        PATH: `${ssh.bin}:${box.env["PATH"]}`,
        BUILDKITE_SKIP_CHECKOUT: "false",
        BUILDKITE_CHECKOUT_ATTEMPTS: "1",
        BUILDKITE_REPO: "git@github.com:acme/app.git",
        BUILDKITE_USE_REPOSITORY_PROVIDER_GIT_CREDENTIALS: "true",
        BUILDKITE_COMMAND: "cat sub/sub.txt",
      },
      { apiClient: api.client, agentPath: "/opt/buildkite-agent" },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("from the submodule");
    expect(ssh.scans()).toEqual(["submodules.example"]);
    expect(readFileSync(path.join(box.root, "gitconfig"), "utf8")).toContain("insteadOf = git@github.com:");
  });

  // Regression: the legacy GitHub App flag only skipped the repository's keyscan;
  // upstream sets SSHKeyscan = false before set-up, so plugin checkouts skip it too.
  it("the legacy GitHub App flag switches keyscan off for plugin checkouts", async () => {
    const box = sandbox();
    const ssh = fakeSsh(box);
    const plugin = makeRepo(box, "thing", { "hooks/environment": "#!/bin/bash\necho plugin environment ran\n" });
    redirect(box, "ssh://git@plugins.example/acme/thing-buildkite-plugin.git", plugin.origin);
    const result = await runInProcess(
      box,
      {
        ...box.env,
        PATH: `${ssh.bin}:${box.env["PATH"]}`,
        BUILDKITE_USE_GITHUB_APP_GIT_CREDENTIALS: "true",
        BUILDKITE_PLUGINS: JSON.stringify([{ "ssh://git@plugins.example/acme/thing-buildkite-plugin.git": {} }]),
      },
      { agentPath: "/opt/buildkite-agent" },
    );
    expect(result.log).toContain("plugin environment ran");
    expect(result.exitCode).toBe(0);
    expect(ssh.scans()).toEqual([]);
  });

  it("without a credentials flag, the plugin's host is scanned", async () => {
    const box = sandbox();
    const ssh = fakeSsh(box);
    const plugin = makeRepo(box, "thing", { "hooks/environment": "#!/bin/bash\necho plugin environment ran\n" });
    redirect(box, "ssh://git@plugins.example/acme/thing-buildkite-plugin.git", plugin.origin);
    const result = await runInProcess(box, {
      ...box.env,
      PATH: `${ssh.bin}:${box.env["PATH"]}`,
      BUILDKITE_PLUGINS: JSON.stringify([{ "ssh://git@plugins.example/acme/thing-buildkite-plugin.git": {} }]),
    });
    expect(result.exitCode).toBe(0);
    expect(ssh.scans()).toEqual(["plugins.example"]);
  });
});
