export { loadConfig } from "./load.js";
export type { FlagValue, LoadConfigOptions, LoadedConfig, SettingSource } from "./load.js";
export { ConfigError } from "./errors.js";
export type { ConfigErrorCode, ConfigProblem, ConfigWarning } from "./errors.js";
export { parseConfigFile, configSearchPaths } from "./config-file.js";
export type { ConfigFile, ConfigFileEntry, ConfigSearchOptions } from "./config-file.js";
export { commandSchema } from "./schema.js";
export type { JsonSchema } from "./schema.js";
export { BOOTSTRAP_PHASES, effectiveSignalGracePeriod } from "./command-rules.js";
export {
  CHECKOUT_SCOPED_VARS,
  isCheckoutLocked,
  isCheckoutLockedForJobEnv,
  isCheckoutLockedForSecrets,
} from "./checkout-override.js";
export type { CheckoutOverrideMode } from "./checkout-override.js";
export { KNOWN_EXPERIMENTS, PROMOTED_EXPERIMENTS } from "./experiments.js";
export { parseGoBool, parseGoDuration, parseGoInt } from "./parse-value.js";
export { camelCase, defineCommand, defineSetting, defineSettings } from "./setting.js";
export type {
  ArgumentDefinition,
  CamelCase,
  CommandDefinition,
  FullSettings,
  SettingDefault,
  SettingDefinition,
  SettingType,
  SettingValues,
} from "./setting.js";
export * from "./commands/index.js";
export type { AgentConfig, BootstrapConfig } from "./typed-configs.js";
export { settingEnvNames } from "./setting-env-names.js";
