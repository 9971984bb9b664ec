import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobLog } from "../job-log.js";
import { createCheckoutDir, defaultCheckoutPath, removeCheckoutDir } from "./checkout-path.js";

describe("defaultCheckoutPath", () => {
  it("replaces every non-alphanumeric character of the agent name", () => {
    expect(defaultCheckoutPath("/var/lib/buildkite/builds", "ci-1.example_com #2", "acme", "web-app")).toBe(
      "/var/lib/buildkite/builds/ci-1-example-com--2/acme/web-app",
    );
    expect(defaultCheckoutPath("/b", "ağent🙂", "o", "p")).toBe("/b/a-ent-/o/p");
  });

  it("needs a build path", () => {
    expect(() => defaultCheckoutPath("", "a", "o", "p")).toThrow(expect.objectContaining({ code: "CHECKOUT_PATH_INVALID" }));
  });
});

describe("removeCheckoutDir and createCheckoutDir", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("removes a tree and recreates it with the real agent's comments", async () => {
    dir = await mkdtemp(join(tmpdir(), "checkout-path-"));
    const path = join(dir, "checkout");
    await mkdir(join(path, "deep", "er"), { recursive: true });
    await writeFile(join(path, "deep", "er", "file"), "x");
    const lines: string[] = [];
    const log = new JobLog({ write: (text: string) => lines.push(text) }, { ansi: false });
    await removeCheckoutDir(path, { log, sleep: async () => {} });
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
    await createCheckoutDir(path, log);
    expect((await stat(path)).isDirectory()).toBe(true);
    expect(lines.join("")).toBe(`# Removing ${path}\n# Creating "${path}"\n`);
  });

  it("tries 10 times, 10 s apart, then fails with CHECKOUT_REMOVE_FAILED", async () => {
    dir = await mkdtemp(join(tmpdir(), "checkout-path-"));
    // A name longer than any file system allows: removal fails every time, even as root.
    const path = join(dir, "x".repeat(300));
    const sleeps: number[] = [];
    const lines: string[] = [];
    const log = new JobLog({ write: (text: string) => lines.push(text) }, { ansi: false });
    await expect(removeCheckoutDir(path, { log, sleep: async (ms) => void sleeps.push(ms) })).rejects.toMatchObject({
      code: "CHECKOUT_REMOVE_FAILED",
    });
    expect(sleeps).toEqual(Array.from({ length: 9 }, () => 10_000));
    expect(lines.filter((line) => line.startsWith("# Removing")).length).toBe(10);
    expect(lines.join("")).toContain("# Waiting 10 seconds\n");
  });
});
