import type { CommandDefinition, SettingDefinition } from "@agent/config";
import type { CommandNode } from "./command-tree.js";

/** The program name shown in usage lines and messages. */
export const PROGRAM = "buildkite-agent";

/** The `help` command urfave/cli adds to every command list, which we add too. */
const HELP_COMMAND = { names: "help, h", summary: "Show the list of commands, or the help of one command" };

/**
 * The top-level help (`buildkite-agent --help`): every command and group that is
 * not hidden, with its summary, in the layout of the real agent's app help. We
 * also list each group's subcommands beneath it, so the whole tree shows at once.
 */
export function appHelp(root: CommandNode): string {
  const rows = visibleChildren(root).flatMap((node): [string, string][] => [
    [node.name, node.summary],
    ...visibleChildren(node).map((child): [string, string] => [`  ${child.name}`, child.summary]),
  ]);
  rows.push([HELP_COMMAND.names, HELP_COMMAND.summary]);
  return [
    "Usage:",
    `  ${PROGRAM} <command> [options...]`,
    "",
    "Available commands are:",
    ...table(rows, "  "),
    "",
    `Use "${PROGRAM} <command> --help" for more information about a command.`,
    "",
  ].join("\n");
}

/**
 * The help of a group (`buildkite-agent artifact`, `artifact --help`): its
 * subcommands with their summaries.
 */
export function groupHelp(group: CommandNode): string {
  const rows = visibleChildren(group).map((node): [string, string] => [node.name, node.summary]);
  rows.push([HELP_COMMAND.names, HELP_COMMAND.summary]);
  return [
    "Usage:",
    "",
    `  ${PROGRAM} ${group.path.join(" ")} <command> [options...]`,
    "",
    "Available commands are:",
    "",
    ...table(rows, "  "),
    "",
  ].join("\n");
}

/**
 * The help of a command (`start --help`): a usage line, the command's
 * description (which ends with an example), then every setting that is not
 * hidden, with its description, default and env vars, as urfave/cli shows flags:
 * `--name value  description (default: "x") [$ENV_VAR]`.
 */
export function commandHelp(command: CommandDefinition): string {
  const rows = command.settings.filter((setting) => !setting.hidden).map(flagRow);
  return [
    "Usage:",
    "",
    `   ${usageLine(command)}`,
    "",
    command.description.trimEnd(),
    "",
    "Options:",
    "",
    ...table(rows, "  "),
    "",
  ].join("\n");
}

function usageLine(command: CommandDefinition): string {
  const args = command.args.map((arg) => {
    const name = arg.variadic ? `${arg.name}...` : arg.name;
    return arg.required ? `<${name}>` : `[${name}]`;
  });
  return [PROGRAM, ...command.path, "[options...]", ...args].join(" ");
}

function flagRow(setting: SettingDefinition): [string, string] {
  const dashes = setting.name.length === 1 ? "-" : "--";
  const left = setting.type === "bool" ? `${dashes}${setting.name}` : `${dashes}${setting.name} value`;
  const defaultText = setting.secret ? "" : describeDefault(setting);
  let right = `${setting.description}${defaultText ? ` (default: ${defaultText})` : ""}`.trim();
  if (setting.env.length > 0) right += ` [${setting.env.map((name) => `$${name}`).join(", ")}]`;
  return [left, right];
}

/**
 * The default as urfave/cli v1 prints it: strings and lists quoted and shown
 * only when non-empty, numbers always (`0` too), durations as Go writes them
 * (`0s` when unset), bools never.
 */
function describeDefault(setting: SettingDefinition): string {
  const value = setting.default;
  switch (setting.type) {
    case "bool":
      return "";
    case "int":
      return String(value ?? 0);
    case "duration":
      return value === undefined || value === "" ? "0s" : String(value);
    case "list": {
      const list = Array.isArray(value) ? value : typeof value === "string" && value !== "" ? [value] : [];
      return list.map((item) => `"${item}"`).join(", ");
    }
    case "string":
      return value === undefined || value === "" ? "" : `"${String(value)}"`;
  }
}

function visibleChildren(node: CommandNode): CommandNode[] {
  return node.children.filter((child) => !child.hidden);
}

/** Two columns, the first padded to its widest cell plus two spaces, like Go's tabwriter. */
function table(rows: readonly (readonly [string, string])[], indent: string): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width + 2)}${right}`.trimEnd());
}
