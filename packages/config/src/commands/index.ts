import { acknowledgementsCommand } from "./acknowledgements.js";
import { pauseCommand, resumeCommand, stopCommand } from "./agent-control.js";
import { annotateCommand, annotationRemoveCommand } from "./annotate.js";
import { artifactDownloadCommand, artifactSearchCommand, artifactShasumCommand, artifactUploadCommand } from "./artifact.js";
import { bootstrapCommand } from "./bootstrap.js";
import { buildCancelCommand } from "./build.js";
import { cacheRestoreCommand, cacheSaveCommand } from "./cache.js";
import { envDumpCommand, envGetCommand, envSetCommand, envUnsetCommand } from "./env.js";
import { gitCredentialsHelperCommand } from "./git-credentials-helper.js";
import { jobPromiseFailureCommand, jobUpdateCommand } from "./job.js";
import { kubernetesBootstrapCommand } from "./kubernetes-bootstrap.js";
import { lockAcquireCommand, lockDoCommand, lockDoneCommand, lockGetCommand, lockReleaseCommand } from "./lock.js";
import { metaDataExistsCommand, metaDataGetCommand, metaDataKeysCommand, metaDataSetBatchCommand, metaDataSetCommand } from "./meta-data.js";
import { oidcRequestTokenCommand } from "./oidc.js";
import { pipelineUploadCommand } from "./pipeline.js";
import { redactorAddCommand } from "./redactor.js";
import { secretGetCommand } from "./secret.js";
import { startCommand } from "./start.js";
import { stepCancelCommand, stepGetCommand, stepUpdateCommand } from "./step.js";
import { toolKeygenCommand, toolSignCommand } from "./tool.js";
import { workdirSetCommand } from "./workdir.js";

/**
 * Every command of `buildkite-agent`, in the order the real agent's `--help`
 * lists them: urfave/cli sorts the categories by name, so the uncategorised
 * commands come first, then "Commands that can be run within a Buildkite job",
 * then "Internal commands" (bootstrap, kubernetes-bootstrap,
 * git-credentials-helper); within each, the order of clicommand/commands.go.
 */
export const commands = [
  startCommand,
  acknowledgementsCommand,
  toolKeygenCommand,
  toolSignCommand,
  annotateCommand,
  annotationRemoveCommand,
  artifactUploadCommand,
  artifactDownloadCommand,
  artifactSearchCommand,
  artifactShasumCommand,
  buildCancelCommand,
  jobUpdateCommand,
  jobPromiseFailureCommand,
  cacheSaveCommand,
  cacheRestoreCommand,
  envDumpCommand,
  envGetCommand,
  envSetCommand,
  envUnsetCommand,
  lockAcquireCommand,
  lockDoCommand,
  lockDoneCommand,
  lockGetCommand,
  lockReleaseCommand,
  redactorAddCommand,
  metaDataSetCommand,
  metaDataSetBatchCommand,
  metaDataGetCommand,
  metaDataExistsCommand,
  metaDataKeysCommand,
  oidcRequestTokenCommand,
  pauseCommand,
  pipelineUploadCommand,
  resumeCommand,
  secretGetCommand,
  stepGetCommand,
  stepUpdateCommand,
  stepCancelCommand,
  stopCommand,
  workdirSetCommand,
  bootstrapCommand,
  kubernetesBootstrapCommand,
  gitCredentialsHelperCommand,
] as const;

export {
  acknowledgementsCommand,
  annotateCommand,
  annotationRemoveCommand,
  artifactDownloadCommand,
  artifactSearchCommand,
  artifactShasumCommand,
  artifactUploadCommand,
  bootstrapCommand,
  buildCancelCommand,
  cacheRestoreCommand,
  cacheSaveCommand,
  envDumpCommand,
  envGetCommand,
  envSetCommand,
  envUnsetCommand,
  gitCredentialsHelperCommand,
  jobPromiseFailureCommand,
  jobUpdateCommand,
  kubernetesBootstrapCommand,
  lockAcquireCommand,
  lockDoCommand,
  lockDoneCommand,
  lockGetCommand,
  lockReleaseCommand,
  metaDataExistsCommand,
  metaDataGetCommand,
  metaDataKeysCommand,
  metaDataSetBatchCommand,
  metaDataSetCommand,
  oidcRequestTokenCommand,
  pauseCommand,
  pipelineUploadCommand,
  redactorAddCommand,
  resumeCommand,
  secretGetCommand,
  startCommand,
  stepCancelCommand,
  stepGetCommand,
  stepUpdateCommand,
  stopCommand,
  toolKeygenCommand,
  toolSignCommand,
  workdirSetCommand,
};
