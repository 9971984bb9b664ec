import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sshKeyscan } from "../../src/checkout/index.js";
import { createTranscript } from "./git-fixture.js";

// Tests cannot reach an SSH server; these cover the parts that need none: the
// real `ssh -G` host resolution, the known_hosts lookup, and URLs that need no keyscan.
let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("sshKeyscan (default keyscan)", () => {
  it("resolves the host with ssh -G and finds it already in known_hosts", async () => {
    dir = await mkdtemp(join(tmpdir(), "keyscan-"));
    const knownHosts = join(dir, "known_hosts");
    // ssh reads ~/.ssh/config from the passwd entry, not $HOME, so no alias here:
    // `ssh -G -p 2222 git.example.com` still reports the host and port we look up.
    await writeFile(knownHosts, "[git.example.com]:2222 ssh-ed25519 AAAAC3Nz\n");
    const transcript = createTranscript();
    await sshKeyscan("ssh://git@git.example.com:2222/acme/app.git", {
      runner: transcript.runner,
      log: transcript.log,
      cwd: dir,
      env: () => ({ PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir! }),
      knownHostsPath: knownHosts,
    });
    expect(transcript.text()).toBe(`# Host "[git.example.com]:2222" already in list of known hosts at "${knownHosts}"\n`);
    expect(await readFile(knownHosts, "utf8")).toBe("[git.example.com]:2222 ssh-ed25519 AAAAC3Nz\n");
  });

  it.each(["https://github.com/acme/app.git", "/srv/git/app.git"])("does nothing for %s", async (repository) => {
    dir = await mkdtemp(join(tmpdir(), "keyscan-"));
    const transcript = createTranscript();
    await sshKeyscan(repository, {
      runner: transcript.runner,
      log: transcript.log,
      cwd: dir,
      env: () => ({ PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir! }),
    });
    expect(transcript.text()).toBe("");
  });
});
