import { objectBody, requiredString } from "../body-fields.js";
import { HttpError } from "../errors.js";
import type { Handler, RouteContext } from "../route-context.js";

/** Build meta-data, reached through `jobs/{id}/data/…` (the job's build) or `builds/{id}/data/…`. */
export const metaDataHandlers = {
  "meta_data.set": async (ctx) => {
    const body = objectBody(await ctx.json());
    const key = requiredString(body, "key");
    const value = requiredString(body, "value");
    const buildId = scopeBuildId(ctx);
    ctx.core.store.metaData.set(buildId, key, value);
    ctx.core.emit("meta_data.set", { buildId, keys: [key] });
    return { status: 200, body: {} };
  },

  "meta_data.set_batch": async (ctx) => {
    const items = objectBody(await ctx.json())["items"];
    if (!Array.isArray(items) || items.length === 0) throw new HttpError(422, "items must be a non-empty array");
    // Check every item before writing any, so a bad batch changes nothing.
    const pairs = items.map((item) => {
      const entry = objectBody(item);
      return [requiredString(entry, "key"), requiredString(entry, "value")] as const;
    });
    const buildId = scopeBuildId(ctx);
    for (const [key, value] of pairs) ctx.core.store.metaData.set(buildId, key, value);
    ctx.core.emit("meta_data.set", { buildId, keys: pairs.map(([key]) => key) });
    return { status: 200, body: {} };
  },

  "meta_data.get": async (ctx) => {
    const key = requiredString(objectBody(await ctx.json()), "key");
    const value = ctx.core.store.metaData.get(scopeBuildId(ctx), key);
    if (value === undefined) throw new HttpError(404, `No meta-data value exists with key "${key}"`);
    return { status: 200, body: { key, value } };
  },

  "meta_data.exists": async (ctx) => {
    const key = requiredString(objectBody(await ctx.json()), "key");
    return { status: 200, body: { exists: ctx.core.store.metaData.get(scopeBuildId(ctx), key) !== undefined } };
  },

  "meta_data.keys": async (ctx) => {
    await ctx.raw();
    return { status: 200, body: ctx.core.store.metaData.keys(scopeBuildId(ctx)) };
  },
} satisfies Record<string, Handler>;

function scopeBuildId(ctx: RouteContext): string {
  return ctx.params["job"] !== undefined ? ctx.job().buildId : ctx.build().id;
}
