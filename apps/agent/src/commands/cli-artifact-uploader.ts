import type { ArtifactUploader } from "@agent/job-runner";

/**
 * Uploads artifacts as the real bootstrap does: by running this agent's own
 * `artifact upload "<paths>" [destination]` with its output in the job log.
 */
export function cliArtifactUploader(executablePath: string): ArtifactUploader {
  return {
    async upload({ paths, destination, cwd, env, runner, signal }) {
      const args = [executablePath, "artifact", "upload", paths, ...(destination === "" ? [] : [destination])];
      const result = await runner(process.execPath, args, { cwd, env, ...(signal === undefined ? {} : { signal }) });
      if (result.exitCode !== 0) {
        throw Object.assign(new Error(`Error uploading artifacts: exit status ${result.exitCode}`), { exitStatus: result.exitCode });
      }
    },
  };
}
