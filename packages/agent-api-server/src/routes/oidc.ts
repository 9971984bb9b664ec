import { objectBody, optionalInteger, optionalString, optionalStrings } from "../body-fields.js";
import { HttpError } from "../errors.js";
import { encodeJwt } from "../jwt.js";
import type { Handler } from "../route-context.js";
import { stableUuid } from "../stable-uuid.js";

/** Buildkite's token lifetime when the agent asks for none (seconds). */
const DEFAULT_LIFETIME_SECONDS = 300;
/** Optional claims Buildkite documents for `oidc request-token --claim`. */
const OPTIONAL_CLAIMS = new Set(["organization_id", "pipeline_id", "cluster_id", "cluster_name", "queue_id", "queue_key"]);

/** `POST jobs/{job}/oidc/tokens`: a JWT about the job, for the requested audience. */
export const oidcHandlers = {
  "oidc.token": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const body = objectBody(await ctx.json(), true);
    const build = core.store.builds.get(job.buildId)!;
    const agent = job.agentId === undefined ? undefined : core.store.agents.get(job.agentId);
    const org = build.organizationSlug;
    const audience = optionalString(body, "audience") || `https://buildkite.com/${org}`;
    const lifetime = optionalInteger(body, "lifetime", 0, 86_400 * 7) || DEFAULT_LIFETIME_SECONDS;
    const iat = Math.floor(core.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: "https://agent.buildkite.com",
      sub: `organization:${org}:pipeline:${build.pipelineSlug}:ref:refs/heads/${build.branch}:commit:${build.commit}:step:${job.step.key ?? ""}`,
      aud: audience,
      iat,
      nbf: iat,
      exp: iat + lifetime,
      organization_slug: org,
      pipeline_slug: build.pipelineSlug,
      build_number: build.number,
      build_branch: build.branch,
      build_tag: null,
      build_commit: build.commit,
      build_source: "api",
      step_key: job.step.key ?? null,
      job_id: job.id,
      agent_id: agent?.id ?? null,
      runner_environment: "self-hosted",
    };
    const optional: Record<string, unknown> = {
      organization_id: stableUuid(`org:${org}`),
      pipeline_id: stableUuid(`pipeline:${org}/${build.pipelineSlug}`),
      cluster_id: null,
      cluster_name: null,
      queue_id: null,
      queue_key: agent?.metaData.find((t) => t.startsWith("queue="))?.slice(6) ?? "default",
    };
    for (const claim of optionalStrings(body, "claims") ?? []) {
      if (OPTIONAL_CLAIMS.has(claim)) claims[claim] = optional[claim];
      else if (claim.startsWith("agent_tag:") && agent !== undefined) {
        const name = claim.slice("agent_tag:".length);
        claims[claim] = agent.metaData.find((t) => t.startsWith(`${name}=`))?.slice(name.length + 1) ?? null;
      } else throw new HttpError(422, `Unknown claim "${claim.slice(0, 60)}"`);
    }
    const tags = optionalStrings(body, "aws_session_tags") ?? [];
    if (tags.length > 0) {
      const principalTags: Record<string, string[]> = {};
      for (const tag of tags) {
        if (!Object.hasOwn(claims, tag)) throw new HttpError(422, `aws_session_tags names "${tag.slice(0, 60)}", which is not a claim of this token`);
        principalTags[tag] = [String(claims[tag])];
      }
      claims["https://aws.amazon.com/tags"] = { principal_tags: principalTags, transitive_tag_keys: tags };
    }
    const subjectClaim = optionalString(body, "subject_claim");
    if (subjectClaim !== undefined && subjectClaim !== "") {
      if (!Object.hasOwn(claims, subjectClaim)) throw new HttpError(422, `subject_claim "${subjectClaim.slice(0, 60)}" is not a claim of this token`);
      claims["sub"] = String(claims[subjectClaim]);
    }
    core.emit("oidc.token_issued", { jobId: job.id, audience });
    return { status: 200, body: { token: encodeJwt(claims, core.settings.oidcSigningKey) } };
  },
} satisfies Record<string, Handler>;
