import { readFile } from "node:fs/promises";
import { Environment } from "../../src/environment.js";
import { JobLog } from "../../src/job-log.js";
import { goQuote } from "@agent/log-redactor";
import { applyHookChanges, EXECUTOR_SETTING_VARS } from "../../src/hooks/index.js";

interface GoDiff {
  readonly added: Record<string, string>;
  readonly changed: Record<string, { old: string; new: string }>;
  readonly removed: string[];
}
interface EnvVectors {
  readonly applyCases: { name: string; initial: string[]; steps: { apply: GoDiff; expectedEnviron: string[] }[] }[];
}
const vectors = JSON.parse(
  await readFile(new URL("../../../../../shared/conformance/env/cases.json", import.meta.url), "utf8"),
) as EnvVectors;

const fromEnviron = (environ: readonly string[]): Record<string, string> =>
  Object.fromEntries(environ.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
const toEnviron = (environment: Environment): string[] =>
  Object.entries(environment.toObject())
    .map(([name, value]) => `${name}=${value}`)
    .sort();

function collectingLog(): { log: JobLog; lines: () => string[] } {
  const text: string[] = [];
  const log = new JobLog({ write: (chunk: string) => text.push(chunk) }, { ansi: false });
  return { log, lines: () => text.join("").split("\n").filter((line) => line !== "") };
}

// The apply vectors of the env area (the diff vectors are in src/hooks/env-changes.test.ts).
describe("conformance: env apply vectors", () => {
  it.each(vectors.applyCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const environment = new Environment(fromEnviron(c.initial));
    const { log } = collectingLog();
    for (const step of c.steps) {
      applyHookChanges(environment, step.apply, { mode: "from-job", log, executorSettingVars: new Set() });
      expect(toEnviron(environment)).toEqual(step.expectedEnviron);
    }
  });
});

describe("applyHookChanges", () => {
  it("applies and logs changes with values hidden, each group in name order", () => {
    const environment = new Environment({ KEEP: "k", OLD: "1", GONE: "x", ZGONE: "y" });
    const { log, lines } = collectingLog();
    const result = applyHookChanges(
      environment,
      { added: { NEW_B: "secret-b", NEW_A: "secret-a" }, changed: { OLD: { old: "1", new: "2" } }, removed: ["ZGONE", "GONE"] },
      { mode: "from-job", log, executorSettingVars: EXECUTOR_SETTING_VARS },
    );
    expect(environment.toObject()).toEqual({ KEEP: "k", OLD: "2", NEW_A: "secret-a", NEW_B: "secret-b" });
    expect(lines()).toEqual(["# NEW_A added", "# NEW_B added", "# OLD changed", "# GONE removed", "# ZGONE removed"]);
    expect(result.blocked).toEqual([]);
  });

  it("drops protected vars with the real agent's comment, applying the rest", () => {
    const environment = new Environment({ BUILDKITE_AGENT_ACCESS_TOKEN: "tok", BUILDKITE_SHELL: "/bin/bash -e -c" });
    const { log, lines } = collectingLog();
    const result = applyHookChanges(
      environment,
      {
        added: { FINE: "1", BUILDKITE_HOOKS_PATH: "/evil" },
        changed: { BUILDKITE_SHELL: { old: "/bin/bash -e -c", new: "/bin/evil" } },
        removed: ["BUILDKITE_AGENT_ACCESS_TOKEN"],
      },
      { mode: "from-job", log, executorSettingVars: EXECUTOR_SETTING_VARS },
    );
    expect(lines()).toEqual([
      "# Changes to some env vars were blocked; the affected vars are: [BUILDKITE_AGENT_ACCESS_TOKEN BUILDKITE_HOOKS_PATH BUILDKITE_SHELL]",
      "# FINE added",
    ]);
    expect(environment.toObject()).toEqual({
      BUILDKITE_AGENT_ACCESS_TOKEN: "tok",
      BUILDKITE_SHELL: "/bin/bash -e -c",
      FINE: "1",
    });
    expect(result.blocked).toEqual(["BUILDKITE_AGENT_ACCESS_TOKEN", "BUILDKITE_HOOKS_PATH", "BUILDKITE_SHELL"]);
    expect(result.applied).toEqual({ added: { FINE: "1" }, changed: {}, removed: [] });
  });

  it.each([
    ["strict", true],
    ["from-job", false],
    ["none", false],
  ] as const)("in %s mode, blocks checkout-scoped vars: %s", (mode, blocked) => {
    const environment = new Environment();
    const { log, lines } = collectingLog();
    applyHookChanges(
      environment,
      { added: { BUILDKITE_GIT_CLONE_FLAGS: "-v --depth=1" }, changed: {}, removed: [] },
      { mode, log, executorSettingVars: EXECUTOR_SETTING_VARS },
    );
    expect(environment.has("BUILDKITE_GIT_CLONE_FLAGS")).toBe(!blocked);
    expect(lines()).toEqual(
      blocked
        ? ["# Changes to some env vars were blocked; the affected vars are: [BUILDKITE_GIT_CLONE_FLAGS]"]
        : ['# BUILDKITE_GIT_CLONE_FLAGS is now "-v --depth=1"'],
    );
  });

  it("shows executor settings' values, Go-quoted, except the SSH key", () => {
    const environment = new Environment({ BUILDKITE_REPO: "git@a:b.git", BUILDKITE_CLEAN_CHECKOUT: "true" });
    const { log, lines } = collectingLog();
    applyHookChanges(
      environment,
      {
        added: { BUILDKITE_ARTIFACT_PATHS: 'log/*;"odd"\n', BUILDKITE_GIT_SSH_KEY: "-----BEGIN KEY-----" },
        changed: { BUILDKITE_REPO: { old: "git@a:b.git", new: "https://a/b.git" } },
        removed: ["BUILDKITE_CLEAN_CHECKOUT"],
      },
      { mode: "from-job", log, executorSettingVars: EXECUTOR_SETTING_VARS },
    );
    expect(lines()).toEqual([
      '# BUILDKITE_ARTIFACT_PATHS is now "log/*;\\"odd\\"\\n"',
      "# BUILDKITE_GIT_SSH_KEY added",
      '# BUILDKITE_REPO was "git@a:b.git" and is now "https://a/b.git"',
      "# BUILDKITE_CLEAN_CHECKOUT removed",
    ]);
  });

  it("shows executor settings' values by default, without being told which they are", () => {
    const environment = new Environment({});
    const { log, lines } = collectingLog();
    applyHookChanges(environment, { added: { BUILDKITE_REFSPEC: "refs/x", OTHER: "hidden" }, changed: {}, removed: [] }, { mode: "from-job", log });
    expect(lines()).toEqual(['# BUILDKITE_REFSPEC is now "refs/x"', "# OTHER added"]);
  });

  it("lists exactly the §4.4 settings", () => {
    expect(EXECUTOR_SETTING_VARS.size).toBe(23);
    expect(EXECUTOR_SETTING_VARS.has("BUILDKITE_COMMAND")).toBe(false);
    expect(EXECUTOR_SETTING_VARS.has("BUILDKITE_COMMIT")).toBe(false);
  });
});

describe("goQuote", () => {
  it.each([
    ["plain", '"plain"'],
    ['a "b" \\c', '"a \\"b\\" \\\\c"'],
    ["tab\tnl\ncr\r", '"tab\\tnl\\ncr\\r"'],
    ["\x00\x1b\x7f", '"\\x00\\x1b\\x7f"'],
    ["ünï 🚀", '"ünï 🚀"'],
  ])("%j → %s", (input, quoted) => {
    expect(`"${goQuote(input)}"`).toBe(quoted);
  });
});
