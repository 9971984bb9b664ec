import { stringify } from "yaml";
import { PipelineError } from "./errors.js";

/** Output formats of {@link formatPipeline} (the agent's `--format` for `--dry-run`). */
export type PipelineFormat = "json" | "yaml";

/**
 * The text `pipeline upload --dry-run` prints for a pipeline: JSON indented by two spaces
 * (without HTML escaping, as the agent v3.137.0 writes it), or YAML; both end with a newline.
 * Plugin sources are expanded as they will be sent.
 *
 * @throws PipelineError `PIPELINE_FORMAT` (`unknown output format "x"`) for another format.
 */
export function formatPipeline(pipeline: unknown, format: PipelineFormat): string {
  if (format === "json") return `${JSON.stringify(pipeline, null, 2)}\n`;
  // The YAML shows the values as JSON sends them (NaN and ±Infinity as null, for one).
  if (format === "yaml") return stringify(JSON.parse(JSON.stringify(pipeline)), { indent: 4, lineWidth: 0 });
  throw new PipelineError("PIPELINE_FORMAT", `unknown output format "${String(format)}"`);
}
