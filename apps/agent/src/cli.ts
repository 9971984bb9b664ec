import type { Argv } from "yargs";
import { commands, type CommandDefinition } from "@agent/config";
import { buildCommandTree, findNode, type CommandNode } from "./command-tree.js";
import { UsageError } from "./errors.js";
import { normaliseFlagSyntax, type FlagArity } from "./flag-syntax.js";
import { flagIsSet, HELP_FLAGS, type GivenFlags } from "./given-flags.js";
import { reportUsageError, type OutputStreams } from "./failure-report.js";
import { appHelp, commandHelp, groupHelp, PROGRAM } from "./help.js";
import { runCommand, type CommandIo } from "./run-command.js";
import { fullVersion } from "./version.js";

/** The top level also takes urfave/cli's `--version`/`-v`. */
const VERSION_FLAGS = ["version", "v"] as const;

/** What the command line asked for, once yargs has routed it through the command tree. */
type Selection =
  /** A command that runs. */
  | { readonly kind: "command"; readonly node: CommandNode; readonly flags: GivenFlags; readonly positionals: readonly string[] }
  /** The top level or a group, with no (known) subcommand after it. */
  | { readonly kind: "group"; readonly node: CommandNode; readonly flags: GivenFlags; readonly positionals: readonly string[] }
  /** `help [command words]` at the top level or in a group. */
  | { readonly kind: "help"; readonly node: CommandNode; readonly topic: readonly string[] };

/**
 * Runs `buildkite-agent` with the given arguments (without `node` and the script)
 * and resolves to the exit status. Usage problems and config errors are printed
 * here; anything a command throws propagates to the caller (main.ts reports it).
 */
export async function runCli(args: readonly string[], io: CommandIo): Promise<number> {
  const root = buildCommandTree(commands);
  // The top-level help needs no parsing: answer it without loading yargs.
  if (args.length === 0 || (args.length === 1 && ["--help", "-help", "-h", "--h", "help", "h"].includes(args[0]!))) {
    io.stdout.write(appHelp(root));
    return 0;
  }
  let normalised: string[];
  try {
    normalised = normaliseFlagSyntax(args, flagArities(commands));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const node = nodeNamedBy(root, args);
    return node.definition
      ? reportUsageError(io, [error.message], commandHelp(node.definition), "command")
      : reportUsageError(io, [error.message], node.path.length === 0 ? appHelp(node) : groupHelp(node), "app");
  }
  // A command line that starts with a command's words needs no routing: reading
  // its flags directly skips yargs, which costs ~80 ms and ~15 MB of a
  // long-running agent. yargs still handles groups, help and unknown commands.
  const selection: Selection = directSelection(root, normalised) ?? (await route(root, normalised));
  switch (selection.kind) {
    case "command":
      return runCommand(selection.node.definition!, selection.flags, selection.positionals, io);
    case "group":
      return runGroup(selection.node, selection.flags, selection.positionals, io);
    case "help":
      return showHelpTopic(selection.node, selection.topic, io);
  }
}

/**
 * The command whose words start `args`, with its flags and positionals read as
 * the yargs configuration in {@link route} reads them: flag-syntax.ts has made
 * every flag `--name=value` (or `--name` for an unknown one, which yargs sets to
 * true), a repeated flag collects its values, and everything after `--` is
 * positional. Undefined when the words name no command.
 */
function directSelection(root: CommandNode, args: readonly string[]): Selection | undefined {
  let node = root;
  let index = 0;
  while (node.definition === undefined && index < args.length) {
    const child = node.children.find((candidate) => candidate.name === args[index]);
    if (child === undefined) return undefined;
    node = child;
    index++;
  }
  if (node.definition === undefined) return undefined;
  const flags = new Map<string, string | readonly string[]>();
  const positionals: string[] = [];
  for (; index < args.length; index++) {
    const token = args[index]!;
    if (token === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    const match = /^--([^=]+)(?:=([\s\S]*))?$/.exec(token);
    if (match === null) {
      positionals.push(token);
      continue;
    }
    const [, name = "", value = "true"] = match;
    const previous = flags.get(name);
    flags.set(name, previous === undefined ? value : [...(typeof previous === "string" ? [previous] : previous), value]);
  }
  return { kind: "command", node, flags, positionals };
}

/** The command or group the leading words of a command line name, for messages given before yargs has routed it. */
function nodeNamedBy(root: CommandNode, args: readonly string[]): CommandNode {
  let node = root;
  for (const word of args) {
    if (word.startsWith("-")) continue;
    const child = node.children.find((candidate) => candidate.name === word);
    if (child === undefined) break;
    node = child;
    if (node.definition) break;
  }
  return node;
}

/**
 * Routes the command line with yargs: one yargs command per node of the tree
 * (groups nest their subcommands), and a default command at the top and in each
 * group catching "no subcommand" and unknown ones. yargs prints nothing itself:
 * help, version and the check for unknown flags are ours, in the real agent's
 * words.
 *
 * Options are deliberately not declared: flag-syntax.ts has already made every
 * flag `--name=value`, which yargs keeps as the string typed (with number
 * parsing off), and declaring the 100-odd settings of `start` costs yargs
 * about 50 ms of start-up.
 */
async function route(root: CommandNode, args: readonly string[]): Promise<Selection> {
  const { default: yargs } = await import("yargs");
  let selection: Selection | undefined;
  const select = (next: Selection): void => {
    selection = next;
  };
  const parser = yargs([...args])
    .parserConfiguration({
      // Flags are literally named `no-pty`, `no-color`: no `--no-x` negation.
      "boolean-negation": false,
      "camel-case-expansion": false,
      "dot-notation": false,
      // `-token x` is the flag `token`, as in Go, not `-t -o -k -e -n`.
      "short-option-groups": false,
      // Values stay strings for @agent/config to parse and report.
      "parse-numbers": false,
      "parse-positional-numbers": false,
      "duplicate-arguments-array": true,
      "greedy-arrays": false,
    })
    .help(false)
    .version(false)
    .strict(false)
    .exitProcess(false)
    .showHelpOnFail(false)
    .wrap(null)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  addLevel(parser, root, select);
  parser.parseSync();
  if (selection === undefined) throw new Error("the command line matched no command");
  return selection;
}

function addLevel(parser: Argv, node: CommandNode, select: (selection: Selection) => void): void {
  for (const child of node.children) {
    const definition = child.definition;
    parser.command({
      command: child.name,
      describe: false,
      builder: (sub: Argv) => {
        if (!definition) addLevel(sub, child, select);
        return sub;
      },
      handler: (argv) => {
        if (definition) select({ kind: "command", node: child, flags: givenFlags(argv), positionals: positionalsOf(argv, child) });
      },
    });
  }
  parser.command({
    command: ["help", "h"],
    describe: false,
    handler: (argv) => select({ kind: "help", node, topic: positionalsOf(argv, node).slice(1) }),
  });
  parser.command({
    command: "$0",
    describe: false,
    handler: (argv) => select({ kind: "group", node, flags: givenFlags(argv), positionals: positionalsOf(argv, node) }),
  });
}

/**
 * How each flag name takes its value, across every command. A name is a bool
 * flag everywhere or a value flag everywhere (a test checks), so the syntax can
 * be normalised before yargs has picked the command.
 */
function flagArities(definitions: readonly CommandDefinition[]): (name: string) => FlagArity | undefined {
  const arities = new Map<string, FlagArity>();
  for (const name of [...HELP_FLAGS, ...VERSION_FLAGS]) arities.set(name, "bool");
  for (const definition of definitions) {
    for (const setting of definition.settings) arities.set(setting.name, setting.type === "bool" ? "bool" : "value");
  }
  return (name) => arities.get(name);
}

function givenFlags(argv: Record<string, unknown>): GivenFlags {
  const flags = new Map<string, string | readonly string[]>();
  for (const [key, value] of Object.entries(argv)) {
    if (key === "_" || key === "$0") continue;
    flags.set(key, Array.isArray(value) ? value.map(String) : String(value));
  }
  return flags;
}

/** yargs puts the command words first in `_`; the rest are the positional arguments. */
function positionalsOf(argv: Record<string, unknown>, node: CommandNode): string[] {
  const all = Array.isArray(argv._) ? argv._.map(String) : [];
  return all.slice(node.path.length);
}

/**
 * The top level or a group without a subcommand: its help (exit 0, as
 * urfave/cli's default action does); with an unknown word, the real agent's
 * `unknown subcommand` message (main.go `CommandNotFound`, exit 1).
 */
function runGroup(node: CommandNode, flags: GivenFlags, positionals: readonly string[], io: CommandIo): number {
  const help = node.path.length === 0 ? appHelp(node) : groupHelp(node);
  const allowed = new Set<string>([...HELP_FLAGS, ...(node.path.length === 0 ? VERSION_FLAGS : [])]);
  const unknown = [...flags.keys()].find((name) => !allowed.has(name));
  if (unknown !== undefined) return reportUsageError(io, [`flag provided but not defined: -${unknown}`], help, "app");
  if (node.path.length === 0 && !flagIsSet(flags, HELP_FLAGS) && flagIsSet(flags, VERSION_FLAGS)) {
    io.stdout.write(`${PROGRAM} version ${fullVersion()}\n`);
    return 0;
  }
  if (positionals.length > 0 && !flagIsSet(flags, HELP_FLAGS)) return unknownSubcommand(node, positionals[0]!, io);
  io.stdout.write(help);
  return 0;
}

/** `help`, `help start`, `help artifact upload`: the help of that command or group. */
function showHelpTopic(node: CommandNode, topic: readonly string[], io: OutputStreams): number {
  const target = findNode(node, topic);
  if (target === undefined) {
    let known = node;
    for (const word of topic) {
      const next = findNode(known, [word]);
      if (next === undefined) return unknownSubcommand(known, word, io);
      known = next;
    }
  }
  const shown = target ?? node;
  io.stdout.write(shown.definition ? commandHelp(shown.definition) : shown.path.length === 0 ? appHelp(shown) : groupHelp(shown));
  return 0;
}

function unknownSubcommand(node: CommandNode, word: string, io: OutputStreams): number {
  io.stderr.write(`${PROGRAM}: unknown subcommand ${JSON.stringify(word)}\n`);
  io.stderr.write(`Run '${[PROGRAM, ...node.path].join(" ")} --help' for usage.\n`);
  return 1;
}
