import { createInterface } from "node:readline";
import { goQuote } from "@agent/log-redactor";
import { JobRunnerError } from "../errors.js";
import { isJsonObject, JsonNumber, parseJson, type JsonValue } from "../go-json-parse.js";
import { splitEnvEntry } from "../environment.js";

/** `--input-format` of `env set` / `env unset`. */
export type EnvInputFormat = "plain" | "json";

/** Options of {@link readEnvSetInput} and {@link readEnvUnsetInput}. */
export interface EnvCommandInputOptions {
  /** `--input-format`; validated here. @default "plain" */
  readonly format?: string;
  /** Read line by line for each `-` argument (the CLI passes `process.stdin`). */
  readonly stdin?: NodeJS.ReadableStream;
}

type Parse = (input: string) => void;

/**
 * The variables `buildkite-agent env set` sends, from its arguments: each is
 * `KEY=VALUE` (split at the first `=`), or with `--input-format=json` a JSON
 * object; `-` reads standard input, one such item per line.
 *
 * @throws JobRunnerError `JOB_API_INPUT` with the real agent's message, e.g.
 * `couldn't parse the command-line argument "X": "X" is not in key=value format`
 */
export async function readEnvSetInput(
  args: readonly string[],
  options: EnvCommandInputOptions = {},
): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  const format = inputFormat(options.format);
  const parse: Parse =
    format === "plain"
      ? (input) => {
          // env.Split, as upstream: "=value" (an empty name) is refused too.
          const pair = splitEnvEntry(input);
          if (pair === undefined) throw new Error(`"${goQuote(input)}" is not in key=value format`);
          vars[pair[0]] = pair[1];
        }
      : (input) => {
          // json.Unmarshal: the whole argument is one value.
          const value = parseJson(input, { whole: true });
          if (value === null) return;
          if (!isJsonObject(value)) throw new Error(cannotUnmarshal(value, "map[string]string"));
          for (const [name, item] of Object.entries(value)) {
            // As Go does for a map[string]string, null stores the zero value.
            if (item !== null && typeof item !== "string") throw new Error(cannotUnmarshal(item, "string"));
            vars[name] = item ?? "";
          }
        };
  await parseArgs(args, parse, options.stdin);
  return vars;
}

/**
 * The names `buildkite-agent env unset` sends: each argument a name, or with
 * `--input-format=json` a JSON array of names; `-` reads standard input, one
 * item per line.
 *
 * @throws JobRunnerError `JOB_API_INPUT`
 */
export async function readEnvUnsetInput(args: readonly string[], options: EnvCommandInputOptions = {}): Promise<string[]> {
  const names: string[] = [];
  const format = inputFormat(options.format);
  const parse: Parse =
    format === "plain"
      ? (input) => void names.push(input)
      : (input) => {
          const value = parseJson(input, { whole: true });
          if (value === null) return;
          if (!Array.isArray(value)) throw new Error(cannotUnmarshal(value, "[]string"));
          for (const item of value as readonly JsonValue[]) {
            if (item !== null && typeof item !== "string") throw new Error(cannotUnmarshal(item, "string"));
            names.push(item ?? "");
          }
        };
  await parseArgs(args, parse, options.stdin);
  return names;
}

function inputFormat(format: string | undefined): EnvInputFormat {
  const value = format ?? "plain";
  if (value === "plain" || value === "json") return value;
  throw new JobRunnerError("JOB_API_INPUT", `invalid input format "${goQuote(value)}"`);
}

async function parseArgs(args: readonly string[], parse: Parse, stdin: NodeJS.ReadableStream | undefined): Promise<void> {
  for (const arg of args) {
    if (arg !== "-") {
      try {
        parse(arg);
      } catch (error) {
        throw new JobRunnerError(
          "JOB_API_INPUT",
          `couldn't parse the command-line argument "${goQuote(arg)}": ${(error as Error).message}`,
          { cause: error },
        );
      }
      continue;
    }
    if (stdin === undefined) throw new JobRunnerError("JOB_API_INPUT", `couldn't read standard input: none was given`);
    let line = 1;
    for await (const text of createInterface({ input: stdin, crlfDelay: Infinity })) {
      try {
        parse(text);
      } catch (error) {
        throw new JobRunnerError("JOB_API_INPUT", `couldn't parse input line ${line}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      line++;
    }
  }
}

function cannotUnmarshal(value: JsonValue, goType: string): string {
  const kind = Array.isArray(value) ? "array" : typeof value === "boolean" ? "bool" : value instanceof JsonNumber ? "number" : typeof value;
  return `json: cannot unmarshal ${kind} into Go value of type ${goType}`;
}
