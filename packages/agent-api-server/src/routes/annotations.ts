import { objectBody, optionalBoolean, optionalInteger, optionalString } from "../body-fields.js";
import { HttpError } from "../errors.js";
import type { Handler } from "../route-context.js";
import { annotationKey, type AnnotationRecord } from "../store.js";

const STYLES = new Set(["success", "info", "warning", "error"]);
/** Buildkite's documented annotation body limit (1 MiB). */
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_CONTEXT_LENGTH = 100;

/** Annotations per build (or job, with `scope: job`) and context: create, append, remove. */
export const annotationHandlers = {
  "annotations.create": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    const text = optionalString(body, "body");
    if (text === undefined) throw new HttpError(422, "body can't be blank");
    const context = optionalString(body, "context") || "default";
    if (context.length > MAX_CONTEXT_LENGTH) {
      throw new HttpError(422, `context is too long (${context.length} characters; the maximum is ${MAX_CONTEXT_LENGTH})`);
    }
    const style = optionalString(body, "style") || undefined;
    if (style !== undefined && !STYLES.has(style)) {
      throw new HttpError(422, `style "${style.slice(0, 40)}" is not one of success, info, warning, error`);
    }
    const priority = optionalInteger(body, "priority", 1, 10);
    const append = optionalBoolean(body, "append") ?? false;
    const scope = parseScope(optionalString(body, "scope"));
    const jobId = scope === "job" ? job.id : undefined;
    const key = annotationKey(job.buildId, scope, jobId, context);
    const existing = core.store.annotations.get(key);
    const newBody = append && existing !== undefined ? existing.body + text : text;
    const size = Buffer.byteLength(newBody);
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(422, `body is too large (${size} bytes; the maximum is ${MAX_BODY_BYTES})`);
    }
    const now = core.now();
    const record: AnnotationRecord = {
      id: existing?.id ?? core.newId(),
      buildId: job.buildId,
      jobId,
      scope,
      context,
      style: style ?? existing?.style ?? "default",
      priority: priority ?? existing?.priority ?? 3,
      body: newBody,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    core.store.annotations.set(key, record);
    core.emit(existing === undefined ? "annotation.created" : "annotation.updated", { buildId: job.buildId, context, scope });
    return { status: existing === undefined ? 201 : 200, body: { id: record.id } };
  },

  "annotations.remove": async (ctx) => {
    const job = ctx.job();
    const context = ctx.params["context"] ?? "default";
    const scope = parseScope(ctx.query.get("scope") ?? undefined);
    const key = annotationKey(job.buildId, scope, scope === "job" ? job.id : undefined, context);
    if (!ctx.core.store.annotations.delete(key)) {
      throw new HttpError(404, `No annotation with context "${context.slice(0, 100)}" in ${scope} scope`);
    }
    ctx.core.emit("annotation.removed", { buildId: job.buildId, context, scope });
    return { status: 204 };
  },
} satisfies Record<string, Handler>;

function parseScope(scope: string | undefined): "build" | "job" {
  if (scope === undefined || scope === "" || scope === "build") return "build";
  if (scope === "job") return "job";
  throw new HttpError(422, `scope "${scope.slice(0, 40)}" is not one of build, job`);
}

