import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import lockfile from "proper-lockfile";
import { checkoutPlugins, createPlugin, type CheckoutPluginsOptions, type Plugin } from "../../src/plugins/index.js";
import { collectingLog, git, gitEnv, makePluginRepo, tree, TempDirs, type PluginRepo } from "./plugin-fixtures.js";

const temp = new TempDirs();
let env: Record<string, string>;
let pluginsPath: string;
let repo: PluginRepo;

beforeEach(async () => {
  const home = await temp.make();
  env = gitEnv(home);
  pluginsPath = path.join(home, "plugins");
  await fs.mkdir(pluginsPath);
  repo = await makePluginRepo(path.join(home, "src", "thing-buildkite-plugin"), env);
});
afterEach(() => temp.cleanup());

function run(plugins: readonly Plugin[], options: Partial<CheckoutPluginsOptions> = {}) {
  const { log, runProcess, text } = collectingLog();
  const delays: number[] = [];
  const result = checkoutPlugins(plugins, {
    pluginsPath,
    agentName: "agent-1",
    runProcess,
    log,
    env,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { result, text, delays };
}

const headOf = (dir: string) => git(dir, env, "rev-parse", "HEAD");

describe("checkoutPlugins", () => {
  it("clones a local repository at a tag into plugins-path/agent/identifier, leaving nothing else", async () => {
    const plugin = createPlugin(`${repo.dir}#v1.0.0`);
    const { result, text } = run([plugin]);
    const [checkout] = await result;
    const expectedDir = path.join(pluginsPath, "agent-1", plugin.identifier);
    expect(checkout).toEqual({ plugin, root: expectedDir, pluginDir: expectedDir, hooksDir: path.join(expectedDir, "hooks") });
    expect(headOf(expectedDir)).toBe(repo.first);
    expect(await fs.readFile(path.join(expectedDir, "VERSION"), "utf8")).toBe("1\n");
    expect(text()).toContain(`# Plugin "thing" will be checked out to "${expectedDir}"`);
    expect(text()).toContain(`$ mktemp -dp ${pluginsPath}`);
    expect(text()).toContain(`$ git clone -v --recursive -- ${repo.dir} .`);
    expect(text()).toContain("# Checking out `v1.0.0`\n$ git -c advice.detachedHead=false checkout -f v1.0.0");
    expect(text()).toMatch(new RegExp(`\\$ mv ${pluginsPath}/\\w+ ${expectedDir}`));
    // No temp dir, no lock directory left behind.
    expect(await tree(pluginsPath)).toEqual(["agent-1", `agent-1/${plugin.identifier}`]);
  });

  it.each([
    ["a branch", "feature", () => repo.feature],
    ["a full sha", "SHA", () => repo.first],
    ["no version (default branch)", "", () => repo.main],
  ])("checks out %s", async (_, version, expected) => {
    const ref = version === "SHA" ? repo.first : version;
    const source = ref === "" ? `file://${repo.dir}` : `file://${repo.dir}#${ref}`;
    const [checkout] = await run([createPlugin(source)]).result;
    expect(headOf(checkout!.pluginDir)).toBe(expected());
  });

  it("reuses an existing checkout without fetching, naming its short sha", async () => {
    const plugin = createPlugin(`${repo.dir}#v1.0.0`);
    await run([plugin]).result;
    git(repo.dir, env, "tag", "-f", "v1.0.0", repo.main); // moved upstream: must not be fetched
    const second = run([plugin]);
    const [checkout] = await second.result;
    expect(second.text()).toContain(`# Plugin "${plugin.label}" already checked out (${repo.first.slice(0, 7)})`);
    expect(second.text()).not.toContain("git clone");
    expect(headOf(checkout!.pluginDir)).toBe(repo.first);
  });

  it("clones afresh with plugins-always-clone-fresh", async () => {
    const plugin = createPlugin(`${repo.dir}#v1.0.0`);
    await run([plugin]).result;
    git(repo.dir, env, "tag", "-f", "v1.0.0", repo.main);
    const second = run([plugin], { alwaysCloneFresh: true });
    const [checkout] = await second.result;
    expect(second.text()).toContain(`# BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH is true; removing previous checkout of plugin ${plugin.label}`);
    expect(headOf(checkout!.pluginDir)).toBe(repo.main);
  });

  it("clones without --recursive when git-submodules is off", async () => {
    const { result, text } = run([createPlugin(repo.dir)], { gitSubmodules: false });
    await result;
    expect(text()).toContain(`$ git clone -v -- ${repo.dir} .`);
  });

  it("fails on a bad ref naming the plugin and ref, leaving nothing in plugins-path", async () => {
    const { result } = run([createPlugin(`${repo.dir}#no-such-ref`)]);
    await expect(result).rejects.toMatchObject({
      code: "PLUGIN_BAD_VERSION",
      message: expect.stringMatching(/^failed to checkout plugin thing: git checkout of version "no-such-ref" failed with exit status 1/),
    });
    expect(await tree(pluginsPath)).toEqual(["agent-1"]);
  });

  it("fails after three attempts 2 s apart when the repository does not exist, leaving nothing behind", async () => {
    const missing = path.join(path.dirname(repo.dir), "missing-plugin");
    const { result, text, delays } = run([createPlugin(`${missing}#v1`)]);
    await expect(result).rejects.toMatchObject({
      code: "PLUGIN_CLONE_FAILED",
      message: `failed to checkout plugin missing-plugin: git clone of ${missing} failed with exit status 128 after 3 attempts; check the plugin source "${missing}#v1" exists and this agent can read it`,
    });
    expect(delays).toEqual([2000, 2000]);
    expect(text().match(/\$ git clone/g)).toHaveLength(3);
    expect(await tree(pluginsPath)).toEqual(["agent-1"]);
  });

  it("checks out one plugin once when two jobs ask at the same time", async () => {
    const plugin = createPlugin(`${repo.dir}#v1.0.0`);
    const a = run([plugin]);
    const b = run([plugin]);
    const [[first], [second]] = await Promise.all([a.result, b.result]);
    expect(first!.pluginDir).toBe(second!.pluginDir);
    expect(`${a.text()}${b.text()}`.match(/\$ git clone/g)).toHaveLength(1);
    expect(`${a.text()}${b.text()}`).toContain("already checked out");
    expect(await tree(pluginsPath)).toEqual(["agent-1", `agent-1/${plugin.identifier}`]);
  });

  it("checks out a repeated plugin once, each entry keeping its own config", async () => {
    const one = createPlugin(`${repo.dir}#v1.0.0`, { a: "1" });
    const two = createPlugin(`${repo.dir}#v1.0.0`, { b: "2" });
    const vendored = createPlugin("./.buildkite/plugins/mine");
    const { result, text } = run([one, vendored, two]);
    const checkouts = await result;
    expect(checkouts.map((c) => c.plugin)).toEqual([one, two]);
    expect(checkouts[0]!.pluginDir).toBe(checkouts[1]!.pluginDir);
    expect(text().match(/\$ git clone/g)).toHaveLength(1);
  });

  it("finds a plugin in a subdirectory of its repository", async () => {
    const mono = path.join(path.dirname(repo.dir), "mono.git");
    await makePluginRepo(mono, env, { "plugins/foo/hooks/command": "echo foo\n" });
    const plugin = createPlugin(`${mono}/plugins/foo#v1.0.0`);
    const [checkout] = await run([plugin]).result;
    const root = path.join(pluginsPath, "agent-1", plugin.identifier);
    expect(checkout).toMatchObject({ root, pluginDir: path.join(root, "plugins/foo"), hooksDir: path.join(root, "plugins/foo/hooks") });
    expect(plugin.displayName).toBe("foo");
  });

  it("fails when the plugin has no hooks directory", async () => {
    const bare = await makePluginRepo(path.join(path.dirname(repo.dir), "hookless"), env, { "README.md": "no hooks\n" });
    await expect(run([createPlugin(bare.dir)]).result).rejects.toMatchObject({
      code: "PLUGIN_NO_HOOKS_DIR",
      message: 'failed to checkout plugin hookless: "hooks" was not a directory within the "hookless" plugin; a plugin keeps its hooks in a hooks/ directory',
    });
  });

  it.each([
    [{ pluginsPath: "" }, "PLUGIN_NO_PLUGINS_PATH", "failed to checkout plugin thing: can't checkout plugin without a `plugins-path`"],
    [{}, "PLUGIN_ZIP_DISABLED", 'failed to checkout plugin thing-zip: zip plugins require the "zip-plugins" experiment to be enabled'],
    [{ zipPlugins: true }, "PLUGIN_ZIP_UNSUPPORTED", expect.stringContaining("zip plugins are not supported by this agent yet")],
  ])("refuses with %j: %s", async (options, code, message) => {
    const source = code === "PLUGIN_NO_PLUGINS_PATH" ? repo.dir : "zip+https://example.com/thing.zip";
    await expect(run([createPlugin(source)], options).result).rejects.toMatchObject({ code, message });
  });

  it("keyscans the host of an ssh source before cloning, and carries on when keyscan fails", async () => {
    const calls: unknown[] = [];
    const { result, text } = run([createPlugin("ssh://git@127.0.0.1:2222/org/thing.git#v1")], {
      env: { ...env, GIT_SSH_COMMAND: "false" },
      cloneAttempts: 1,
      keyscan: async (host, options) => {
        calls.push([host, options.port]);
        throw new Error("no route");
      },
    });
    await expect(result).rejects.toMatchObject({ code: "PLUGIN_CLONE_FAILED" });
    expect(calls).toEqual([["127.0.0.1", 2222]]);
    expect(text()).toContain('⚠️ Warning: Failed to add "127.0.0.1" to known_hosts: no route');
  });

  it.each([
    ["an https source", "https://127.0.0.1:1/org/thing.git", {}],
    ["ssh-keyscan off", "ssh://git@127.0.0.1:2222/org/thing.git", { sshKeyscan: false }],
  ])("does not keyscan %s", async (_, source, options) => {
    const calls: string[] = [];
    const { result } = run([createPlugin(source)], {
      env: { ...env, GIT_SSH_COMMAND: "false" },
      cloneAttempts: 1,
      keyscan: async (host) => {
        calls.push(host);
      },
      ...options,
    });
    await expect(result).rejects.toMatchObject({ code: "PLUGIN_CLONE_FAILED" });
    expect(calls).toEqual([]);
  });

  // The mask is Go's url.Redacted `xxxxx` (logs-and-redaction.md); this test used to expect `******`.
  it("hides a password from the clone prompt and error", async () => {
    const { result, text } = run([createPlugin("https://user:hunter2@127.0.0.1:1/org/thing.git")], { cloneAttempts: 1 });
    const error = (await result.catch((e: unknown) => e)) as Error;
    expect(text()).toContain("$ git clone -v --recursive -- https://user:xxxxx@127.0.0.1:1/org/thing.git .");
    expect(error.message).toContain("git clone of https://user:xxxxx@127.0.0.1:1/org/thing.git failed");
    expect(`${text()}${error.message}`).not.toContain("hunter2");
  });

  // Regression: only `user:password` was masked, so a token written as the user
  // (`https://TOKEN@github.com/…`) showed in the prompt and in the failure messages.
  // It is shown as `xxxxx` (it used to be left out) since plugins and the checkout
  // share one display form, git-command.ts `displayUrl`.
  it("never shows a token written as the user: clone prompt and PLUGIN_CLONE_FAILED", async () => {
    const { result, text } = run([createPlugin("https://ghp_TOKEN1234@127.0.0.1:1/org/thing.git")], { cloneAttempts: 1 });
    const error = (await result.catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe("PLUGIN_CLONE_FAILED");
    expect(text()).toContain("$ git clone -v --recursive -- https://xxxxx@127.0.0.1:1/org/thing.git .");
    expect(`${text()}${error.message}`).not.toContain("ghp_TOKEN1234");
  });

  it("never shows a token written as the user: PLUGIN_BAD_VERSION after a successful clone", async () => {
    const source = "https://ghp_TOKEN1234@example.invalid/org/thing.git";
    // git rewrites the URL to the local repository, so the clone works without a network.
    await fs.writeFile(env.GIT_CONFIG_GLOBAL!, `[url "${repo.dir}"]\n\tinsteadOf = ${source}\n`);
    const { result, text } = run([createPlugin(`${source}#no-such-version`)]);
    const error = (await result.catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe("PLUGIN_BAD_VERSION");
    expect(error.message).toContain("is a branch, tag or commit of https://xxxxx@example.invalid/org/thing.git");
    expect(text()).toContain("$ git clone -v --recursive -- https://xxxxx@example.invalid/org/thing.git .");
    expect(`${text()}${error.message}`).not.toContain("ghp_TOKEN1234");
  });

  it("keeps an ssh login name in the prompt", async () => {
    const { result, text } = run([createPlugin("ssh://git@127.0.0.1:2222/org/thing.git")], {
      env: { ...env, GIT_SSH_COMMAND: "false" },
      cloneAttempts: 1,
    });
    await expect(result).rejects.toMatchObject({ code: "PLUGIN_CLONE_FAILED" });
    expect(text()).toContain("$ git clone -v --recursive -- ssh://git@127.0.0.1:2222/org/thing.git .");
  });

  it("quotes paths in the mktemp and mv prompts as the real agent's QuotePosix does", async () => {
    const spaced = path.join(pluginsPath, "with space");
    await fs.mkdir(spaced);
    const plugin = createPlugin(`${repo.dir}#v1.0.0`);
    const { result, text } = run([plugin], { pluginsPath: spaced });
    await result;
    expect(text()).toContain(`$ mktemp -dp "${spaced}"\n`);
    expect(text()).toMatch(new RegExp(`\\$ mv "${spaced}/\\w+" "${path.join(spaced, "agent-1", plugin.identifier)}"\n`));
  });

  it("stops when cancelled between attempts, leaving no temp dir or lock", async () => {
    const controller = new AbortController();
    const reason = new Error("job cancelled");
    const missing = path.join(path.dirname(repo.dir), "missing-plugin");
    const { result } = run([createPlugin(missing)], {
      signal: controller.signal,
      sleep: async () => {
        controller.abort(reason);
        throw reason;
      },
    });
    await expect(result).rejects.toBe(reason);
    expect(await tree(pluginsPath)).toEqual(["agent-1"]);
  });

  it("gives up waiting for another job's lock after the timeout", async () => {
    const plugin = createPlugin(`${repo.dir}#v1.0.0`);
    const directory = path.join(pluginsPath, "agent-1", plugin.identifier);
    await fs.mkdir(path.dirname(directory), { recursive: true });
    const release = await lockfile.lock(directory, { realpath: false });
    try {
      const started = Date.now();
      await expect(run([plugin], { lockTimeoutMs: 300, lockPollMs: 50 }).result).rejects.toMatchObject({
        code: "PLUGIN_LOCK_TIMEOUT",
        message: expect.stringContaining(`waiting for the lock on plugin directory "${directory}"`),
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await release();
    }
  });
});
