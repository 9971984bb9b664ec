import type { CommandContext } from "../command-context.js";

/**
 * The stand-in for every command until its implementation lands: it runs after
 * the command's configuration was loaded and validated (so a bad flag still gets
 * the real agent's error), then fails with `<command> is not implemented yet`.
 */
export async function run(context: CommandContext): Promise<number> {
  throw new Error(`${context.command.path.join(" ")} is not implemented yet`);
}
