import type { CommandLoader } from "./command-context.js";
import { commandKey } from "./command-tree.js";

/**
 * The stand-in every command uses until its implementation lands. To add a
 * command, write `src/commands/<name>.ts` exporting `run` (see
 * command-context.ts) and point its entry below at it:
 * `"artifact upload": () => import("./commands/artifact-upload.js"),`
 */
const notImplemented: CommandLoader = () => import("./commands/not-implemented.js");

/**
 * Every command's implementation, by its words joined with spaces. A module is
 * imported only when its command runs, so start-up never pays for the others.
 * A test checks this table and @agent/config's `commands` list the same commands.
 */
export const commandLoaders: Readonly<Record<string, CommandLoader>> = {
  start: () => import("./commands/start.js"),
  acknowledgements: notImplemented,
  "tool keygen": notImplemented,
  "tool sign": notImplemented,
  annotate: () => import("./commands/annotate.js"),
  "annotation remove": () => import("./commands/annotation-remove.js"),
  "artifact upload": notImplemented,
  "artifact download": notImplemented,
  "artifact search": notImplemented,
  "artifact shasum": notImplemented,
  "build cancel": () => import("./commands/build-cancel.js"),
  "job update": () => import("./commands/job-update.js"),
  "job promise-failure": () => import("./commands/job-promise-failure.js"),
  "cache save": notImplemented,
  "cache restore": notImplemented,
  "env dump": () => import("./commands/env-dump.js"),
  "env get": () => import("./commands/env-get.js"),
  "env set": () => import("./commands/env-set.js"),
  "env unset": () => import("./commands/env-unset.js"),
  "lock acquire": notImplemented,
  "lock do": notImplemented,
  "lock done": notImplemented,
  "lock get": notImplemented,
  "lock release": notImplemented,
  "redactor add": () => import("./commands/redactor-add.js"),
  "meta-data set": () => import("./commands/meta-data-set.js"),
  "meta-data set-batch": () => import("./commands/meta-data-set-batch.js"),
  "meta-data get": () => import("./commands/meta-data-get.js"),
  "meta-data exists": () => import("./commands/meta-data-exists.js"),
  "meta-data keys": () => import("./commands/meta-data-keys.js"),
  "oidc request-token": () => import("./commands/oidc-request-token.js"),
  pause: () => import("./commands/pause.js"),
  "pipeline upload": () => import("./commands/pipeline-upload.js"),
  resume: () => import("./commands/resume.js"),
  "secret get": () => import("./commands/secret-get.js"),
  "step get": () => import("./commands/step-get.js"),
  "step update": () => import("./commands/step-update.js"),
  "step cancel": () => import("./commands/step-cancel.js"),
  stop: () => import("./commands/stop.js"),
  "workdir set": () => import("./commands/workdir-set.js"),
  bootstrap: () => import("./commands/bootstrap.js"),
  "kubernetes-bootstrap": notImplemented,
  "git-credentials-helper": notImplemented,
};

/** The loader of the command with these words, if one is registered. */
export function loaderFor(path: readonly string[]): CommandLoader | undefined {
  return Object.hasOwn(commandLoaders, commandKey(path)) ? commandLoaders[commandKey(path)] : undefined;
}

/** Whether a command (its words joined with spaces) has its implementation, not the stand-in. */
export function isImplemented(words: string): boolean {
  const loader = commandLoaders[words];
  return loader !== undefined && loader !== notImplemented;
}
