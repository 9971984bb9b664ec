import { cancelBuild } from "../build-cancel.js";
import type { Handler } from "../route-context.js";

/** `POST builds/{uuid}/cancel`. */
export const buildHandlers = {
  "builds.cancel": async (ctx) => {
    await ctx.raw();
    const build = ctx.build();
    cancelBuild(ctx.core, build);
    return { status: 200, body: { uuid: build.id } };
  },
} satisfies Record<string, Handler>;
