import { copyFile, mkdir, readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runHook, type HookContext, type HookFile } from "../../src/hooks/index.js";
import { hookFixture, shellQuote, type HookFixture } from "./hook-fixture.js";

// Values that break naive env capture: each is exported by a hook and must come back byte for byte.
const NASTY: Readonly<Record<string, string>> = {
  NASTY_NEWLINES: "line one\nline two\n\nlast\n",
  NASTY_QUOTES: `it's "double" and 'single' '\\''`,
  NASTY_DOLLAR: "$HOME ${PATH} $(whoami) $1",
  NASTY_BACKTICK: "`uname` \\` \\\\",
  NASTY_UNICODE: "ünïcødé ✓ 日本語 🚀",
  NASTY_EQUALS: "a=b==c=",
  NASTY_EMPTY: "",
  NASTY_CONTROL: "tab\there\rcr \x1b[31mred\x1b[0m \x07bell",
  NASTY_SPACES: "  leading and trailing  ",
  NASTY_DECLARE: 'x"\ndeclare -x INJECTED="oops',
  NASTY_EXPORT: "x'\nexport INJECTED='oops",
  NASTY_NUL_LIKE: "\\0 \\x00 %s %%",
};

interface ShellCase {
  readonly shebang: string;
  readonly hooksShell?: string;
  /** What `$BASH_VERSION` looks like in this shell: proves which shell really ran. */
  readonly bash: boolean;
}

const SHELLS: Readonly<Record<string, ShellCase>> = {
  "no shebang (bash from PATH)": { shebang: "", bash: true },
  "#!/bin/bash": { shebang: "#!/bin/bash", bash: true },
  "#!/usr/bin/env bash": { shebang: "#!/usr/bin/env bash", bash: true },
  "#!/bin/sh (dash here)": { shebang: "#!/bin/sh", bash: false },
  "#!/usr/bin/env -S bash -e": { shebang: "#!/usr/bin/env -S bash -e", bash: true },
  "hooks-shell 'bash --posix'": { shebang: "", hooksShell: "bash --posix", bash: true },
  "hooks-shell /bin/sh over a bash shebang": { shebang: "#!/bin/bash", hooksShell: "/bin/sh", bash: false },
  ...(existsSync("/usr/bin/dash") ? { "#!/usr/bin/dash": { shebang: "#!/usr/bin/dash", bash: false } } : {}),
  ...(existsSync("/bin/zsh") || existsSync("/usr/bin/zsh") ? { "#!/usr/bin/env zsh": { shebang: "#!/usr/bin/env zsh", bash: false } } : {}),
  ...(existsSync("/bin/ksh") || existsSync("/usr/bin/ksh") ? { "#!/usr/bin/env ksh": { shebang: "#!/usr/bin/env ksh", bash: false } } : {}),
};

const agentHook = (name: string, path: string): HookFile => ({ scope: "agent", name, path });

let fixture: HookFixture;
afterEach(async () => {
  await fixture.cleanup();
});

async function run(body: string, shell: ShellCase, extra: Partial<HookContext> = {}): Promise<Awaited<ReturnType<typeof runHook>>> {
  const path = await fixture.write("hooks/environment", `${shell.shebang === "" ? "" : `${shell.shebang}\n`}${body}\n`, 0o644);
  return runHook(agentHook("environment", path), {
    ...fixture.context,
    ...(shell.hooksShell === undefined ? {} : { hooksShell: shell.hooksShell }),
    ...extra,
  });
}

describe.each(Object.entries(SHELLS))("a shell hook run by %s", (_, shell) => {
  beforeEach(async () => {
    fixture = await hookFixture();
  });

  it("carries exports, unsets and cd, with every value exact", async () => {
    await mkdir(join(fixture.context.cwd, "sub dir"));
    const exports = Object.entries(NASTY).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    const body = [
      `echo "bash=\${BASH_VERSION:+yes}"`,
      ...exports,
      "export CHANGED='new value'",
      "unset GONE",
      "NOT_EXPORTED=local-only",
      'cd "sub dir"',
    ].join("\n");
    const result = await run(body, shell, {
      env: {
        ...fixture.context.env,
        CHANGED: "old value",
        GONE: "bye",
        // Unchanged nasty values must not show up as changes.
        UNCHANGED_NEWLINE: "a\nb",
        UNCHANGED_QUOTES: `'"\`$\\`,
      },
    });
    expect(fixture.output()).toContain(shell.bash ? "bash=yes" : "bash=\n");
    expect(result.exitCode).toBe(0);
    expect(result.changes).toEqual({
      added: NASTY,
      changed: { CHANGED: { old: "old value", new: "new value" } },
      removed: ["GONE"],
    });
    expect(result.workdir).toBe(join(fixture.context.cwd, "sub dir"));
  });

  it("reports nothing for a hook that changes nothing", async () => {
    const result = await run("true", shell);
    expect(result).toEqual({ wrapped: true, type: "shell", exitCode: 0, changes: { added: {}, changed: {}, removed: [] } });
  });

  it("loses the changes of a hook that calls exit, keeping its status", async () => {
    const result = await run("export LOST=1\ncd /\nexit 3", shell);
    expect(result).toEqual({ wrapped: true, type: "shell", exitCode: 3, changes: undefined });
  });

  it("keeps working when the hook sets -eu, -x, IFS, noclobber and umask 777", async () => {
    const body = ["set -eu", "set -x", "IFS=:", "set -C", "umask 777", "export KEPT=yes"].join("\n");
    const result = await run(body, shell, { env: { ...fixture.context.env, SECRET_BEFORE: "s3cr3t-value-42" } });
    expect(result.changes).toEqual({ added: { KEPT: "yes" }, changed: {}, removed: [] });
    // With xtrace on, a dump loop that traced itself would print every env value.
    expect(fixture.output()).not.toContain("s3cr3t-value-42");
  });
});

describe("a shell hook", () => {
  beforeEach(async () => {
    fixture = await hookFixture();
  });

  it("is sourced without -e: a failing line in the middle does not stop it", async () => {
    const result = await run("export A=1\nfalse\nexport B=2", SHELLS["no shebang (bash from PATH)"]!);
    expect(result.changes?.added).toEqual({ A: "1", B: "2" });
  });

  it("fails with the status of its last command, and its changes are dropped", async () => {
    const result = await run("export A=1\nfalse", SHELLS["no shebang (bash from PATH)"]!);
    expect(result).toEqual({ wrapped: true, type: "shell", exitCode: 1, changes: undefined });
  });

  it("stops at the first failure when it sets -e", async () => {
    const result = await run("set -e\nexport A=1\n(exit 4)\nexport B=2", SHELLS["no shebang (bash from PATH)"]!);
    expect(result).toEqual({ wrapped: true, type: "shell", exitCode: 4, changes: undefined });
  });

  it("hides its own env recording from a shebang's -x", async () => {
    const result = await run("export TRACED=1", { shebang: "#!/bin/bash -x", bash: true }, {
      env: { ...fixture.context.env, SECRET_BEFORE: "s3cr3t-value-42" },
    });
    expect(result.changes?.added).toEqual({ TRACED: "1" });
    expect(fixture.output()).toContain("+ export TRACED=1");
    expect(fixture.output()).not.toContain("s3cr3t-value-42");
  });

  it("does not need the execute bit", async () => {
    const path = await fixture.write("hooks/pre-command", "export RAN=1\n", 0o600);
    const result = await runHook(agentHook("pre-command", path), fixture.context);
    expect(result.changes?.added).toEqual({ RAN: "1" });
  });

  it("gets no BUILDKITE_HOOK_* vars, and sees its own path in BASH_SOURCE", async () => {
    const path = await fixture.write(
      "hooks/pre-command",
      'echo "phase=${BUILDKITE_HOOK_PHASE:-unset} source=${BASH_SOURCE[0]}"\n',
    );
    await runHook(agentHook("pre-command", path), fixture.context);
    expect(fixture.output()).toContain(`phase=unset source=${path}\n`);
  });

  it("prints the header and its path relative to the working dir", async () => {
    const path = await fixture.write("work/.buildkite/hooks/post-checkout", "echo hello from hook\n");
    await runHook({ scope: "repository", name: "post-checkout", path }, fixture.context);
    expect(fixture.output()).toBe(
      "~~~ Running repository post-checkout hook\n$ .buildkite/hooks/post-checkout\nhello from hook\n",
    );
  });

  it("prints a plugin hook's header with the plugin name, and an absolute path outside the working dir", async () => {
    const path = await fixture.write("plugins/docker/hooks/pre-command", "true\n");
    await runHook(
      { scope: "plugin", name: "pre-command", path, pluginDisplayName: "docker-buildkite-plugin" },
      fixture.context,
    );
    expect(fixture.output()).toBe(`~~~ Running plugin docker-buildkite-plugin pre-command hook\n$ ${path}\n`);
  });

  it("shows the wrapper in debug mode", async () => {
    const path = await fixture.write("hooks/environment", "true\n");
    await runHook(agentHook("environment", path), { ...fixture.context, debug: true });
    expect(fixture.output()).toMatch(
      /^~~~ Running agent environment hook\n# A hook runner was written to ".*\/buildkite-agent-hook-wrapper[^/]*\/hook-script-wrapper" with the following:\n\$ .*hook-script-wrapper\n$/,
    );
  });

  it("leaves no wrapper files behind", async () => {
    await run("export A=1", SHELLS["no shebang (bash from PATH)"]!);
    await run("exit 2", SHELLS["no shebang (bash from PATH)"]!);
    expect(await readdir(fixture.context.tempDir)).toEqual([]);
  });

  it("reports no workdir when it cd's away and back", async () => {
    const result = await run("cd /\ncd - >/dev/null", SHELLS["no shebang (bash from PATH)"]!);
    expect(result).toEqual({ wrapped: true, type: "shell", exitCode: 0, changes: { added: {}, changed: {}, removed: [] } });
  });

  it("fails clearly when the wrapper cannot be written", async () => {
    const path = await fixture.write("hooks/environment", "true\n");
    const missing = join(fixture.dir, "no-such-dir");
    await expect(runHook(agentHook("environment", path), { ...fixture.context, tempDir: missing })).rejects.toMatchObject({
      code: "HOOK_WRAPPER_FAILED",
      message: expect.stringContaining(missing),
    });
  });

  it("falls back to sh with the real agent's warning when bash is not in PATH", async () => {
    const bin = join(fixture.dir, "bin");
    await mkdir(bin);
    await copyFile("/bin/dash", join(bin, "sh"));
    const path = await fixture.write("hooks/environment", 'echo "bash=${BASH_VERSION:-none}"\nexport VIA_SH=1\n');
    const result = await runHook(agentHook("environment", path), { ...fixture.context, env: { PATH: bin } });
    expect(result.changes?.added).toEqual({ VIA_SH: "1" });
    expect(fixture.output()).toContain(
      "⚠️ Warning: Couldn't find bash (no \"bash\" executable in PATH). Attempting to fall back to sh.",
    );
    expect(fixture.output()).toContain("bash=none\n");
  });

  it("is cancelled by its signal", async () => {
    const controller = new AbortController();
    const path = await fixture.write("hooks/pre-command", "echo started\nsleep 30\n");
    const running = runHook(agentHook("pre-command", path), { ...fixture.context, signal: controller.signal });
    const deadline = Date.now() + 10_000;
    while (!fixture.output().includes("started") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    controller.abort();
    const result = await running;
    expect(result.exitCode).not.toBe(0);
    expect(result.changes).toBeUndefined();
    // Well under the 30 s sleep, so the hook was killed; loose enough for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("rejects with the abort reason when cancelled before it starts", async () => {
    const path = await fixture.write("hooks/pre-command", "true\n");
    const reason = new Error("cancelled");
    await expect(
      runHook(agentHook("pre-command", path), { ...fixture.context, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(fixture.output()).toBe("");
  });
});

describe("a binary or script hook", () => {
  beforeEach(async () => {
    fixture = await hookFixture();
  });

  it("runs a python script directly with BUILDKITE_HOOK_* vars", async () => {
    const path = await fixture.write(
      "hooks/pre-command",
      [
        "#!/usr/bin/env python3",
        "import os, sys",
        "print('phase=%s path=%s scope=%s' % (os.environ['BUILDKITE_HOOK_PHASE'], os.environ['BUILDKITE_HOOK_PATH'], os.environ['BUILDKITE_HOOK_SCOPE']))",
        "os.environ['IGNORED'] = '1'",
        "sys.exit(5)",
        "",
      ].join("\n"),
    );
    const result = await runHook({ scope: "plugin", name: "pre-command", path, pluginDisplayName: "py" }, fixture.context);
    expect(result).toEqual({ wrapped: false, type: "script", exitCode: 5, changes: { added: {}, changed: {}, removed: [] } });
    expect(fixture.output()).toBe(
      `~~~ Running plugin py pre-command hook\n$ ${path}\nphase=pre-command path=${path} scope=plugin\n`,
    );
  });

  it("runs a perl script directly", async () => {
    const path = await fixture.write("hooks/post-command", "#!/usr/bin/perl\nprint \"perl sees $ENV{BUILDKITE_HOOK_SCOPE}\\n\";\n");
    const result = await runHook(agentHook("post-command", path), fixture.context);
    expect(result.exitCode).toBe(0);
    expect(fixture.output()).toContain("perl sees agent\n");
  });

  it.each([
    ["/bin/true", 0],
    ["/bin/false", 1],
  ])("runs the binary %s directly", async (binary, exitCode) => {
    const path = join(fixture.dir, "hooks", "pre-exit");
    await mkdir(join(fixture.dir, "hooks"));
    await copyFile(binary, path);
    const result = await runHook(agentHook("pre-exit", path), fixture.context);
    expect(result).toEqual({ wrapped: false, type: "binary", exitCode, changes: { added: {}, changed: {}, removed: [] } });
    expect(fixture.output()).toBe(`~~~ Running agent pre-exit hook\n$ ${path}\n`);
  });

  it("fails clearly, naming the path, when it is not executable", async () => {
    const path = await fixture.write("hooks/pre-command", "#!/usr/bin/env python3\nprint('x')\n", 0o644);
    await expect(runHook(agentHook("pre-command", path), fixture.context)).rejects.toMatchObject({
      code: "HOOK_NOT_EXECUTABLE",
      message: `The agent pre-command hook at ${path} is not executable; run chmod +x on it (binary and script hooks are executed directly)`,
    });
  });

  it("fails clearly when its interpreter does not exist", async () => {
    const path = await fixture.write("hooks/pre-command", "#!/no/such/interpreter\n");
    await expect(runHook(agentHook("pre-command", path), fixture.context)).rejects.toMatchObject({
      code: "HOOK_START_FAILED",
      message: expect.stringContaining(path),
    });
  });
});

// pwsh is usually not installed here, so a stand-in on PATH shows how it is called.
describe("a .ps1 hook", () => {
  beforeEach(async () => {
    fixture = await hookFixture();
  });

  it("runs through pwsh -file, unwrapped, with BUILDKITE_HOOK_* vars", async () => {
    const bin = join(fixture.dir, "bin");
    await fixture.write("bin/pwsh", '#!/bin/sh\necho "pwsh $* phase=$BUILDKITE_HOOK_PHASE scope=$BUILDKITE_HOOK_SCOPE"\nexit 6\n');
    const path = await fixture.write("hooks/pre-exit.ps1", "Write-Host hi\n", 0o644);
    const result = await runHook(agentHook("pre-exit", path), {
      ...fixture.context,
      env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    });
    expect(result).toEqual({ wrapped: false, type: "shell", exitCode: 6, changes: { added: {}, changed: {}, removed: [] } });
    expect(fixture.output()).toBe(`~~~ Running agent pre-exit hook\n$ ${path}\npwsh -file ${path} phase=pre-exit scope=agent\n`);
  });

  it("with a shell shebang is executed directly, not sourced: its exports are not carried", async () => {
    const path = await fixture.write("hooks/pre-exit.ps1", '#!/bin/sh\nexport FROM_PS1=1\necho "phase=$BUILDKITE_HOOK_PHASE"\n');
    const result = await runHook(agentHook("pre-exit", path), fixture.context);
    expect(result).toEqual({ wrapped: false, type: "shell", exitCode: 0, changes: { added: {}, changed: {}, removed: [] } });
    expect(fixture.output()).toContain("phase=pre-exit\n");
  });
});
