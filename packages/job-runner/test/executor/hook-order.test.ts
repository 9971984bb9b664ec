import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeRepo, recordingUploader, runInProcess, sandbox, type Sandbox } from "./harness.js";

const ALL_HOOKS = [
  "environment",
  "pre-checkout",
  "checkout",
  "post-checkout",
  "pre-command",
  "command",
  "post-command",
  "pre-artifact",
  "post-artifact",
  "pre-exit",
];

/** A plugin repository with every hook (tagged v1) and a vendored plugin in the checkout. */
function everyScope(box: Sandbox): { plugins: string; additional: string } {
  const pluginFiles: Record<string, string> = {};
  for (const name of ALL_HOOKS) pluginFiles[`hooks/${name}`] = `#!/bin/bash\necho "plugin ${name}" >> "$ORDER_FILE"\n`;
  const plugin = makeRepo(box, "order-buildkite-plugin", pluginFiles);
  box.git(path.join(box.root, "order-buildkite-plugin-work"), "tag", "v1");
  box.git(path.join(box.root, "order-buildkite-plugin-work"), "push", "-q", plugin.origin, "v1");
  const additional = path.join(box.root, "more-hooks");
  for (const name of ALL_HOOKS) {
    box.hook(box.hooksPath, name, `agent ${name}`);
    box.hook(additional, name, `agent2 ${name}`);
    // Repository environment/pre-checkout/checkout hooks do not exist (§4.2): present here, never run.
    box.hook(path.join(box.checkoutPath, ".buildkite/hooks"), name, `repository ${name}`);
    box.hook(path.join(box.checkoutPath, ".buildkite/plugins/vend/hooks"), name, `vendored ${name}`);
  }
  return {
    plugins: JSON.stringify([{ [`${plugin.origin}#v1`]: {} }, { "./.buildkite/plugins/vend": {} }]),
    additional,
  };
}

describe("hook order", () => {
  it("runs every hook of every scope in the order of job-executor.md §4.2, post-artifact after the upload", async () => {
    const box = sandbox();
    const { plugins, additional } = everyScope(box);
    const uploader = recordingUploader(box);
    const result = await runInProcess(
      box,
      {
        ...box.env,
        BUILDKITE_SKIP_CHECKOUT: "false",
        BUILDKITE_PLUGINS: plugins,
        BUILDKITE_ADDITIONAL_HOOKS_PATHS: additional,
        BUILDKITE_ARTIFACT_PATHS: "out/*.txt",
      },
      { artifactUploader: uploader },
    );
    expect(result.exitCode).toBe(0);
    expect(box.order()).toEqual([
      "agent environment",
      "agent2 environment",
      "plugin environment",
      "agent pre-checkout",
      "agent2 pre-checkout",
      "plugin pre-checkout",
      // One source only: the plugin's checkout hook replaces the agent's and the default checkout.
      "plugin checkout",
      "agent post-checkout",
      "agent2 post-checkout",
      "repository post-checkout",
      "plugin post-checkout",
      // Vendored plugins join after checkout (row 6).
      "vendored environment",
      "agent pre-command",
      "agent2 pre-command",
      "repository pre-command",
      "plugin pre-command",
      "vendored pre-command",
      // Two plugins with a command hook: both run, the second with a warning.
      "plugin command",
      "vendored command",
      "agent post-command",
      "agent2 post-command",
      "repository post-command",
      "plugin post-command",
      "vendored post-command",
      "agent pre-artifact",
      "agent2 pre-artifact",
      "repository pre-artifact",
      "plugin pre-artifact",
      "vendored pre-artifact",
      "upload",
      "agent post-artifact",
      "agent2 post-artifact",
      "repository post-artifact",
      "plugin post-artifact",
      "vendored post-artifact",
      "agent pre-exit",
      "agent2 pre-exit",
      "repository pre-exit",
      "plugin pre-exit",
      "vendored pre-exit",
    ]);
    expect(uploader.calls).toHaveLength(1);
    expect(uploader.calls[0]?.paths).toBe("out/*.txt");
    expect(result.log).toContain("~~~ Running agent environment hook");
    expect(result.log).toMatch(/~~~ Running plugin order[^\n]* pre-command hook/u);
    expect(result.log).toContain("will be ignored in a future version of the agent");
  });

  it("picks the repository command hook over the agent's, and the agent checkout hook when no plugin has one", async () => {
    const box = sandbox();
    for (const name of ["checkout", "command", "pre-exit"]) box.hook(box.hooksPath, name, `agent ${name}`);
    box.hook(path.join(box.checkoutPath, ".buildkite/hooks"), "command", "repository command");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_SKIP_CHECKOUT: "false", BUILDKITE_COMMAND: "echo default > default-ran" });
    expect(result.exitCode).toBe(0);
    expect(box.order()).toEqual(["agent checkout", "repository command", "agent pre-exit"]);
    expect(result.log).not.toContain("Running commands");
  });

  it("skips post-artifact when the upload fails, and runs no artifact hooks without artifact paths", async () => {
    const box = sandbox();
    for (const name of ["pre-artifact", "post-artifact", "pre-exit"]) box.hook(box.hooksPath, name, `agent ${name}`);
    const failing = await runInProcess(box, { ...box.env, BUILDKITE_ARTIFACT_PATHS: "x" }, { artifactUploader: recordingUploader(box, 3) });
    expect(box.order()).toEqual(["agent pre-artifact", "upload", "agent pre-exit"]);
    expect(failing.exitCode).toBe(3);

    writeFileSync(box.orderFile, "");
    const none = await runInProcess(box, box.env, { artifactUploader: recordingUploader(box) });
    expect(none.exitCode).toBe(0);
    expect(box.order()).toEqual(["agent pre-exit"]);
  });
});

describe("environment carried between hooks and into the command", () => {
  it("carries export, unset and cd; drops protected vars; ignores BUILDKITE_COMMAND changes", async () => {
    const box = sandbox();
    const elsewhere = path.join(box.root, "elsewhere");
    mkdirSync(elsewhere);
    box.write(
      path.join(box.hooksPath, "environment"),
      [
        "export FROM_ENV_HOOK=one",
        "unset DOOMED",
        "export BUILDKITE_AGENT_ENDPOINT=http://evil.example/v3",
        `export BUILDKITE_COMMAND='echo hijacked > "${box.root}/hijacked"'`,
      ].join("\n"),
    );
    box.write(
      path.join(box.hooksPath, "pre-command"),
      ['export FROM_PRE_COMMAND="seen ${FROM_ENV_HOOK}"', `cd "${elsewhere}"`].join("\n"),
    );
    box.write(
      path.join(box.hooksPath, "post-command"),
      `echo "post sees \${FROM_PRE_COMMAND} in $PWD"\n`,
    );
    const result = await runInProcess(box, {
      ...box.env,
      DOOMED: "still here",
      BUILDKITE_COMMAND: 'echo "cmd: ${FROM_ENV_HOOK}|${FROM_PRE_COMMAND}|${DOOMED-unset}|$PWD|$BUILDKITE_AGENT_ENDPOINT"',
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(`cmd: one|seen one|unset|${elsewhere}|http://127.0.0.1:9/v3`);
    expect(result.log).toContain(`post sees seen one in ${elsewhere}`);
    expect(result.log).toContain("# FROM_ENV_HOOK added");
    expect(result.log).toContain("# DOOMED removed");
    expect(result.log).toContain("# Changes to some env vars were blocked; the affected vars are: [BUILDKITE_AGENT_ENDPOINT]");
    expect(result.log).not.toContain("hijacked");
    expect(box.order()).toEqual([]);
  });

  it("loses the changes of a hook that calls exit 0", async () => {
    const box = sandbox();
    box.write(path.join(box.hooksPath, "environment"), "export LOST=yes\nexit 0\n");
    const result = await runInProcess(box, { ...box.env, BUILDKITE_COMMAND: 'echo "lost=${LOST-none}"' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain("lost=none");
  });
});
