import type { AuthKind } from "./auth.js";
import type { Handler } from "./route-context.js";
import { agentHandlers } from "./routes/agents.js";
import { annotationHandlers } from "./routes/annotations.js";
import { artifactStorageHandlers } from "./routes/artifact-storage.js";
import { ARTIFACT_UPLOAD_PATH, artifactHandlers } from "./routes/artifacts.js";
import { buildHandlers } from "./routes/builds.js";
import { chunkHandlers } from "./routes/chunks.js";
import { headerTimeHandlers } from "./routes/header-times.js";
import { jobHandlers } from "./routes/jobs.js";
import { metaDataHandlers } from "./routes/meta-data.js";
import { oidcHandlers } from "./routes/oidc.js";
import { pipelineHandlers } from "./routes/pipelines.js";
import { repositoryTokenHandlers } from "./routes/repository-access-token.js";
import { secretHandlers } from "./routes/secrets.js";
import { stepHandlers } from "./routes/steps.js";

const handlers = {
  ...agentHandlers,
  ...jobHandlers,
  ...chunkHandlers,
  ...headerTimeHandlers,
  ...metaDataHandlers,
  ...annotationHandlers,
  ...artifactHandlers,
  ...artifactStorageHandlers,
  ...pipelineHandlers,
  ...stepHandlers,
  ...buildHandlers,
  ...oidcHandlers,
  ...secretHandlers,
  ...repositoryTokenHandlers,
};

/** Every route name: what fault rules and the request log call a route. */
export type RouteName = keyof typeof handlers;

/** One row of the routing table. `:name` segments are path parameters. */
export interface RouteSpec {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly name: RouteName;
  readonly auth: AuthKind;
}

/** The Agent API as data: method + path pattern → handler name and token rule. */
export const ROUTES: readonly RouteSpec[] = [
  { method: "POST", path: "/v3/register", name: "agents.register", auth: "registration" },
  { method: "POST", path: "/v3/connect", name: "agents.connect", auth: "agent" },
  { method: "POST", path: "/v3/disconnect", name: "agents.disconnect", auth: "agent" },
  { method: "GET", path: "/v3/ping", name: "ping", auth: "agent" },
  { method: "POST", path: "/v3/heartbeat", name: "heartbeat", auth: "agent" },
  { method: "POST", path: "/v3/stop", name: "agents.stop", auth: "agent-or-job" },
  { method: "POST", path: "/v3/pause", name: "agents.pause", auth: "agent-or-job" },
  { method: "POST", path: "/v3/resume", name: "agents.resume", auth: "agent-or-job" },
  { method: "GET", path: "/v3/token", name: "token", auth: "any" },
  { method: "GET", path: "/v3/jobs/:job", name: "jobs.state", auth: "job" },
  { method: "PUT", path: "/v3/jobs/:job", name: "jobs.update", auth: "job" },
  { method: "PUT", path: "/v3/jobs/:job/accept", name: "jobs.accept", auth: "agent" },
  { method: "PUT", path: "/v3/jobs/:job/acquire", name: "jobs.acquire", auth: "agent" },
  { method: "PUT", path: "/v3/jobs/:job/start", name: "jobs.start", auth: "job" },
  { method: "PUT", path: "/v3/jobs/:job/finish", name: "jobs.finish", auth: "job" },
  { method: "PUT", path: "/v3/jobs/:job/promise_failure", name: "jobs.promise_failure", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/chunks", name: "chunks.upload", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/header_times", name: "jobs.header_times", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/data/set", name: "meta_data.set", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/data/set-batch", name: "meta_data.set_batch", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/data/get", name: "meta_data.get", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/data/exists", name: "meta_data.exists", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/data/keys", name: "meta_data.keys", auth: "job" },
  { method: "POST", path: "/v3/builds/:build/data/set", name: "meta_data.set", auth: "build" },
  { method: "POST", path: "/v3/builds/:build/data/set-batch", name: "meta_data.set_batch", auth: "build" },
  { method: "POST", path: "/v3/builds/:build/data/get", name: "meta_data.get", auth: "build" },
  { method: "POST", path: "/v3/builds/:build/data/exists", name: "meta_data.exists", auth: "build" },
  { method: "POST", path: "/v3/builds/:build/data/keys", name: "meta_data.keys", auth: "build" },
  { method: "POST", path: "/v3/jobs/:job/annotations", name: "annotations.create", auth: "job" },
  { method: "DELETE", path: "/v3/jobs/:job/annotations/:context", name: "annotations.remove", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/artifacts", name: "artifacts.create", auth: "job" },
  { method: "PUT", path: "/v3/jobs/:job/artifacts", name: "artifacts.update", auth: "job" },
  { method: "GET", path: "/v3/builds/:build/artifacts/search", name: "artifacts.search", auth: "build" },
  { method: "POST", path: ARTIFACT_UPLOAD_PATH, name: "artifacts.upload_file", auth: "none" },
  { method: "GET", path: "/_artifacts/:artifact", name: "artifacts.download", auth: "none" },
  { method: "POST", path: "/v3/jobs/:job/pipelines", name: "pipelines.upload", auth: "job" },
  { method: "GET", path: "/v3/jobs/:job/pipelines/:uuid", name: "pipelines.status", auth: "job" },
  { method: "POST", path: "/v3/steps/:step/export", name: "steps.export", auth: "agent-or-job" },
  { method: "PUT", path: "/v3/steps/:step", name: "steps.update", auth: "agent-or-job" },
  { method: "POST", path: "/v3/steps/:step/cancel", name: "steps.cancel", auth: "agent-or-job" },
  { method: "POST", path: "/v3/builds/:build/cancel", name: "builds.cancel", auth: "build" },
  { method: "POST", path: "/v3/jobs/:job/oidc/tokens", name: "oidc.token", auth: "job" },
  { method: "GET", path: "/v3/jobs/:job/secrets", name: "secrets.get", auth: "job" },
  { method: "POST", path: "/v3/jobs/:job/repository_access_token", name: "repository_access_token.create", auth: "job" },
];

/** A route ready to match: its spec, split pattern and handler. */
export interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map((spec) => ({
  spec,
  segments: spec.path.split("/").slice(1),
  handler: handlers[spec.name] as Handler,
}));

/**
 * The route for a method and path, with decoded parameters; `undefined` when none
 * matches (the agent escapes `.` as `%2E` in ids, which decoding undoes).
 */
export function matchRoute(
  method: string,
  pathname: string,
): { route: CompiledRoute; params: Record<string, string> } | undefined {
  const parts = pathname.replace(/\/+$/, "").split("/").slice(1);
  for (const route of COMPILED) {
    if (route.spec.method !== method || route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const pattern = route.segments[i]!;
      const part = parts[i]!;
      if (pattern.startsWith(":")) {
        try {
          params[pattern.slice(1)] = decodeURIComponent(part);
        } catch {
          ok = false;
        }
        if (part === "") ok = false;
      } else if (pattern !== part) ok = false;
    }
    if (ok) return { route, params };
  }
  return undefined;
}
