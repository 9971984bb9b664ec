import { objectBody, requiredString } from "../body-fields.js";
import { HttpError } from "../errors.js";
import type { Handler } from "../route-context.js";

/**
 * `POST jobs/{job}/repository_access_token`: a short-lived token for the build's
 * repository (Buildkite mints a GitHub App token; this server mints an opaque one).
 */
export const repositoryTokenHandlers = {
  "repository_access_token.create": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const repoUrl = requiredString(objectBody(await ctx.json()), "repo_url");
    const build = core.store.builds.get(job.buildId)!;
    if (build.repo !== "" && repoUrl !== build.repo) {
      throw new HttpError(422, "repo_url is not this build's repository");
    }
    core.emit("repository_token.issued", { jobId: job.id });
    return { status: 200, body: { token: core.newToken("ghs") } };
  },
} satisfies Record<string, Handler>;
