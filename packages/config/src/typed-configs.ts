import type { bootstrapCommand, startCommand } from "./commands/index.js";
import type { SettingValues } from "./setting.js";

/** The resolved settings of `buildkite-agent start`, as `loadConfig(startCommand, …).values`. */
export type AgentConfig = SettingValues<typeof startCommand.settings>;

/** The resolved settings of `buildkite-agent bootstrap`. */
export type BootstrapConfig = SettingValues<typeof bootstrapCommand.settings>;
