import { readFile } from "node:fs/promises";
import { diffEnv, isEmptyEnvChanges, withoutNames, type EnvChanges } from "./env-changes.js";

interface GoDiff {
  readonly added: Record<string, string>;
  readonly changed: Record<string, { old: string; new: string }>;
  readonly removed: string[];
}
interface EnvVectors {
  readonly diffCases: { name: string; receiver: string[]; other: string[]; expected: GoDiff }[];
  readonly diffRemoveCases: { name: string; diff: GoDiff; remove: string[]; expected: GoDiff }[];
  readonly diffEmptyCases: { name: string; diff: GoDiff; expectedEmpty: boolean }[];
}
const vectors = JSON.parse(
  await readFile(new URL("../../../../../shared/conformance/env/cases.json", import.meta.url), "utf8"),
) as EnvVectors;

const fromEnviron = (environ: readonly string[]): Record<string, string> =>
  Object.fromEntries(environ.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
// Go's Removed is a set; ours is a list in the receiver's order.
const sorted = (diff: EnvChanges): EnvChanges => ({ ...diff, removed: [...diff.removed].sort() });

describe("conformance: env diff vectors", () => {
  it.each(vectors.diffCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(sorted(diffEnv(fromEnviron(c.receiver), fromEnviron(c.other)))).toEqual(c.expected);
  });

  it.each(vectors.diffRemoveCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(withoutNames(c.diff, c.remove)).toEqual(c.expected);
  });

  it.each(vectors.diffEmptyCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(isEmptyEnvChanges(c.diff)).toBe(c.expectedEmpty);
  });
});

describe("withoutNames", () => {
  it("keeps the names it is not given", () => {
    const diff = { added: { A: "1", X: "2" }, changed: { B: { old: "o", new: "n" } }, removed: ["C", "Y"] };
    expect(withoutNames(diff, ["X", "Y"])).toEqual({ added: { A: "1" }, changed: { B: { old: "o", new: "n" } }, removed: ["C"] });
    expect(diff.removed).toEqual(["C", "Y"]);
  });
});

describe("isEmptyEnvChanges", () => {
  it.each([
    ["an added name", { added: { A: "" }, changed: {}, removed: [] }],
    ["a changed name", { added: {}, changed: { A: { old: "", new: "x" } }, removed: [] }],
    ["a removed name", { added: {}, changed: {}, removed: ["A"] }],
  ])("is false with %s", (_, diff) => {
    expect(isEmptyEnvChanges(diff)).toBe(false);
  });
});
