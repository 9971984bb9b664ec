import { goJson } from "@agent/api-client";
import { goQuote } from "@agent/log-redactor";
import { JobRunnerError } from "../errors.js";
import { compareBytes } from "../byte-order.js";
import type { EnvUpdateResult } from "./job-api-client.js";

/** `--format` of `env get`. */
export type EnvGetFormat = "plain" | "json" | "json-pretty";

/** `--output-format` of `env set` / `env unset`. */
export type EnvChangeOutputFormat = "quiet" | "plain" | "json" | "json-pretty";

/** What `env get` prints, and the requested names that are not set (each worth a warning and exit 1). */
export interface EnvGetOutput {
  readonly output: string;
  readonly missing: string[];
}

/**
 * The output of `buildkite-agent env get [NAME…]`: with `plain`, one name prints
 * its value, otherwise sorted `K=V` lines; `json`/`json-pretty` print an object.
 * Requested names that are not set are left out and listed in `missing`.
 *
 * @throws JobRunnerError `JOB_API_INPUT` for an unknown format
 */
export function formatEnvGet(env: Readonly<Record<string, string>>, names: readonly string[], format = "plain"): EnvGetOutput {
  const missing: string[] = [];
  const selected = new Map<string, string>();
  if (names.length === 0) for (const [name, value] of Object.entries(env)) selected.set(name, value);
  for (const name of names) {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value === undefined) missing.push(name);
    else selected.set(name, value);
  }
  switch (format) {
    case "plain": {
      if (names.length === 1) return { output: [...selected.values()].map((value) => `${value}\n`).join(""), missing };
      const lines = [...selected].map(([name, value]) => `${name}=${value}`).sort(compareBytes);
      return { output: lines.map((line) => `${line}\n`).join(""), missing };
    }
    case "json":
    case "json-pretty":
      // Go's encoder would write & < > as \u0026 \u003c \u003e, which a redactor
      // looking for the raw secret cannot match; the real agent turns escaping off.
      return { output: goJson(selected, { escapeHtml: false, indent: format === "json-pretty" ? "  " : "" }), missing };
    default:
      throw invalidOutputFormat(format);
  }
}

/**
 * The output of `buildkite-agent env set`: `plain` lists `Added:`/`+ K` and
 * `Updated:`/`~ K` (or `No variables added or updated.`); `json`/`json-pretty`
 * print the API's answer; `quiet` prints nothing.
 *
 * @throws JobRunnerError `JOB_API_INPUT` for an unknown format
 */
export function formatEnvSetResult(result: EnvUpdateResult, format = "plain"): string {
  switch (format) {
    case "quiet":
      return "";
    case "plain": {
      let output = "";
      if (result.added.length > 0) output += `Added:\n${result.added.map((name) => `+ ${name}\n`).join("")}`;
      if (result.updated.length > 0) output += `Updated:\n${result.updated.map((name) => `~ ${name}\n`).join("")}`;
      return output === "" ? "No variables added or updated.\n" : output;
    }
    case "json":
    case "json-pretty":
      // Unescaped, as in the real agent, so names keep the form redaction expects.
      return goJson({ added: result.added, updated: result.updated }, { escapeHtml: false, indent: format === "json-pretty" ? "  " : "" });
    default:
      throw invalidOutputFormat(format);
  }
}

/**
 * The output of `buildkite-agent env unset`: `plain` lists `Unset:`/`- K` (or
 * `No variables unset.`); `json`/`json-pretty` print the list of names.
 *
 * @throws JobRunnerError `JOB_API_INPUT` for an unknown format
 */
export function formatEnvUnsetResult(deleted: readonly string[], format = "plain"): string {
  switch (format) {
    case "quiet":
      return "";
    case "plain":
      return deleted.length === 0 ? "No variables unset.\n" : `Unset:\n${deleted.map((name) => `- ${name}\n`).join("")}`;
    case "json":
    case "json-pretty":
      // Unescaped, as in the real agent: HTML escapes could defeat redaction.
      return goJson(deleted, { escapeHtml: false, indent: format === "json-pretty" ? "  " : "" });
    default:
      throw invalidOutputFormat(format);
  }
}

function invalidOutputFormat(format: string): JobRunnerError {
  return new JobRunnerError("JOB_API_INPUT", `invalid output format "${goQuote(format)}"`);
}
