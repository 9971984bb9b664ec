import { stat } from "node:fs/promises";
import path from "node:path";
import { goJson } from "@agent/api-client";
import type { workdirSetCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { writeOutput } from "./command-output.js";
import { goPathError } from "./go-path-error.js";
import { connectToJobApi, ENV_CLIENT_ERROR, messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent workdir set <dir>`: makes `dir` the working directory of
 * the job's later hooks and command, through the Job API. The Job API takes
 * only absolute paths and does not look at the disk, so, as the real agent
 * does (clicommand/workdir_set.go), the path is resolved against this
 * process's directory and must be an existing directory before it is sent.
 */
export async function run(context: CommandContext<typeof workdirSetCommand>): Promise<number> {
  if (context.args.length !== 1) {
    throw new Error(`expected exactly one argument (the working directory), got ${context.args.length}`);
  }
  const dir = path.resolve(context.cwd, context.args[0]!);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new Error(`checking working directory "${goQuote(dir)}": ${goPathError("stat", dir, error)}`, { cause: error });
  }
  if (!isDirectory) throw new Error(`working directory "${goQuote(dir)}" is not a directory`);

  const client = await connectToJobApi(context.env, ENV_CLIENT_ERROR);
  let workdir: string;
  try {
    workdir = await client.setWorkdir(dir);
  } catch (error) {
    throw new Error(`setting the job working directory: ${messageOf(error)}`, { cause: error });
  }
  switch (context.config.outputFormat) {
    case "plain":
      await writeOutput(context.stdout, `${workdir}\n`);
      break;
    case "json":
      await writeOutput(context.stdout, goJson({ workdir }, { escapeHtml: false }));
      break;
    // "quiet" prints nothing; @agent/config has refused any other value.
  }
  return 0;
}
