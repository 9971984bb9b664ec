import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type { redactorAddCommand } from "@agent/config";
import { parseRedactorAddInput } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { readBounded } from "./bounded-input.js";
import { goPathError } from "./go-path-error.js";
import { connectToJobApi, REDACTOR_CLIENT_ERROR } from "./job-api-connection.js";
import { redactEach } from "./job-api-redaction.js";

/**
 * The most input `redactor add` reads. Secrets are small (a key file is a few
 * KiB) and the Job API takes at most 1 MiB per request; this only stops a
 * runaway producer.
 */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * `buildkite-agent redactor add [file]`: reads secrets from the file or stdin
 * (`--format none`: all of it, trimmed; `json`: an object's string values) and
 * adds each to the job log's redactor through the Job API
 * (clicommand/redactor_add.go, logs-and-redaction.md §4.5). As the real agent
 * does, a parse or Job API failure says only `failed to parse secrets` /
 * `failed to redact secrets` unless `--debug` is on, so the fatal line cannot
 * carry anything of the input.
 */
export async function run(context: CommandContext<typeof redactorAddCommand>): Promise<number> {
  const { config, logger } = context;
  const file = context.args[0] ?? "";
  let input: Buffer;
  if (file === "") {
    logger.info("Reading secrets from (stdin) for redaction");
    input = await readBounded(context.stdin, MAX_INPUT_BYTES, "the input");
  } else {
    const handle = await open(path.resolve(context.cwd, file)).catch((error: unknown) => {
      throw new Error(`failed to open file ${file}: ${goPathError("open", file, error)}`, { cause: error });
    });
    logger.info(`Reading secrets from ${file} for redaction`);
    // The stream owns the handle from here and closes it at end or on error.
    input = await readBounded(createReadStream("", { fd: handle }), MAX_INPUT_BYTES, file);
  }

  let secrets: string[];
  try {
    secrets = parseRedactorAddInput(input, {
      format: config.format,
      applyVarsFilter: config.applyVarsFilter,
      redactedVars: config.redactedVars,
    });
  } catch (error) {
    if (config.debug) throw error;
    throw new Error("failed to parse secrets", { cause: error });
  }

  const client = await connectToJobApi(context.env, REDACTOR_CLIENT_ERROR);
  await redactEach(client, secrets, { debug: config.debug, failed: "failed to redact secrets" });
  return 0;
}
