export { JsonNumber } from "../go-json-parse.js";
export type { JsonValue, JsonObject } from "../go-json-parse.js";
export {
  parsePlugins,
  createPlugin,
  pluginRepository,
  pluginSubdirectory,
  pluginName,
  pluginIdentifier,
  isZipScheme,
  zipBaseScheme,
} from "./plugin.js";
export type { Plugin, PluginRepositoryFields, ParsePluginsOptions, PluginsAllowed } from "./plugin.js";
export { pluginEnvironment, reportPluginEnvironment, DEPRECATED_ENV_EXPLANATION } from "./plugin-environment.js";
export type { PluginEnvironment, DeprecatedPluginEnvName } from "./plugin-environment.js";
export type { PluginCheckout } from "./plugin-checkout.js";
export { checkoutPlugins } from "./checkout-plugins.js";
export type { CheckoutPluginsOptions, PluginKeyscan } from "./checkout-plugins.js";
export { resolveVendoredPlugin } from "./vendored-plugin.js";
export { pluginHookPath } from "./hook-path.js";
