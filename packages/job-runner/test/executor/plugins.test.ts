import path from "node:path";
import { makeRepo, runInProcess, sandbox, startApi, type ApiFixture, type Sandbox } from "./harness.js";

/** A plugin repository tagged v1 whose hooks print what they see. */
function pluginRepo(box: Sandbox): string {
  const plugin = makeRepo(box, "thing-buildkite-plugin", {
    "hooks/environment": '#!/bin/bash\nexport FROM_PLUGIN_ENV=yes\nenv | grep "^BUILDKITE_PLUGIN_THING_" | sort | sed "s/^/seen /"\n',
    "hooks/pre-command": '#!/bin/bash\necho "plugin pre-command sees $FROM_PLUGIN_ENV"\n',
    "hooks/command": '#!/bin/bash\necho "plugin command replaces $BUILDKITE_COMMAND"\n',
  });
  const work = path.join(box.root, "thing-buildkite-plugin-work");
  box.git(work, "tag", "v1");
  box.git(work, "push", "-q", plugin.origin, "v1");
  // A later commit on main: v1 must be what is checked out.
  box.write(path.join(work, "hooks/pre-command"), '#!/bin/bash\necho "unreleased pre-command"\n');
  box.git(work, "commit", "-q", "-am", "unreleased");
  box.git(work, "push", "-q", plugin.origin, "HEAD:main");
  return plugin.origin;
}

describe("plugins", () => {
  let api: ApiFixture | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it("checks out a plugin at its tag and runs its hooks with BUILDKITE_PLUGIN_* for nested config", async () => {
    const box = sandbox();
    const origin = pluginRepo(box);
    const config = { image: "node:20", options: { deep: { key: "value" } }, list: ["a", { b: true }], count: 3 };
    const result = await runInProcess(box, {
      ...box.env,
      BUILDKITE_PLUGINS: JSON.stringify([{ [`${origin}#v1`]: config }]),
      BUILDKITE_COMMAND: "echo default-command",
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("seen BUILDKITE_PLUGIN_THING_IMAGE=node:20\n");
    expect(result.log).toContain("seen BUILDKITE_PLUGIN_THING_OPTIONS_DEEP_KEY=value\n");
    expect(result.log).toContain("seen BUILDKITE_PLUGIN_THING_LIST_0=a\n");
    expect(result.log).toContain("seen BUILDKITE_PLUGIN_THING_LIST_1_B=true\n");
    expect(result.log).toContain("seen BUILDKITE_PLUGIN_THING_COUNT=3\n");
    expect(result.log).toContain("plugin pre-command sees yes");
    expect(result.log).not.toContain("unreleased");
    expect(result.log).toContain("plugin command replaces echo default-command");
    expect(result.log).not.toContain("\ndefault-command");
    expect(result.log).toMatch(/~~~ Running plugin thing[^\n]* environment hook/u);
  });

  it("fails the job with a clear error when plugin validation is asked for, before checking any plugin out", async () => {
    const box = sandbox();
    const origin = pluginRepo(box);
    const result = await runInProcess(box, {
      ...box.env,
      BUILDKITE_PLUGIN_VALIDATION: "true",
      BUILDKITE_PLUGINS: JSON.stringify([{ [`${origin}#v1`]: { image: "node:20" } }]),
      BUILDKITE_COMMAND: "echo default-command",
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain("plugin validation (plugin-validation, BUILDKITE_PLUGIN_VALIDATION) is not supported");
    expect(result.log).not.toContain("seen BUILDKITE_PLUGIN_THING_");
    expect(result.log).not.toContain("default-command\n");
  });

  it("runs a vendored plugin from the checked-out repository", async () => {
    const box = sandbox();
    api = await startApi();
    const repo = makeRepo(box, "app", {
      ".buildkite/plugins/local/hooks/environment": "#!/bin/bash\nexport VENDORED_SAYS=hello\n",
      ".buildkite/plugins/local/hooks/pre-command": '#!/bin/bash\necho "vendored pre-command: $BUILDKITE_PLUGIN_LOCAL_MODE"\n',
    });
    const result = await runInProcess(
      box,
      {
        ...box.env,
        ...api.env,
        BUILDKITE_SKIP_CHECKOUT: "false",
        BUILDKITE_CHECKOUT_ATTEMPTS: "1",
        BUILDKITE_REPO: repo.origin,
        BUILDKITE_PLUGINS: JSON.stringify([{ "./.buildkite/plugins/local": { mode: "fast" } }]),
        BUILDKITE_COMMAND: 'echo "command sees $VENDORED_SAYS"',
      },
      { apiClient: api.client },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("vendored pre-command: fast");
    expect(result.log).toContain("command sees hello");
  });

  it.each([
    [
      "plugins disabled (--no-plugins)",
      (_origin: string) => ({ BUILDKITE_PLUGINS_ENABLED: "false", BUILDKITE_PLUGINS: JSON.stringify([{ "/x/y-buildkite-plugin#v1": {} }]) }),
      "plugins have been disabled on this agent with `--no-plugins`",
    ],
    [
      "a bad ref",
      (origin: string) => ({ BUILDKITE_PLUGINS: JSON.stringify([{ [`${origin}#no-such-tag`]: {} }]) }),
      'git checkout of version "no-such-tag" failed',
    ],
    [
      "a config that is not an object",
      (origin: string) => ({ BUILDKITE_PLUGINS: JSON.stringify([{ [`${origin}#v1`]: "not-an-object" }]) }),
      "is not a hash",
    ],
  ])("refuses %s with a clear line and exit 1, running no command", async (_name, env, line) => {
    const box = sandbox();
    const origin = pluginRepo(box);
    const result = await runInProcess(box, { ...box.env, ...env(origin), BUILDKITE_COMMAND: "echo command-ran" });
    expect(result.log).toContain(line);
    expect(result.log).toContain("🚨 Error:");
    expect(result.log).not.toContain("\ncommand-ran");
    expect(result.exitCode).toBe(1);
  });

  it("fails on a plugin that does not exist, naming it", async () => {
    const box = sandbox();
    const missing = path.join(box.root, "missing-buildkite-plugin");
    const result = await runInProcess(box, {
      ...box.env,
      BUILDKITE_PLUGINS: JSON.stringify([{ [`${missing}#v1`]: {} }]),
      BUILDKITE_COMMAND: "echo command-ran",
    });
    expect(result.log).toContain(`failed to checkout plugin missing`);
    expect(result.log).toContain(missing);
    expect(result.log).not.toContain("\ncommand-ran");
    expect(result.exitCode).toBe(1);
  }, 20_000);
});
