/** One variable's value before and after a hook. */
export interface EnvChange {
  readonly old: string;
  readonly new: string;
}

/**
 * How a hook changed the job's environment: the diff of the environment before
 * and after it ran (env.Diff in the real agent). An empty value counts as present.
 */
export interface EnvChanges {
  /** Names the hook set that were not set before, with their new values. */
  readonly added: Readonly<Record<string, string>>;
  /** Names whose value the hook changed. */
  readonly changed: Readonly<Record<string, EnvChange>>;
  /** Names the hook unset. */
  readonly removed: readonly string[];
}

/** An empty {@link EnvChanges}: what a binary or script hook reports (it changes env only via the Job API). */
export function emptyEnvChanges(): EnvChanges {
  return { added: {}, changed: {}, removed: [] };
}

/** Whether `changes` changes nothing. */
export function isEmptyEnvChanges(changes: EnvChanges): boolean {
  return (
    Object.keys(changes.added).length === 0 && Object.keys(changes.changed).length === 0 && changes.removed.length === 0
  );
}

/**
 * The changes that turn `before` into `after` (the real agent's `after.Diff(before)`).
 * Names are compared exactly (case-sensitive, POSIX).
 */
export function diffEnv(
  after: Readonly<Record<string, string>>,
  before: Readonly<Record<string, string>>,
): EnvChanges {
  const added: Record<string, string> = {};
  const changed: Record<string, EnvChange> = {};
  const removed: string[] = [];
  for (const [name, value] of Object.entries(after)) {
    if (!Object.hasOwn(before, name)) added[name] = value;
    else if (before[name] !== value) changed[name] = { old: before[name] as string, new: value };
  }
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) removed.push(name);
  return { added, changed, removed };
}

/** A copy of `changes` without the given names, in any of its three parts. */
export function withoutNames(changes: EnvChanges, names: Iterable<string>): EnvChanges {
  const drop = new Set(names);
  return {
    added: Object.fromEntries(Object.entries(changes.added).filter(([name]) => !drop.has(name))),
    changed: Object.fromEntries(Object.entries(changes.changed).filter(([name]) => !drop.has(name))),
    removed: changes.removed.filter((name) => !drop.has(name)),
  };
}

/** Every name `changes` mentions: added, then changed, then removed. */
export function changedNames(changes: EnvChanges): string[] {
  return [...Object.keys(changes.added), ...Object.keys(changes.changed), ...changes.removed];
}
