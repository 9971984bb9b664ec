import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { findHooks } from "../../src/hooks/index.js";
import { hookFixture, type HookFixture } from "./hook-fixture.js";

let fixture: HookFixture;
beforeEach(async () => {
  fixture = await hookFixture();
});
afterEach(async () => {
  await fixture.cleanup();
});

describe("findHooks", () => {
  it("finds agent hooks in hooks-path then each additional path, skipping dirs without one", async () => {
    const first = await fixture.write("global/pre-command", "true\n");
    await fixture.write("empty/other-hook", "true\n");
    const third = await fixture.write("extra/pre-command", "true\n");
    const agent = ["global", "missing", "empty", "extra"].map((dir) => join(fixture.dir, dir));
    expect(await findHooks("pre-command", { agent })).toEqual([
      { scope: "agent", name: "pre-command", path: first },
      { scope: "agent", name: "pre-command", path: third },
    ]);
  });

  it("prefers the extensionless file to .ps1, finds .ps1 alone, and ignores directories", async () => {
    const plain = await fixture.write("a/environment", "true\n");
    await fixture.write("a/environment.ps1", "true\n");
    const ps1 = await fixture.write("b/environment.ps1", "true\n");
    await mkdir(join(fixture.dir, "c", "environment"), { recursive: true });
    const agent = ["a", "b", "c"].map((dir) => join(fixture.dir, dir));
    expect((await findHooks("environment", { agent })).map((hook) => hook.path)).toEqual([plain, ps1]);
  });

  // Plugin hooks are looked up per plugin with pluginHookPath (test/plugins/vendored-and-hooks.test.ts).
  it("returns agent hooks, then the repository's", async () => {
    const checkout = join(fixture.dir, "checkout");
    const agent = await fixture.write("global/post-checkout", "true\n");
    const repository = await fixture.write("checkout/.buildkite/hooks/post-checkout", "true\n");
    const found = await findHooks("post-checkout", { agent: [join(fixture.dir, "global")], checkoutPath: checkout });
    expect(found).toEqual([
      { scope: "agent", name: "post-checkout", path: agent },
      { scope: "repository", name: "post-checkout", path: repository },
    ]);
  });

  it("follows a repository hook symlink that stays inside the checkout", async () => {
    await fixture.write("checkout/scripts/hook.sh", "true\n");
    await mkdir(join(fixture.dir, "checkout/.buildkite/hooks"), { recursive: true });
    await symlink("../../scripts/hook.sh", join(fixture.dir, "checkout/.buildkite/hooks/pre-command"));
    const found = await findHooks("pre-command", { checkoutPath: join(fixture.dir, "checkout") });
    expect(found).toEqual([
      { scope: "repository", name: "pre-command", path: join(fixture.dir, "checkout/.buildkite/hooks/pre-command") },
    ]);
  });

  // A repository is untrusted: a symlink must not make an outside file (say, an agent secret) run as its hook.
  it.each([
    ["the hook file", "checkout/.buildkite/hooks/pre-command", "outside/pre-command"],
    ["the hooks dir", "checkout/.buildkite/hooks", "outside"],
    ["the .buildkite dir", "checkout/.buildkite", "outside-buildkite"],
  ])("treats a repository hook as absent when %s is a symlink escaping the checkout", async (_, link, target) => {
    await fixture.write("outside/pre-command", "true\n");
    await fixture.write("outside-buildkite/hooks/pre-command", "true\n");
    await mkdir(join(fixture.dir, link, ".."), { recursive: true });
    await symlink(join(fixture.dir, target), join(fixture.dir, link));
    expect(await findHooks("pre-command", { checkoutPath: join(fixture.dir, "checkout") })).toEqual([]);
  });

  it("skips a dangling symlink silently", async () => {
    await mkdir(join(fixture.dir, "global"));
    await symlink(join(fixture.dir, "nowhere"), join(fixture.dir, "global/pre-exit"));
    expect(await findHooks("pre-exit", { agent: [join(fixture.dir, "global")] })).toEqual([]);
  });

  it("finds nothing when given no locations", async () => {
    expect(await findHooks("environment", {})).toEqual([]);
  });
});
