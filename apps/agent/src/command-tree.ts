import type { CommandDefinition } from "@agent/config";

/**
 * One word of the command line: either a command that runs (`start`,
 * `artifact upload`) or a group that only holds subcommands (`artifact`).
 */
export interface CommandNode {
  /** The last word: `upload`. */
  readonly name: string;
  /** Every word: `["artifact", "upload"]`. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Set for a command that runs; absent for a group. */
  readonly definition?: CommandDefinition;
  /** Subcommands, in the order `commands` lists them. */
  readonly children: readonly CommandNode[];
  /** Left out of command lists (internal commands, groups whose commands are all hidden). */
  readonly hidden: boolean;
}

/**
 * Summaries of the groups, which have no definition of their own in
 * @agent/config (a group only holds subcommands). A group missing here is
 * summarised by the names of its subcommands.
 */
const GROUP_SUMMARIES: Readonly<Record<string, string>> = {
  annotation: "Change the annotations of the running build",
  artifact: "Upload, download, find and checksum a build's artifacts",
  build: "Act on the running build",
  cache: "Save and restore build caches",
  env: "Read and change the environment of the running job",
  job: "Act on the running job",
  lock: "Take and release locks shared by the jobs on this host",
  "meta-data": "Get and set the running build's meta-data",
  oidc: "Get OpenID Connect tokens from Buildkite",
  pipeline: "Change the pipeline of the running build",
  redactor: "Add values to redact from the job log",
  secret: "Read Buildkite pipeline secrets",
  step: "Read, change or cancel a step of the running build",
  tool: "Utilities for working with the agent (keys, signing)",
  workdir: "Change the working directory of the running job",
};

interface MutableNode {
  name: string;
  path: string[];
  definition?: CommandDefinition;
  children: MutableNode[];
}

/**
 * Builds the command tree from the flat list of command definitions: a command
 * whose path has several words hangs under a group per leading word. Children
 * keep the list's order, so `--help` lists commands as @agent/config orders them.
 */
export function buildCommandTree(commands: readonly CommandDefinition[]): CommandNode {
  const root: MutableNode = { name: "", path: [], children: [] };
  for (const definition of commands) {
    let node = root;
    for (const word of definition.path) {
      let child = node.children.find((candidate) => candidate.name === word);
      if (child === undefined) {
        child = { name: word, path: [...node.path, word], children: [] };
        node.children.push(child);
      }
      node = child;
    }
    node.definition = definition;
  }
  return freeze(root);
}

function freeze(node: MutableNode): CommandNode {
  const children = node.children.map(freeze);
  const definition = node.definition;
  const hidden = definition ? definition.hidden === true : children.length > 0 && children.every((child) => child.hidden);
  const summary =
    definition?.summary ??
    GROUP_SUMMARIES[node.name] ??
    `Subcommands: ${children.filter((child) => !child.hidden).map((child) => child.name).join(", ")}`;
  return Object.freeze({
    name: node.name,
    path: Object.freeze([...node.path]),
    summary,
    ...(definition ? { definition } : {}),
    children: Object.freeze(children),
    hidden,
  });
}

/** The key of a command in tables and messages: its words joined by spaces. */
export function commandKey(path: readonly string[]): string {
  return path.join(" ");
}

/** Finds the node for a path of words, or undefined. */
export function findNode(root: CommandNode, path: readonly string[]): CommandNode | undefined {
  let node: CommandNode | undefined = root;
  for (const word of path) {
    node = node.children.find((child) => child.name === word);
    if (node === undefined) return undefined;
  }
  return node;
}
