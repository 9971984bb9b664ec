import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { Environment, splitEnvEntry } from "./environment.js";

// The upstream env/environment_test.go vectors (see the README beside them).
// Not run here: getBoolCases, because this package has no Environment.GetBool
// (settings use @agent/config's parseGoBool, strconv.ParseBool's rules, as
// upstream's ReadFromEnvironment does); the "windows" platform of
// TestEnvironmentSet_NormalizesKeyNames, because this executor runs on POSIX
// only, where names are case-sensitive.

interface Get {
  readonly key: string;
  readonly expectedValue: string;
  readonly expectedFound?: boolean;
}
interface Op {
  readonly set?: { readonly key: string; readonly value: string };
  readonly get?: Get;
  readonly exists?: { readonly key: string; readonly expected: boolean };
  readonly remove?: { readonly key: string; readonly expectedReturn: string };
}
interface SetGetCase {
  readonly name: string;
  readonly environ?: readonly string[];
  readonly set?: readonly NonNullable<Op["set"]>[];
  readonly get?: readonly Get[];
  readonly exists?: readonly NonNullable<Op["exists"]>[];
  readonly ops?: readonly Op[];
  readonly platforms?: { readonly "non-windows": { readonly ops: readonly Op[] } };
}
interface Cases {
  readonly splitCases: readonly {
    readonly name: string;
    readonly input: string;
    readonly expectedName: string;
    readonly expectedValue: string;
    readonly expectedOK: boolean;
  }[];
  readonly setGetCases: readonly SetGetCase[];
  readonly mergeCases: readonly { readonly name: string; readonly base: string[]; readonly other: string[]; readonly expectedToSlice: string[] }[];
  readonly toSliceCases: readonly { readonly name: string; readonly environ: string[]; readonly expectedToSlice: string[] }[];
  readonly copyCases: readonly {
    readonly name: string;
    readonly environ: string[];
    readonly mutateOriginalAfterCopy: { readonly key: string; readonly value: string };
    readonly expectedCopyToSlice: string[];
  }[];
}

const cases = JSON.parse(
  readFileSync(new URL("../../../../shared/conformance/env/cases.json", import.meta.url), "utf8"),
) as Cases;

/** Go's env.FromSlice: entries that do not split are dropped. */
function fromSlice(environ: readonly string[] = []): Environment {
  const env = new Environment();
  for (const entry of environ) {
    const pair = splitEnvEntry(entry);
    if (pair !== undefined) env.set(...pair);
  }
  return env;
}

function apply(env: Environment, op: Op): void {
  if (op.set !== undefined) env.set(op.set.key, op.set.value);
  if (op.exists !== undefined) expect(env.has(op.exists.key)).toBe(op.exists.expected);
  if (op.get !== undefined) {
    // Go's Get gives "" for a missing name.
    expect(env.get(op.get.key) ?? "").toBe(op.get.expectedValue);
    if (op.get.expectedFound !== undefined) expect(env.has(op.get.key)).toBe(op.get.expectedFound);
  }
  if (op.remove !== undefined) {
    // Go's Remove returns the old value; ours says whether there was one.
    const before = env.get(op.remove.key);
    expect(env.delete(op.remove.key)).toBe(true);
    expect(before).toBe(op.remove.expectedReturn);
  }
}

describe("env conformance: Split", () => {
  it.each(cases.splitCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(splitEnvEntry(c.input)).toEqual(c.expectedOK ? [c.expectedName, c.expectedValue] : undefined);
  });
});

describe("env conformance: set, get, exists, remove", () => {
  it.each(cases.setGetCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const env = fromSlice(c.environ);
    const ops: Op[] = [
      ...(c.set ?? []).map((set) => ({ set })),
      ...(c.get ?? []).map((get) => ({ get })),
      ...(c.exists ?? []).map((exists) => ({ exists })),
      ...(c.ops ?? []),
      ...(c.platforms?.["non-windows"].ops ?? []),
    ];
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) apply(env, op);
  });
});

describe("env conformance: ToSlice, Merge, Copy", () => {
  it.each(cases.toSliceCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(fromSlice(c.environ).toSlice()).toEqual(c.expectedToSlice);
  });

  // Merge is `with`: the other env's entries laid over the base.
  it.each(cases.mergeCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const base = fromSlice(c.base);
    expect(new Environment(base.with(fromSlice(c.other).toObject())).toSlice()).toEqual(c.expectedToSlice);
  });

  // Copy is a `toObject` snapshot.
  it.each(cases.copyCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const original = fromSlice(c.environ);
    const copy = new Environment(original.toObject());
    original.set(c.mutateOriginalAfterCopy.key, c.mutateOriginalAfterCopy.value);
    expect(copy.toSlice()).toEqual(c.expectedCopyToSlice);
  });

  it("sorts ToSlice as whole NAME=value strings in byte order", () => {
    expect(fromSlice(["A=x", "A1=y", "\u{1F600}=a", "\uFFFF=b"]).toSlice()).toEqual(["A1=y", "A=x", "\uFFFF=b", "\u{1F600}=a"]);
  });
});
