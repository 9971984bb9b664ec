import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createPlugin, pluginHookPath, resolveVendoredPlugin, type PluginCheckout } from "../../src/plugins/index.js";
import { TempDirs, writeFiles } from "./plugin-fixtures.js";

const temp = new TempDirs();
let checkoutDir: string;
let outside: string;

beforeEach(async () => {
  const base = await temp.make();
  checkoutDir = path.join(base, "checkout");
  outside = path.join(base, "outside");
  await writeFiles(checkoutDir, {
    ".buildkite/plugins/mine/hooks/environment": "export A=1\n",
    ".buildkite/plugins/nohooks/README.md": "x\n",
    ".buildkite/plugins/filehooks/hooks": "not a dir\n",
  });
  await writeFiles(outside, { "evil/hooks/environment": "echo evil\n", "pre-command": "echo evil\n" });
});
afterEach(() => temp.cleanup());

describe("resolveVendoredPlugin", () => {
  it("finds a vendored plugin and its hooks in the checkout", async () => {
    const plugin = createPlugin("./.buildkite/plugins/mine");
    const pluginDir = path.join(checkoutDir, ".buildkite/plugins/mine");
    await expect(resolveVendoredPlugin(plugin, checkoutDir)).resolves.toEqual({
      plugin,
      root: checkoutDir,
      pluginDir,
      hooksDir: path.join(pluginDir, "hooks"),
    });
  });

  it.each([
    ["./.buildkite/plugins/missing", "PLUGIN_VENDORED_NOT_FOUND", 'vendored plugin path "./.buildkite/plugins/missing" must be a directory within the checked-out repository'],
    ["./.buildkite/plugins/nohooks", "PLUGIN_VENDORED_NO_HOOKS", 'vendored plugin hooks path ".buildkite/plugins/nohooks/hooks" must be a directory within the checked-out repository'],
    ["./.buildkite/plugins/filehooks", "PLUGIN_VENDORED_NO_HOOKS", 'vendored plugin hooks path ".buildkite/plugins/filehooks/hooks" must be a directory within the checked-out repository'],
    ["./../escape", "PLUGIN_VENDORED_NOT_FOUND", 'vendored plugin path "./../escape" must be a directory within the checked-out repository'],
  ])("refuses %s", async (source, code, message) => {
    // A real plugin just outside the checkout: found only by escaping it.
    await fs.mkdir(path.join(checkoutDir, "..", "escape", "hooks"), { recursive: true });
    await expect(resolveVendoredPlugin(createPlugin(source), checkoutDir)).rejects.toMatchObject({ code, message });
  });

  it("refuses a symlink leading out of the checkout", async () => {
    await fs.symlink(path.join(outside, "evil"), path.join(checkoutDir, ".buildkite/plugins/link"));
    await expect(resolveVendoredPlugin(createPlugin("./.buildkite/plugins/link"), checkoutDir)).rejects.toMatchObject({
      code: "PLUGIN_VENDORED_NOT_FOUND",
    });
  });

  it("refuses a hooks symlink leading out of the checkout", async () => {
    await fs.mkdir(path.join(checkoutDir, ".buildkite/plugins/linkhooks"));
    await fs.symlink(path.join(outside, "evil/hooks"), path.join(checkoutDir, ".buildkite/plugins/linkhooks/hooks"));
    await expect(resolveVendoredPlugin(createPlugin("./.buildkite/plugins/linkhooks"), checkoutDir)).rejects.toMatchObject({
      code: "PLUGIN_VENDORED_NO_HOOKS",
    });
  });
});

describe("pluginHookPath", () => {
  let checkout: PluginCheckout;
  beforeEach(async () => {
    const pluginDir = path.join(checkoutDir, ".buildkite/plugins/mine");
    const hooksDir = path.join(pluginDir, "hooks");
    await writeFiles(pluginDir, { "hooks/post-command.ps1": "Write-Host hi\n" });
    await fs.mkdir(path.join(hooksDir, "command"));
    await fs.symlink(path.join(outside, "pre-command"), path.join(hooksDir, "pre-command"));
    await fs.symlink(path.join(hooksDir, "environment"), path.join(hooksDir, "pre-exit"));
    checkout = { plugin: createPlugin("./.buildkite/plugins/mine"), root: checkoutDir, pluginDir, hooksDir };
  });

  it.each([
    ["environment", "environment"],
    ["post-command (.ps1)", "post-command.ps1"],
    ["pre-exit (symlink inside the plugin)", "pre-exit"],
  ])("finds %s", async (_, file) => {
    const name = file.replace(/\.ps1$/, "");
    await expect(pluginHookPath(checkout, name)).resolves.toBe(path.join(checkout.hooksDir, file));
  });

  it.each([
    ["a missing hook", "post-checkout"],
    ["a directory", "command"],
    ["a symlink leading out of the root", "pre-command"],
  ])("ignores %s", async (_, name) => {
    await expect(pluginHookPath(checkout, name)).resolves.toBeUndefined();
  });
});
