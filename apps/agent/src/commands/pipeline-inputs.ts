import { open, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../logger.js";
import { goPathError } from "./go-path-error.js";
import { readStdinText, stdinIsReadable } from "./stdin-input.js";

/**
 * Where `pipeline upload` looks when given no file and no piped stdin, in
 * order; exactly one may exist (clicommand/pipeline_upload.go).
 */
export const DEFAULT_PIPELINE_FILES: readonly string[] = [
  "buildkite.yml",
  "buildkite.yaml",
  "buildkite.json",
  ".buildkite/pipeline.yml",
  ".buildkite/pipeline.yaml",
  ".buildkite/pipeline.json",
  "buildkite/pipeline.yml",
  "buildkite/pipeline.yaml",
  "buildkite/pipeline.json",
];

/** One pipeline source, read whole. */
export interface PipelineInput {
  /** How messages name it: the file's base name, or `(stdin)`. */
  readonly name: string;
  readonly text: string;
  /** Empty stdin uploads nothing; an empty file is an error (checked here). */
  readonly fromStdin: boolean;
}

/** What {@link readPipelineInputs} needs of the command. */
export interface PipelineInputSources {
  readonly files: readonly string[];
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly logger: Logger;
}

/** Largest pipeline file read; Buildkite takes 10 MiB request bodies, so this only stops a runaway file. */
const MAX_PIPELINE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The pipelines to upload, as the real agent picks them (cli.md §6 step 1):
 * the files given, else stdin when it is a pipe or a file, else the one
 * default file present. Every file is opened before any is checked, as in Go,
 * so a missing file is reported before an empty one.
 *
 * @throws Error `failed to read file: open x: no such file or directory`,
 * `found multiple configuration files: a, b; please keep only 1 configuration
 * file present`, `could not find a default pipeline configuration file; …`,
 * `pipeline file "x" is empty`.
 */
export async function readPipelineInputs(sources: PipelineInputSources): Promise<PipelineInput[]> {
  const { logger } = sources;
  let files: { given: string; failure: (error: unknown) => string }[];
  if (sources.files.length > 0) {
    logger.info(`Reading pipeline configs from [${sources.files.map((file) => `"${file}"`).join(" ")}]`);
    files = sources.files.map((given) => ({ given, failure: (error) => `failed to read file: ${goPathError("open", given, error)}` }));
  } else if (stdinIsReadable(sources.stdin)) {
    logger.info("Reading pipeline config from STDIN");
    return [{ name: "(stdin)", text: await readStdinText(sources.stdin), fromStdin: true }];
  } else {
    logger.info("Searching for pipeline config...");
    const exists: string[] = [];
    for (const candidate of DEFAULT_PIPELINE_FILES) {
      if (await stat(path.resolve(sources.cwd, candidate)).then(() => true, () => false)) exists.push(candidate);
    }
    if (exists.length > 1) {
      throw new Error(`found multiple configuration files: ${exists.join(", ")}; please keep only 1 configuration file present`);
    }
    if (exists.length === 0) {
      throw new Error(
        "could not find a default pipeline configuration file; see `buildkite-agent pipeline upload --help` for more information",
      );
    }
    const found = exists[0]!;
    logger.info(`Found config file "${found}"`);
    files = [{ given: found, failure: (error) => `failed to read file "${found}": ${goPathError("open", found, error)}` }];
  }

  const handles: { given: string; handle: FileHandle }[] = [];
  try {
    for (const file of files) {
      const handle = await open(path.resolve(sources.cwd, file.given)).catch((error: unknown) => {
        throw new Error(file.failure(error), { cause: error });
      });
      handles.push({ given: file.given, handle });
    }
    for (const { given, handle } of handles) {
      const { size } = await handle.stat();
      if (size === 0) throw new Error(`pipeline file "${given}" is empty`);
      if (size > MAX_PIPELINE_FILE_BYTES) throw new Error(`pipeline file "${given}" is larger than ${MAX_PIPELINE_FILE_BYTES} bytes`);
    }
    const inputs: PipelineInput[] = [];
    for (const { given, handle } of handles) {
      inputs.push({ name: path.basename(given), text: await handle.readFile("utf8"), fromStdin: false });
    }
    return inputs;
  } finally {
    await Promise.all(handles.map(({ handle }) => handle.close()));
  }
}
