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
  start: notImplemented,
  acknowledgements: notImplemented,
  "tool keygen": notImplemented,
  "tool sign": notImplemented,
  annotate: notImplemented,
  "annotation remove": notImplemented,
  "artifact upload": notImplemented,
  "artifact download": notImplemented,
  "artifact search": notImplemented,
  "artifact shasum": notImplemented,
  "build cancel": notImplemented,
  "job update": notImplemented,
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
  "meta-data set": notImplemented,
  "meta-data set-batch": notImplemented,
  "meta-data get": notImplemented,
  "meta-data exists": notImplemented,
  "meta-data keys": notImplemented,
  "oidc request-token": notImplemented,
  pause: notImplemented,
  "pipeline upload": notImplemented,
  resume: notImplemented,
  "secret get": notImplemented,
  "step get": notImplemented,
  "step update": notImplemented,
  "step cancel": notImplemented,
  stop: notImplemented,
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
