import type { Plugin } from "./plugin.js";

/** A plugin ready to run hooks: where its files are on disk. */
export interface PluginCheckout {
  /** The plugin, with its own configuration (duplicates share directories, not config). */
  readonly plugin: Plugin;
  /**
   * The directory the plugin's files must stay inside: the plugin's clone, or the
   * build checkout for a vendored plugin. Hooks resolving outside it are ignored.
   */
  readonly root: string;
  /** The plugin's own directory (the clone, its subdirectory, or the vendored path). Absolute. */
  readonly pluginDir: string;
  /** `<pluginDir>/hooks`. Absolute. */
  readonly hooksDir: string;
}
