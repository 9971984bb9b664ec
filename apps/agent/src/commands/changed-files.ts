import { createReadStream } from "node:fs";
import path from "node:path";
import type { Logger } from "../logger.js";
import { readBounded } from "./bounded-input.js";
import { GitCommandError, gitOutput, type GitOptions } from "./git-output.js";
import { messageOf } from "./job-api-connection.js";

/**
 * The most of `--changed-files-path` read, as for pipeline files and stdin:
 * far beyond any real list, it only stops a runaway file from exhausting memory.
 */
const MAX_CHANGED_FILES_BYTES = 64 * 1024 * 1024;

/** How `pipeline upload` finds the build's changed files for `if_changed` (cli.md §6 step 8). */
export interface ChangedFilesOptions extends GitOptions {
  readonly logger: Logger;
  /** `--changed-files-path`: a file listing them, one per line; git is not asked then. */
  readonly changedFilesPath: string;
  /** The ref to diff against (`--git-diff-base`, else `origin/<PR base>`, `origin/<default branch>`, `origin/main`). */
  readonly diffBase: string;
  /** `--fetch-diff-base`: `git fetch -- <remote> <ref>` first. */
  readonly fetch: boolean;
}

/**
 * The build's changed files, or `undefined` when they cannot be determined
 * (then no step is skipped); every problem is logged as the real agent logs it
 * (clicommand/pipeline_upload.go `gatherChangedPaths`, `computeGitDiff`).
 */
export async function changedFiles(options: ChangedFilesOptions): Promise<string[] | undefined> {
  const { logger } = options;
  if (options.changedFilesPath !== "") {
    const file = options.changedFilesPath;
    let text: string;
    try {
      text = (await readBounded(createReadStream(path.resolve(options.cwd, file)), MAX_CHANGED_FILES_BYTES, file)).toString("utf8");
    } catch (error) {
      logger.error(
        `Couldn't read changed files from "${file}", not skipping any pipeline steps: reading changed files from "${file}": ${messageOf(error)}`,
      );
      return undefined;
    }
    const paths = nonBlankLines(text);
    logger.info(`if_changed read ${paths.length} changed ${plural(paths.length)} from "${file}"`);
    return paths;
  }

  if (options.fetch) await fetchDiffBase(options);
  try {
    return await gitDiff(options);
  } catch (error) {
    const failure = error as DiffFailure;
    logger.error(`Couldn't determine git diff from upstream, not skipping any pipeline steps: ${failure.message}`);
    if (failure.cause instanceof GitCommandError && failure.cause.stderr !== "") logger.error(`git: ${failure.cause.stderr}`);
    const advice = "You may need to change the --git-diff-base flag or BUILDKITE_GIT_DIFF_BASE env var, or add --fetch-diff-base.";
    if (failure.ref !== undefined) {
      logger.error(`This could be because "${failure.ref}" might not be a commit in the repository.\n${advice}`);
    } else if (failure.mergeBase !== undefined) {
      logger.error(`This could be because the merge-base that Git found, "${failure.mergeBase}", might be invalid.\n${advice}`);
    }
    return undefined;
  }
}

/** A failed step of the diff, with what the advice line names. */
interface DiffFailure extends Error {
  ref?: string;
  mergeBase?: string;
}

function diffFailure(message: string, cause: unknown, detail: { ref?: string; mergeBase?: string } = {}): DiffFailure {
  return Object.assign(new Error(`${message}: ${messageOf(cause)}`, { cause }), detail);
}

async function fetchDiffBase(options: ChangedFilesOptions): Promise<void> {
  const { logger, diffBase } = options;
  const slash = diffBase.indexOf("/");
  let remote = diffBase.slice(0, slash);
  let ref = diffBase.slice(slash + 1);
  if (slash < 0) {
    logger.warn(`The diff-base "${diffBase}" was not in 'remote/refspec' form - continuing with the remote 'origin'`);
    remote = "origin";
    ref = diffBase;
  }
  try {
    await gitOutput(["fetch", "--", remote, ref], options);
  } catch (error) {
    logger.error(`Couldn't fetch "${ref}" from origin: ${messageOf(error)}`);
    if (error instanceof GitCommandError && error.stderr !== "") logger.error(`git: ${error.stderr}`);
    logger.info("if_changed will continue processing, but the diff may fail, or produce more paths than expected.");
  }
}

async function gitDiff(options: ChangedFilesOptions): Promise<string[]> {
  const { logger, diffBase } = options;
  const revParse = async (ref: string): Promise<string> => {
    try {
      return (await gitOutput(["rev-parse", ref], options)).trim();
    } catch (error) {
      throw diffFailure(`git rev-parse "${ref}"`, error, { ref });
    }
  };
  const baseCommit = await revParse(diffBase);
  const headCommit = await revParse("HEAD");
  let output: string;
  if (baseCommit === headCommit) {
    logger.warn(`Applying if_changed conditions relative to the first parent of HEAD (because HEAD = "${diffBase}")`);
    logger.warn(
      "If this build is intended to include more than one commit on this branch, if_changed may calculate an incomplete diff. You may need to adjust the --git-diff-base flag or BUILDKITE_GIT_DIFF_BASE env var to choose a different base commit for calculating diffs.",
    );
    try {
      output = await gitOutput(["log", "--first-parent", "-1", "--name-only", "--pretty=format:"], options);
    } catch (error) {
      throw diffFailure('git log --first-parent -1 --name-only --pretty="format:"', error);
    }
  } else {
    let mergeBase: string;
    try {
      mergeBase = (await gitOutput(["merge-base", diffBase, "HEAD"], options)).trim();
    } catch (error) {
      throw diffFailure(`git merge-base "${diffBase}" HEAD`, error, { ref: diffBase });
    }
    logger.info(`Applying if_changed conditions relative to "${mergeBase}" (the merge-base of "${diffBase}" and HEAD)`);
    try {
      output = await gitOutput(["diff", "--name-only", mergeBase], options);
    } catch (error) {
      throw diffFailure(`git diff --name-only "${mergeBase}"`, error, { mergeBase });
    }
  }
  const paths = nonBlankLines(output);
  logger.info(`if_changed found ${paths.length} changed ${plural(paths.length)}`);
  return paths;
}

function nonBlankLines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

function plural(count: number): string {
  return count === 1 ? "file" : "files";
}
