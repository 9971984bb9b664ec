export { runJob } from "./run-job.js";
export type { RunJobOptions, JobOutcome } from "./run-job.js";
export type { ArtifactUploader, ArtifactUploadRequest } from "./phases.js";
