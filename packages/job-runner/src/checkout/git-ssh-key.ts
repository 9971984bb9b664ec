import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { JobRunnerError } from "../errors.js";
import { quoteShellWord } from "./shell-words.js";

/** A private key written for one checkout attempt. */
export interface GitSshKey {
  /** The `GIT_SSH_COMMAND` value that makes git use the key. */
  readonly sshCommand: string;
  /** Path of the key file. */
  readonly path: string;
  /** Removes the key and its directory. */
  remove(): Promise<void>;
}

/**
 * Writes `BUILDKITE_GIT_SSH_KEY` to `<checkout parent>/.buildkite-ssh-key-<pipeline>-XXXXXX/id`
 * (directory 0700, file 0600, one trailing newline, which most key parsers
 * need) and returns the `GIT_SSH_COMMAND` for it: the previous command (or
 * `ssh`) plus `-i <key> -o IdentitiesOnly=yes`. The key lives beside the
 * checkout, not in it, so `git clean` and the job's command never see it.
 *
 * @throws JobRunnerError `CHECKOUT_SSH_KEY` when the key cannot be written.
 */
export async function writeGitSshKey(
  key: string,
  checkoutPath: string,
  pipelineSlug: string,
  previousSshCommand: string | undefined,
): Promise<GitSshKey> {
  const parent = dirname(checkoutPath);
  const slug = pipelineSlug.replace(/[^A-Za-z0-9]/gu, "-");
  let directory: string | undefined;
  try {
    await mkdir(parent, { recursive: true, mode: 0o700 });
    directory = await mkdtemp(join(parent, `.buildkite-ssh-key-${slug === "" ? "" : `${slug}-`}`));
    const path = join(directory, "id");
    await writeFile(path, `${key.replace(/\n+$/, "")}\n`, { mode: 0o600 });
    const dir = directory;
    const previous = (previousSshCommand ?? "").trim();
    return {
      path,
      sshCommand: `${previous === "" ? "ssh" : previous} -i ${quoteShellWord(path)} -o IdentitiesOnly=yes`,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (cause) {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true }).catch(() => undefined);
    throw new JobRunnerError(
      "CHECKOUT_SSH_KEY",
      `Cannot write BUILDKITE_GIT_SSH_KEY to a key file beside ${checkoutPath}: ${(cause as Error).message}`,
      { cause },
    );
  }
}
