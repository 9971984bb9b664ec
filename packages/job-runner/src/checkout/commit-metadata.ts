import type { Environment } from "../environment.js";
import type { JobLog } from "../job-log.js";
import type { ProcessRunner } from "../process-runner.js";
import { lastLine, runCommand } from "./git-command.js";

/** The build meta-data key Buildkite reads commit details from. */
export const COMMIT_METADATA_KEY = "buildkite:git:commit";

/** `git log` format of the value: sha, short sha, author, then the message indented 4 spaces. */
export const COMMIT_METADATA_FORMAT = "commit %H%nabbrev-commit %h%nAuthor: %an <%ae>%n%n%w(0,4,4)%B";

/**
 * The two meta-data calls this needs, shaped like `@agent/api-client`'s
 * `ApiClient` so one can be passed as is: `sendCommitMetadata({ client: apiClient, … })`.
 */
export interface CommitMetadataClient {
  metaDataExists(
    target: { readonly scope: "job" | "build"; readonly id: string },
    key: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<boolean>;
  setMetaData(jobId: string, item: { readonly key: string; readonly value: string }, options?: { readonly signal?: AbortSignal }): Promise<void>;
}

/** Options for {@link sendCommitMetadata}. */
export interface SendCommitMetadataOptions {
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  /** The checkout directory (git log runs there). */
  readonly cwd: string;
  /** The job's live environment (`BUILDKITE_COMMIT_RESOLVED` is read from it). */
  readonly env: Environment;
  /** `BUILDKITE_COMMIT` as read at start (may be `HEAD`). */
  readonly commit: string;
  /** `BUILDKITE_JOB_ID`: meta-data is read and written through the job. */
  readonly jobId: string;
  readonly client: CommitMetadataClient;
  /** `BUILDKITE_SKIP_CHECKOUT`: nothing was checked out, nothing to send. @default false */
  readonly skipCheckout?: boolean;
  readonly signal?: AbortSignal;
}

/** What {@link sendCommitMetadata} did. */
export type CommitMetadataOutcome = "sent" | "already-sent" | "skipped" | "failed";

/**
 * After a checkout, stores the commit's details in the build's
 * `buildkite:git:commit` meta-data — Buildkite cannot read the repository, so
 * the first job of a build tells it — unless checkout was skipped,
 * `BUILDKITE_COMMIT_RESOLVED=true`, or the key exists already. Done in process
 * through the API client instead of two `buildkite-agent meta-data` processes.
 * A failure is only an optional warning (`git-commit-resolution-failed`), as in
 * the real agent; it never throws.
 */
export async function sendCommitMetadata(options: SendCommitMetadataOptions): Promise<CommitMetadataOutcome> {
  if (options.skipCheckout === true) return "skipped";
  const { log } = options;
  log.comment("Checking to see if git commit information needs to be sent to Buildkite...");
  if (options.env.get("BUILDKITE_COMMIT_RESOLVED") === "true") {
    log.comment("BUILDKITE_COMMIT is already resolved and meta-data populated, skipping");
    return "skipped";
  }
  const call = options.signal === undefined ? {} : { signal: options.signal };
  try {
    // As with `meta-data exists` in the real agent, an error here just means "send it".
    const exists = await options.client.metaDataExists({ scope: "job", id: options.jobId }, COMMIT_METADATA_KEY, call).catch(() => false);
    if (exists) {
      log.comment("Git commit information has already been sent to Buildkite");
      return "already-sent";
    }
    log.comment("Sending Git commit information back to Buildkite");
    const gitLog = await runCommand(
      { runner: options.runner, log, cwd: options.cwd, env: () => options.env.toObject(), ...call },
      "git",
      ["--no-pager", "log", "-1", options.commit, "-s", "--no-color", `--format=${COMMIT_METADATA_FORMAT}`],
      { capture: true },
    );
    if (gitLog.exitCode !== 0) {
      throw new Error(`getting git commit information: git log exited ${gitLog.exitCode}: ${lastLine(gitLog.output)}`);
    }
    await options.client.setMetaData(options.jobId, { key: COMMIT_METADATA_KEY, value: (gitLog.output ?? "").trim() }, call);
    return "sent";
  } catch (error) {
    log.optionalWarning("git-commit-resolution-failed", `Couldn't send commit information to Buildkite: ${(error as Error).message}`);
    return "failed";
  }
}
