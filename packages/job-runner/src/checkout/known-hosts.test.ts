import { afterEach, describe, expect, it } from "@jest/globals";
import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockFile } from "../file-lock.js";
import { addKnownHost, knownHostsContains, knownHostsName } from "./known-hosts.js";

const hashed = (name: string, salt = Buffer.from("0123456789abcdefghij")): string =>
  `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;

describe("knownHostsName", () => {
  it("brackets a non-standard port", () => {
    expect(knownHostsName({ host: "github.com" })).toBe("github.com");
    expect(knownHostsName({ host: "github.com", port: 22 })).toBe("github.com");
    expect(knownHostsName({ host: "git.example.com", port: 2222 })).toBe("[git.example.com]:2222");
  });
});

describe("knownHostsContains", () => {
  const content = [
    "# a comment naming github.com",
    "gitlab.com,1.2.3.4 ssh-ed25519 AAAAC3Nz",
    "[git.example.com]:2222 ecdsa-sha2-nistp256 AAAAE2Vj some comment",
    `${hashed("bitbucket.org")} ssh-rsa AAAAB3Nz`,
    "@revoked revoked.example.com ssh-rsa AAAAB3Nz",
    "@cert-authority *.example.org ssh-rsa AAAAB3Nz",
    "incomplete.example.com",
  ].join("\n");

  it.each([
    ["gitlab.com", true],
    ["1.2.3.4", true],
    ["[git.example.com]:2222", true],
    ["git.example.com", false],
    ["bitbucket.org", true],
    ["github.com", false],
    ["revoked.example.com", false],
    ["incomplete.example.com", false],
  ])("%s ⇒ %s", (name, expected) => {
    expect(knownHostsContains(content, name)).toBe(expected);
  });
});

describe("addKnownHost", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("creates the file, appends the scan once, and leaves no lock behind", async () => {
    dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    const path = join(dir, ".ssh", "known_hosts");
    let scans = 0;
    const scan = async (): Promise<string> => {
      scans += 1;
      return "[git.example.com]:2222 ssh-ed25519 AAAAC3Nz\n";
    };
    await expect(addKnownHost(path, { host: "git.example.com", port: 2222 }, { scan })).resolves.toBe("added");
    await expect(addKnownHost(path, { host: "git.example.com", port: 2222 }, { scan })).resolves.toBe("present");
    expect(scans).toBe(1);
    expect(await readFile(path, "utf8")).toBe("[git.example.com]:2222 ssh-ed25519 AAAAC3Nz\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("serialises parallel additions of the same host", async () => {
    dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    const path = join(dir, "known_hosts");
    await writeFile(path, "");
    const scan = async (): Promise<string> => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return "github.com ssh-ed25519 AAAAC3Nz";
    };
    const outcomes = await Promise.all([1, 2, 3].map(() => addKnownHost(path, { host: "github.com" }, { scan })));
    expect(outcomes.sort()).toEqual(["added", "present", "present"]);
    expect(await readFile(path, "utf8")).toBe("github.com ssh-ed25519 AAAAC3Nz\n");
  });

  it("stops waiting for a held lock when its signal is aborted, with the abort reason", async () => {
    dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    const path = join(dir, "known_hosts");
    await writeFile(path, "");
    const release = await lockFile(path, { lockfilePath: `${path}.lock`, timeoutMs: 1000, pollMs: 20, onCompromised: () => {} });
    try {
      const controller = new AbortController();
      const reason = new Error("checkout cancelled");
      const adding = addKnownHost(path, { host: "github.com" }, { scan: async () => "github.com ssh-ed25519 AAAA", signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await expect(adding).rejects.toBe(reason);
      expect(await readFile(path, "utf8")).toBe("");
    } finally {
      await release();
    }
  });

  it("fails with CHECKOUT_KNOWN_HOSTS when the scan finds nothing", async () => {
    dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    await expect(addKnownHost(join(dir, "known_hosts"), { host: "x.invalid" }, { scan: async () => "  \n" })).rejects.toMatchObject({
      code: "CHECKOUT_KNOWN_HOSTS",
      message: "ssh-keyscan returned no host key for x.invalid",
    });
  });
});
