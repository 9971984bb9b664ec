import { camelCase, type SettingSource } from "@agent/config";
import { ExitError } from "../errors.js";
import type { Logger } from "../logger.js";

/**
 * `start` settings this agent accepts (so existing config files and command
 * lines keep working) but does not act on yet.
 */
const NO_EFFECT_YET: readonly string[] = [
  "tags-from-ec2-meta-data",
  "tags-from-ec2-meta-data-paths",
  "tags-from-ec2-tags",
  "tags-from-ecs-meta-data",
  "tags-from-gcp-meta-data",
  "tags-from-gcp-meta-data-paths",
  "tags-from-gcp-labels",
  "git-mirrors-path",
  "metrics-datadog",
  "metrics-datadog-host",
  "metrics-datadog-distributions",
  "kubernetes-exec",
];

const CLOUD_TAGS = NO_EFFECT_YET.filter((name) => name.startsWith("tags-from-"));

/** A value that asks for something: `true`, a non-empty string or list, a non-zero number. */
function isOn(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== false && value !== "" && value !== 0 && value !== undefined && value !== null;
}

/**
 * Warns once for each of these settings the user turned on, so no one believes
 * an agent does what it does not. With `fail-on-missing-tags`, asking for cloud
 * tags is fatal: the user asked the agent not to run without them.
 * @throws ExitError when cloud tags are required
 */
export function checkUnsupportedSettings(
  config: Readonly<Record<string, unknown>>,
  sources: Readonly<Record<string, SettingSource>>,
  logger: Logger,
): void {
  // Given by the user (a default such as metrics-datadog-host's asks for nothing) and on.
  const given = NO_EFFECT_YET.filter((name) => sources[name] !== undefined && sources[name] !== "default" && isOn(config[camelCase(name)]));
  const cloud = given.filter((name) => CLOUD_TAGS.includes(name));
  if (cloud.length > 0 && config["failOnMissingTags"] === true) {
    throw new ExitError(1, `--${cloud[0]} is not supported by this agent yet, and --fail-on-missing-tags is set: refusing to start without those tags`);
  }
  for (const name of given) logger.warn(`--${name} is not supported by this agent yet and has no effect`);
}
