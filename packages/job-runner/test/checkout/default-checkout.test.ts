import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BUILDKITE_REPO_MIRROR,
  checkoutWithRetries,
  defaultCheckout,
  type DefaultCheckoutOptions,
  type MirrorRequest,
} from "../../src/checkout/index.js";
import type { ProcessRunner } from "../../src/index.js";
import { createGitFixture, createTranscript, fixtureEnvironment, type GitFixture, type Transcript } from "./git-fixture.js";

let fixture: GitFixture;
beforeAll(async () => {
  fixture = await createGitFixture();
});
afterAll(async () => {
  await fixture.cleanup();
});

/** The sha checked out in `path`. */
function head(path: string): string {
  return fixture.git(path, "rev-parse", "HEAD");
}

let dirs = 0;
async function checkoutDir(): Promise<string> {
  dirs += 1;
  return join(await mkdtemp(join(fixture.root, `job-${dirs}-`)), "checkout");
}

function options(transcript: Transcript, checkoutPath: string, extra: Partial<DefaultCheckoutOptions> = {}): DefaultCheckoutOptions {
  return {
    runner: transcript.runner,
    log: transcript.log,
    env: fixtureEnvironment(fixture),
    checkoutPath,
    repository: fixture.origin,
    commit: "HEAD",
    branch: "main",
    sshKeyscan: false,
    ...extra,
  };
}

describe("defaultCheckout with real git", () => {
  it("checks out a branch's HEAD with the default flags and resolves BUILDKITE_COMMIT", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const env = fixtureEnvironment(fixture, { BUILDKITE_COMMIT: "HEAD" });
    const result = await defaultCheckout(options(transcript, path, { env, resolveCommitAfterCheckout: true }));

    expect(result).toEqual({ commit: fixture.main });
    expect(head(path)).toBe(fixture.main);
    expect(env.get("BUILDKITE_COMMIT")).toBe(fixture.main);
    expect(existsSync(join(path, "b.txt"))).toBe(true);
    const log = transcript.text();
    expect(log).toContain(`$ git clone -v -- ${fixture.origin} .\n`);
    expect(log).toContain("$ git clean -ffxdq\n");
    expect(log).toContain("# Fetch and checkout remote branch HEAD commit\n");
    expect(log).toContain(`$ git fetch -v --prune -- origin main\n`);
    expect(log).toContain("$ git -c advice.detachedHead=false checkout -f FETCH_HEAD\n");
    expect(log).toContain("# Cleaning again to catch any post-checkout changes\n");
    expect(log).toContain(`# Updating BUILDKITE_COMMIT from "HEAD" to "${fixture.main}"\n`);
  });

  it("checks out a commit sha on another branch", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const result = await defaultCheckout(options(transcript, path, { commit: fixture.feature, branch: "feature" }));
    expect(head(path)).toBe(fixture.feature);
    expect(result.commit).toBe(fixture.feature);
    expect(existsSync(join(path, "feature.txt"))).toBe(true);
    expect(transcript.text()).toContain(`# Fetch and checkout commit\n$ git fetch -v --prune -- origin ${fixture.feature}\n`);
  });

  it("falls back to all heads and tags for a short sha, and resolves it to the full sha", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const env = fixtureEnvironment(fixture, { BUILDKITE_COMMIT: fixture.feature.slice(0, 8) });
    const result = await defaultCheckout(
      options(transcript, path, { env, commit: fixture.feature.slice(0, 8), branch: "feature", resolveCommitAfterCheckout: true }),
    );
    expect(head(path)).toBe(fixture.feature);
    expect(result.commit).toBe(fixture.feature);
    expect(env.get("BUILDKITE_COMMIT")).toBe(fixture.feature);
    const log = transcript.text();
    expect(log).toContain("# Some refspec fetches failed, trying to fetch all heads and tags\n");
    expect(log).toContain('$ git fetch -v --prune -- origin "+refs/heads/*:refs/remotes/origin/*" "+refs/tags/*:refs/tags/*"\n');
  });

  it("fetches a custom refspec (shell-split) and checks out FETCH_HEAD", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    await defaultCheckout(
      options(transcript, path, { refspec: "refs/tags/v1.0 'refs/heads/feature:refs/remotes/origin/feature'" }),
    );
    expect(head(path)).toBe(fixture.tagged);
    expect(fixture.git(path, "rev-parse", "refs/remotes/origin/feature")).toBe(fixture.feature);
    expect(transcript.text()).toContain(
      "# Fetch and checkout custom refspec\n$ git fetch -v --prune -- origin refs/tags/v1.0 refs/heads/feature:refs/remotes/origin/feature\n",
    );
  });

  it.each([
    ["a known commit", () => fixture.pullRequest, "refs/pull/7/head"],
    ["HEAD (the ref alone, with fetch retries)", () => "HEAD", "refs/pull/7/head"],
  ])("checks out a GitHub pull request ref for %s", async (_name, commit, ref) => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    await defaultCheckout(
      options(transcript, path, { commit: commit(), branch: "pr-branch", pullRequest: "7", pipelineProvider: "github" }),
    );
    expect(head(path)).toBe(fixture.pullRequest);
    const log = transcript.text();
    expect(log).toContain("# Fetch and checkout pull request head from GitHub\n");
    expect(log).toContain(`$ git fetch -v --prune -- origin ${ref}${commit() === "HEAD" ? "" : ` ${fixture.pullRequest}`}\n`);
    expect(log).toContain(`# FETCH_HEAD is now \`${fixture.pullRequest}\`\n`);
  });

  it("ignores the pull request for a provider that is not GitHub", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    await expect(
      defaultCheckout(options(transcript, path, { commit: "HEAD", branch: "main", pullRequest: "7", pipelineProvider: "gitlab" })),
    ).resolves.toEqual({ commit: "HEAD" });
    expect(head(path)).toBe(fixture.main);
    expect(transcript.text()).not.toContain("refs/pull/7");
  });

  it("initialises submodules with the clone config (protocol.file.allow for local paths)", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    await defaultCheckout(
      options(transcript, path, {
        commit: fixture.withSubmodule,
        branch: "with-submodule",
        submoduleCloneConfig: ["protocol.file.allow=always", ""],
      }),
    );
    expect(head(path)).toBe(fixture.withSubmodule);
    expect(await readFile(join(path, "sub", "sub.txt"), "utf8")).toBe("from the submodule\n");
    const log = transcript.text();
    expect(log).toContain("# Git submodules detected\n$ git submodule sync --recursive\n");
    expect(log).toContain("$ git -c protocol.file.allow=always submodule update --init --recursive --force\n");
    expect(log).toContain('$ git submodule foreach --recursive "git reset --hard"\n');
    expect(log).toContain('$ git submodule foreach --recursive "git clean -ffxdq"\n');
  });

  it("warns (optional warning submodules-disabled) and leaves submodules alone when they are disabled", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    await defaultCheckout(options(transcript, path, { commit: fixture.withSubmodule, branch: "with-submodule", submodules: false }));
    expect(await readdir(join(path, "sub"))).toEqual([]);
    expect(transcript.text()).toContain(
      "⚠️ Warning: This repository has submodules, but submodules are disabled. You can disable this warning by passing the `--disable-warnings-for submodules-disabled` flag\n",
    );
  });

  it("reuses an existing clone: no clone, untracked and modified files cleaned, origin URL followed", async () => {
    const path = await checkoutDir();
    await defaultCheckout(options(createTranscript(), path));
    await writeFile(join(path, "junk.txt"), "left by the last job\n");
    await writeFile(join(path, "a.txt"), "modified\n");
    const renamed = join(fixture.root, "renamed.git");
    fixture.git(fixture.root, "clone", "-q", "--bare", fixture.origin, renamed);

    const transcript = createTranscript();
    await defaultCheckout(options(transcript, path, { repository: renamed, commit: fixture.feature, branch: "feature" }));
    expect(head(path)).toBe(fixture.feature);
    expect(existsSync(join(path, "junk.txt"))).toBe(false);
    expect(await readFile(join(path, "a.txt"), "utf8")).toBe("a\n");
    expect(fixture.git(path, "remote", "get-url", "origin")).toBe(renamed);
    const log = transcript.text();
    expect(log).not.toContain("git clone");
    expect(log).toContain(`# Remote URL for git directory ${path} has changed (${fixture.origin} -> ${renamed})!\n`);
    expect(log).toContain(`$ git remote set-url origin ${renamed}\n`);
  });

  it("uses a mirror from the provider as --reference, then re-associates and dissociates an existing clone", async () => {
    const mirror = join(fixture.root, "mirror.git");
    fixture.git(fixture.root, "clone", "-q", "--mirror", fixture.origin, mirror);
    const requests: MirrorRequest[] = [];
    let dissociate = false;
    const mirrorProvider = {
      prepare: async (request: MirrorRequest) => {
        requests.push(request);
        return { referencePath: mirror, dissociate };
      },
    };
    const path = await checkoutDir();
    const env = fixtureEnvironment(fixture);
    const transcript = createTranscript();
    const result = await defaultCheckout(options(transcript, path, { env, mirrorProvider, commit: fixture.main }));
    expect(result).toEqual({ commit: fixture.main, mirror });
    expect(head(path)).toBe(fixture.main);
    expect(env.get(BUILDKITE_REPO_MIRROR)).toBe(mirror);
    expect(transcript.text()).toContain(`$ git clone -v --reference ${mirror} -- ${fixture.origin} .\n`);
    const alternates = join(path, ".git", "objects", "info", "alternates");
    expect((await readFile(alternates, "utf8")).trim()).toBe(join(mirror, "objects"));
    expect(requests[0]).toMatchObject({ repository: fixture.origin, commit: fixture.main, branch: "main", submodule: false });

    // Reference mode with the alternates file gone: it is written back.
    await rm(alternates);
    await defaultCheckout(options(createTranscript(), path, { env, mirrorProvider, commit: fixture.main }));
    expect((await readFile(alternates, "utf8")).trim()).toBe(join(mirror, "objects"));

    // Dissociate mode: objects are copied in and the link is cut.
    dissociate = true;
    const second = createTranscript();
    await defaultCheckout(options(second, path, { env, mirrorProvider, commit: fixture.feature, branch: "feature" }));
    expect(existsSync(alternates)).toBe(false);
    expect(second.text()).toContain("$ git repack -a -d\n");
    expect(fixture.git(path, "fsck", "--connectivity-only", "--no-dangling")).toBe("");
  });

  it("uses BUILDKITE_GIT_SSH_KEY only for the checkout's git commands, after the previous GIT_SSH_COMMAND", async () => {
    const fakeSsh = fileURLToPath(new URL("../fixtures/checkout/fake-ssh.sh", import.meta.url));
    const record = join(fixture.root, `ssh-record-${Date.now()}`);
    const env = fixtureEnvironment(fixture, { GIT_SSH_COMMAND: fakeSsh, GIT_SSH_VARIANT: "simple", FAKE_SSH_RECORD: record });
    const scanned: string[] = [];
    const path = await checkoutDir();
    const repository = `git@example.invalid:${fixture.origin}`;
    await defaultCheckout(
      options(createTranscript(), path, {
        env,
        repository,
        gitSshKey: "-----FAKE KEY-----\n\n",
        pipelineSlug: "my pipeline",
        sshKeyscan: true,
        keyscan: async (repo) => {
          scanned.push(repo);
        },
      }),
    );
    expect(head(path)).toBe(fixture.main);
    expect(scanned).toEqual([repository]);
    const lines = (await readFile(record, "utf8")).split("\n");
    expect(lines[0]).toMatch(/^-i \S+\/\.buildkite-ssh-key-my-pipeline-\w+\/id -o IdentitiesOnly=yes git@example\.invalid git-upload-pack/);
    expect(lines[1]).toBe("key:-----FAKE KEY-----");
    // The key is gone afterwards and the job's env never had the checkout's GIT_SSH_COMMAND.
    expect((await readdir(join(path, ".."))).filter((name) => name.startsWith(".buildkite-ssh-key"))).toEqual([]);
    expect(env.get("GIT_SSH_COMMAND")).toBe(fakeSsh);
  });

  it("warns, and still checks out, when the keyscan fails", async () => {
    const transcript = createTranscript();
    await defaultCheckout(
      options(transcript, await checkoutDir(), {
        sshKeyscan: true,
        keyscan: async () => {
          throw new Error("ssh-keyscan exploded");
        },
      }),
    );
    expect(transcript.text()).toContain("⚠️ Warning: Error adding to known_hosts: ssh-keyscan exploded\n");
  });

  it.each([
    ["an unterminated quote in the clone flags", { cloneFlags: "-v '--depth 1" }, "CHECKOUT_FLAGS_INVALID"],
    ["Git LFS", { gitLfsEnabled: true }, "CHECKOUT_NOT_SUPPORTED"],
    ["sparse checkout", { sparseCheckoutPaths: ["src"] }, "CHECKOUT_NOT_SUPPORTED"],
    ["commit verification", { commitVerification: "strict" }, "CHECKOUT_NOT_SUPPORTED"],
    ["a commit that looks like an option", { commit: "--orphan" }, "CHECKOUT_INVALID_REF"],
  ])("refuses %s", async (_name, extra, code) => {
    await expect(defaultCheckout(options(createTranscript(), await checkoutDir(), extra))).rejects.toMatchObject({ code });
  });

  it("skips the fetch when asked to and the commit is already there", async () => {
    const path = await checkoutDir();
    await defaultCheckout(options(createTranscript(), path, { commit: fixture.main }));
    const transcript = createTranscript();
    await defaultCheckout(options(transcript, path, { commit: fixture.mainFirst, skipFetchExistingCommits: true }));
    expect(transcript.text()).toContain(`# Commit "${fixture.mainFirst}" already exists locally, skipping fetch\n`);
    expect(transcript.text()).not.toContain("git fetch");
  });

  // Regression: any rev-parse that resolved counted, so a short sha or a branch
  // name (which may be stale locally) skipped the fetch; the real agent's
  // hasGitCommit also needs the answer to be the commit itself.
  it.each([
    ["a short sha", () => fixture.mainFirst.slice(0, 8)],
    ["a branch name", () => "main"],
  ])("still fetches with skip-fetch-existing-commits when the commit is %s", async (_name, commit) => {
    const path = await checkoutDir();
    await defaultCheckout(options(createTranscript(), path, { commit: fixture.main }));
    const transcript = createTranscript();
    const lazyFetch: Array<string | undefined> = [];
    const runner: ProcessRunner = (command, args, run) => {
      if (args[0] === "rev-parse") lazyFetch.push(run.env["GIT_NO_LAZY_FETCH"]);
      return transcript.runner(command, args, run);
    };
    await defaultCheckout(options(transcript, path, { runner, commit: commit(), skipFetchExistingCommits: true }));
    expect(transcript.text()).not.toContain("already exists locally");
    expect(transcript.text()).toContain("$ git fetch -v --prune -- origin ");
    // The presence check never lets a partial clone fetch the object to answer.
    expect(lazyFetch).toEqual(["1"]);
  });

  // Regression: the custom refspec was shell-split twice (plan and fetch), so one
  // quoted to keep an apostrophe failed as an unterminated quote.
  it("fetches a quoted custom refspec holding an apostrophe", async () => {
    const path = await checkoutDir();
    await defaultCheckout(options(createTranscript(), path, { refspec: `"refs/heads/feature:refs/remotes/origin/it's"` }));
    expect(fixture.git(path, "rev-parse", "refs/remotes/origin/it's")).toBe(fixture.feature);
  });
});

/** Resolves once `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("repository credentials in the job log", () => {
  /** An env whose git rewrites `url` to the fixture's origin, so a credentialed URL clones offline. */
  async function rewritingEnv(...urls: string[]) {
    const config = join(await mkdtemp(join(fixture.root, "gitconfig-")), "gitconfig");
    await writeFile(config, `[init]\n\tdefaultBranch = main\n[url "${fixture.origin}"]\n${urls.map((url) => `\tinsteadOf = ${url}\n`).join("")}`);
    return fixtureEnvironment(fixture, { GIT_CONFIG_GLOBAL: config });
  }

  // Regression: the `$ git clone -- <repo>` and `$ git remote set-url origin <repo>`
  // prompts printed the repository URL unredacted, token and all.
  it("masks a URL's password in the clone and set-url prompts and the renamed-remote comment", async () => {
    const first = "https://x-access-token:SECRET1234@example.invalid/org/repo.git";
    const second = "https://x-access-token:OTHERSECRET@example.invalid/org/repo.git";
    const env = await rewritingEnv(first, second);
    const path = await checkoutDir();
    const transcript = createTranscript();
    await defaultCheckout(options(transcript, path, { env, repository: first }));
    await defaultCheckout(options(transcript, path, { env, repository: second }));
    const log = transcript.text();
    expect(log).toContain("$ git clone -v -- https://x-access-token:xxxxx@example.invalid/org/repo.git .\n");
    expect(log).toContain("$ git remote set-url origin https://x-access-token:xxxxx@example.invalid/org/repo.git\n");
    expect(log).toContain("has changed (https://x-access-token:xxxxx@example.invalid/org/repo.git -> https://x-access-token:xxxxx@example.invalid/org/repo.git)!");
    expect(log).not.toContain("SECRET1234");
    expect(log).not.toContain("OTHERSECRET");
  });

  it("masks a URL's password in the prompt and the error of a failed clone", async () => {
    const transcript = createTranscript();
    const repository = "https://x-access-token:SECRET1234@127.0.0.1:1/org/repo.git";
    const error = (await defaultCheckout(options(transcript, await checkoutDir(), { repository })).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: "CHECKOUT_CLONE_FAILED" });
    expect(error.message).toMatch(/^git clone of https:\/\/x-access-token:xxxxx@127\.0\.0\.1:1\/org\/repo\.git failed/);
    expect(transcript.text()).toContain("$ git clone -v -- https://x-access-token:xxxxx@127.0.0.1:1/org/repo.git .\n");
    expect(`${transcript.text()}${error.message}`).not.toContain("SECRET1234");
  });
});

describe("a token written as the URL user", () => {
  // Regression: only a password was masked in the checkout, so the usual
  // `https://TOKEN@github.com/…` form showed in the clone prompt and the error.
  it("is masked in the clone prompt and the error of a failed clone", async () => {
    const transcript = createTranscript();
    const repository = "https://ghp_TOKEN1234@127.0.0.1:1/org/repo.git";
    const error = (await defaultCheckout(options(transcript, await checkoutDir(), { repository })).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: "CHECKOUT_CLONE_FAILED" });
    expect(error.message).toMatch(/^git clone of https:\/\/xxxxx@127\.0\.0\.1:1\/org\/repo\.git failed/);
    expect(transcript.text()).toContain("$ git clone -v -- https://xxxxx@127.0.0.1:1/org/repo.git .\n");
    expect(`${transcript.text()}${error.message}`).not.toContain("ghp_TOKEN1234");
  });
});

describe("git fetch output", () => {
  // Regression: fetch output was captured whole and printed only when git exited,
  // so nothing showed while it ran and nothing at all when the job was cancelled.
  it("reaches the job log while the fetch runs, and stays there when the fetch is cancelled", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const uploadPack = join(fixture.root, `slow-upload-pack-${dirs}`);
    await writeFile(uploadPack, '#!/bin/sh\necho "slow upload-pack started" >&2\nexec sleep 30\n', { mode: 0o755 });
    const controller = new AbortController();
    const outcome = defaultCheckout(
      options(transcript, path, { fetchFlags: `-v --prune --upload-pack=${uploadPack}`, signal: controller.signal }),
    ).catch((caught: unknown) => caught);
    try {
      await waitFor(() => transcript.text().includes("slow upload-pack started"), "the fetch's output in the log");
    } finally {
      controller.abort(new Error("job cancelled"));
    }
    expect(await outcome).toMatchObject({ code: "CHECKOUT_INTERRUPTED" });
    expect(transcript.text()).toContain(`$ git fetch -v --prune --upload-pack=${uploadPack} -- origin main\n`);
  });
});

describe("checkoutWithRetries around defaultCheckout", () => {
  it("retries a repository that does not exist 6 times, 1, 2, 4, 8, 16 s + jitter apart, then fails clearly", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const missing = join(fixture.root, "does-not-exist.git");
    const sleeps: number[] = [];
    const attempts: number[] = [];
    const error = await checkoutWithRetries(
      (attempt) => {
        attempts.push(attempt.attempt);
        return defaultCheckout(options(transcript, path, { repository: missing }));
      },
      { log: transcript.log, checkoutPath: path, random: () => 0.25, sleep: async (ms) => void sleeps.push(ms) },
    ).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: "CHECKOUT_CLONE_FAILED" });
    expect((error as Error).message).toBe(`git clone of ${missing} failed (git exited 128)`);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sleeps).toEqual([1250, 2250, 4250, 8250, 16250]);
    const log = transcript.text();
    expect(log).toContain(`fatal: repository '${missing}' does not exist`);
    expect(log).toContain(`⚠️ Warning: Checkout failed! git clone of ${missing} failed (git exited 128) (Attempt 1/6 Retrying in 1.25s)\n`);
    expect(log).toContain(`(Attempt 5/6 Retrying in 16.25s)\n`);
    expect(log).toContain(`failed (git exited 128) (Attempt 6/6)\n`);
    expect(log).toContain(`# Removing ${path}\n`);
  });

  it("fails clearly for a commit that does not exist, re-cloning between attempts", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const sleeps: number[] = [];
    const error = await checkoutWithRetries(() => defaultCheckout(options(transcript, path, { commit: missing })), {
      log: transcript.log,
      checkoutPath: path,
      attempts: 2,
      random: () => 0,
      sleep: async (ms) => void sleeps.push(ms),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "CHECKOUT_FETCH_REF_NOT_ON_REMOTE" });
    // git prints "not our ref" twice (local and remote side), in either order.
    expect((error as Error).message).toMatch(new RegExp(`^git fetch of ${missing} failed \\(git exited 128\\): fatal: .*not our ref ${missing}$`));
    expect(sleeps).toEqual([1000]);
    expect(transcript.text().match(/\$ git clone /g)).toHaveLength(2);
  });

  // Regression: a retried fetch (a GitHub PR at HEAD) that exited 128 was tried 10
  // times in place, then stopped the checkout without a wipe; the real agent
  // breaks out at once and the checkout loop wipes and re-clones.
  it("re-clones after a retried fetch exits 128, without retrying the fetch in place", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const fetchSleeps: number[] = [];
    const checkoutSleeps: number[] = [];
    const attempt = () =>
      defaultCheckout(
        options(transcript, path, {
          commit: "HEAD",
          pullRequest: "7",
          pipelineProvider: "github",
          // upload-pack cannot run: git fetch says "Could not read from remote repository", exit 128.
          fetchFlags: "-v --prune --upload-pack=false",
          random: () => 0,
          sleep: async (ms) => void fetchSleeps.push(ms),
        }),
      );
    const error = await checkoutWithRetries(attempt, {
      log: transcript.log,
      checkoutPath: path,
      attempts: 2,
      random: () => 0,
      sleep: async (ms) => void checkoutSleeps.push(ms),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "CHECKOUT_FETCH_BROKEN" });
    expect(fetchSleeps).toEqual([]);
    expect(checkoutSleeps).toEqual([1000]);
    const log = transcript.text();
    expect(log.match(/\$ git fetch /g)).toHaveLength(2);
    expect(log.match(/\$ git clone /g)).toHaveLength(2);
    expect(log).toContain(`# Removing ${path}\n`);
  });

  // Regression: git exits 128 for "reference is not a tree" (the commit is not in
  // what was fetched), and that wiped the clone; the real agent matches the text
  // first and retries without re-cloning.
  it("retries a commit that is not in what was fetched without re-cloning", async () => {
    const transcript = createTranscript();
    const path = await checkoutDir();
    const error = await checkoutWithRetries(
      // The PR commit is only reachable from refs/pull/7/head, which neither the
      // clone nor this refspec fetches (file:// so git does not copy every object
      // of a local origin).
      () =>
        defaultCheckout(
          options(transcript, path, { repository: `file://${fixture.origin}`, commit: fixture.pullRequest, refspec: "refs/heads/main" }),
        ),
      { log: transcript.log, checkoutPath: path, attempts: 2, random: () => 0, sleep: async () => undefined },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "CHECKOUT_REFERENCE_NOT_A_TREE" });
    expect((error as Error).message).toContain(`fatal: reference is not a tree: ${fixture.pullRequest}`);
    const log = transcript.text();
    expect(log.match(/\$ git clone /g)).toHaveLength(1);
    expect(log).not.toContain("# Removing");
  });
});

describe("the fixture's git env", () => {
  it("never touches the real global git config", () => {
    expect(execFileSync("git", ["config", "--global", "--list"], { env: fixture.env, encoding: "utf8" })).toBe("init.defaultbranch=main\n");
  });
});
