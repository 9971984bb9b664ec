import type { ApiClient } from "@agent/api-client";
import type { pipelineUploadCommand } from "@agent/config";
import type { Pipeline, PipelineStep } from "@agent/pipeline";
import type { CommandContext } from "../command-context.js";
import { ExitError } from "../errors.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { changedFiles } from "./changed-files.js";
import { writeOutput } from "./command-output.js";
import { gitOutput } from "./git-output.js";
import { messageOf } from "./job-api-connection.js";
import { readPipelineInputs } from "./pipeline-inputs.js";

type PipelineUploadContext = CommandContext<typeof pipelineUploadCommand>;

/**
 * `buildkite-agent pipeline upload [file…]`: reads pipelines (the files, else
 * piped stdin, else the one default file), and for each YAML document in turn:
 * resolves `BUILDKITE_COMMIT` with git and interpolates (unless
 * `--no-interpolation`), reports parse and schema problems with their paths
 * (fatal with `--reject-parse-warnings`), looks for the job's secrets in it
 * (fatal with `--reject-secrets`), applies `if_changed`, then prints it
 * (`--dry-run`) or uploads it, polling until Buildkite has applied it
 * (cli.md §6, clicommand/pipeline_upload.go). A failed upload is logged
 * (`Couldn't upload: …`) and exits 1 without a fatal line, as in Go.
 */
export async function run(context: PipelineUploadContext): Promise<number> {
  const { config, logger } = context;
  const { checkPipelineSchema, diffBaseCandidates, filterIfChanged, formatPipeline, interpolatePipeline, parsePipeline } = await import(
    "@agent/pipeline"
  );

  const inputs = await readPipelineInputs({ files: context.args, stdin: context.stdin, cwd: context.cwd, logger });

  // Without a prototype: a pipeline's env block may name any key, "__proto__" too.
  const environ: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(context.env)) if (value !== undefined) environ[name] = value;
  if (!config.noInterpolation) await resolveCommit(environ, context);

  const format = config.format;
  if (config.dryRun && format !== "json" && format !== "yaml") throw new Error(`unknown output format "${format}"`);
  const dryRunFormat = format === "yaml" ? "yaml" : "json";
  if (config.jwksFile !== "" || config.signingAwsKmsKey !== "" || config.signingGcpKmsKey !== "") {
    // Signing needs JWKS/KMS support this agent does not have; uploading unsigned steps
    // that agents with verification would then refuse is worse than stopping here.
    throw new Error("couldn't sign pipeline: signing pipelines is not supported by this agent");
  }

  // Changed files are worked out once, and only when a step asks (git can be slow).
  let changed: Promise<string[] | undefined> | undefined;
  const changedOnce = (): Promise<string[] | undefined> =>
    (changed ??= changedFiles({
      logger,
      cwd: context.cwd,
      env: context.env,
      changedFilesPath: config.changedFilesPath,
      diffBase: diffBaseCandidates(context.env, { gitDiffBase: config.gitDiffBase })[0]!,
      fetch: config.fetchDiffBase,
    }));

  // One Agent API client for every document, so its connections are reused; a
  // dry run (`client` undefined) prints each document instead and makes none.
  const uploadAll = async (client: ApiClient | undefined): Promise<number> => {
    for (const input of inputs) {
      // Empty stdin holds no documents: the real agent uploads nothing.
      if (input.fromStdin && input.text === "") continue;
      let documents;
      try {
        ({ documents } = parsePipeline(input.text, { filename: input.name }));
      } catch (error) {
        throw new Error(messageOf(error), { cause: error });
      }
      let count = 1;
      for (const document of documents) {
        let pipeline = document.pipeline;
        if (!config.noInterpolation) {
          const traceContext = environ.BUILDKITE_TRACE_CONTEXT;
          if (traceContext !== undefined) pipeline = { ...pipeline, env: { ...pipeline.env, BUILDKITE_TRACE_CONTEXT: traceContext } };
          const preferRuntimeEnv = config.experiment.includes("interpolation-prefers-runtime-env");
          try {
            pipeline = interpolatePipeline(pipeline, environ, { preferRuntimeEnv });
          } catch (error) {
            throw new Error(`pipeline interpolation of "${input.name}" failed: ${messageOf(error)}`, { cause: error });
          }
          // go-pipeline's Interpolate writes the interpolated top-level env into the
          // one environment of the whole upload, so the later documents and files,
          // and the secret scan, see it too; the runtime env keeps a name it
          // already has when preferred.
          for (const [name, value] of Object.entries(pipeline.env ?? {})) {
            if (!(preferRuntimeEnv && Object.hasOwn(environ, name))) environ[name] = value;
          }
        }

        const describe = (warning: { path: string; message: string }): string =>
          warning.path === "" ? warning.message : `${warning.path}: ${warning.message}`;
        const parseWarnings = document.warnings.map(describe);
        // Beyond the real agent, which leaves validity to Buildkite: the schema's problems, each with its path.
        const schemaWarnings = checkPipelineSchema(pipeline).map(describe);
        if (config.rejectParseWarnings && parseWarnings.length + schemaWarnings.length > 0) {
          throw new Error(
            `pipeline "${input.name}" parsed with warnings; refusing upload because --reject-parse-warnings is enabled: ${[...parseWarnings, ...schemaWarnings].join("; ")}`,
          );
        }
        if (parseWarnings.length > 0) {
          logger.warn(
            `There were some issues with the pipeline input - pipeline upload will proceed, but might not succeed:\n${parseWarnings.join("\n")}`,
          );
        }
        if (schemaWarnings.length > 0) {
          logger.warn(
            `Pipeline "${input.name}" does not match Buildkite's pipeline schema - pipeline upload will proceed, but might not succeed:\n${schemaWarnings.join("\n")}`,
          );
        }

        if (config.redactedVars.length > 0) await scanForSecrets(pipeline, input.name, environ, context);

        const wantsChanges = config.applyIfChanged && hasIfChanged(pipeline.steps);
        const filtered = filterIfChanged(pipeline, wantsChanges ? await changedOnce() : undefined, { apply: config.applyIfChanged });
        for (const warning of filtered.warnings) logger.warn(warning);
        pipeline = filtered.pipeline;

        if (client === undefined) {
          await writeOutput(context.stdout, formatPipeline(pipeline, dryRunFormat));
          continue;
        }
        if (config.job === "") {
          throw new Error("missing job parameter; this is usually set in the environment for a Buildkite job via BUILDKITE_JOB_ID");
        }
        try {
          await client.uploadPipeline(config.job, { pipeline, replace: config.replace });
        } catch (error) {
          logger.error(`Couldn't upload: ${messageOf(error)}`);
          return 1;
        }
        logger.info(`Successfully parsed and uploaded pipeline #${count} from "${input.name}"`);
        count++;
      }
    }
    return 0;
  };
  return config.dryRun ? uploadAll(undefined) : withAgentApi(context, uploadAll);
}

/**
 * Makes `BUILDKITE_COMMIT` a full SHA for interpolation (`HEAD` or a branch
 * name would mean something else by the time later steps run); a ref git
 * cannot resolve is left as it is, with a warning.
 */
async function resolveCommit(environ: Record<string, string>, context: PipelineUploadContext): Promise<void> {
  const ref = environ.BUILDKITE_COMMIT;
  if (ref === undefined) return;
  let output: string;
  try {
    output = await gitOutput(["rev-parse", ref], { cwd: context.cwd, env: context.env });
  } catch (error) {
    context.logger.warn(`Error running git rev-parse "${ref}": ${messageOf(error)}`);
    return;
  }
  const commit = output.trim();
  context.logger.info(`Updating BUILDKITE_COMMIT to "${commit}"`);
  environ.BUILDKITE_COMMIT = commit;
}

/**
 * Warns about (or with `--reject-secrets` refuses, exit 1) a pipeline holding
 * the values of the job's secret env vars (logs-and-redaction.md §4.4). A
 * malformed `--redacted-vars` pattern only warns here, as in Go: the scan then
 * finds nothing.
 */
async function scanForSecrets(
  pipeline: Pipeline,
  source: string,
  environ: Readonly<Record<string, string>>,
  context: PipelineUploadContext,
): Promise<void> {
  const { findPipelineSecrets, PipelineError } = await import("@agent/pipeline");
  const { logger, config } = context;
  try {
    const report = findPipelineSecrets(pipeline, { env: environ, redactedVars: config.redactedVars, source, reject: config.rejectSecrets });
    for (const warning of report.warnings) logger.warn(warning);
  } catch (error) {
    // The lines the agent logs before refusing (e.g. values too short to redact).
    if (error instanceof PipelineError) for (const warning of error.warnings) logger.warn(warning);
    throw new ExitError(1, messageOf(error), { cause: error });
  }
}

/** Whether any step (groups included) has an `if_changed` key, so the changed files are needed. */
function hasIfChanged(steps: readonly PipelineStep[]): boolean {
  return steps.some((step) => {
    if (typeof step !== "object" || step === null) return false;
    const record = step as Record<string, unknown>;
    if (Object.hasOwn(record, "if_changed")) return true;
    return Array.isArray(record["steps"]) && hasIfChanged(record["steps"] as PipelineStep[]);
  });
}
