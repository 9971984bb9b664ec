import type { CommandDefinition } from "./setting.js";

/**
 * Every env var that sets one of `command`'s settings. The agent unsets these from
 * its own environment at start so they cannot leak into jobs (global.go
 * `UnsetConfigFromEnvironment`).
 */
export function settingEnvNames(command: CommandDefinition): string[] {
  return [...new Set(command.settings.flatMap((setting) => setting.env))];
}
