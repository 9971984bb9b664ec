import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ConfigError, commands, loadConfig, type CommandDefinition } from "../src/index.js";
import { BOOTSTRAP_ENV, START_ENV } from "./required-env.js";

const FIXTURE = fileURLToPath(new URL("fixtures/load-every-command.mjs", import.meta.url));

interface Report {
  readonly outcomes: Record<string, unknown>;
  readonly ajvCompilerLoaded: boolean;
  readonly precompiledLoaded: boolean;
}

/** Runs the fixture against the built package (dist/, so `pnpm build` first) in a fresh node. */
async function loadInFreshProcess(env: Record<string, string>, mode = ""): Promise<Report> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [FIXTURE, JSON.stringify(env), mode], { timeout: 20_000 });
  // Nothing on stderr: ajv warns there (console) about options it dislikes.
  expect(stderr).toBe("");
  return JSON.parse(stdout) as Report;
}

/** The same outcomes computed here, from the sources, as JSON would carry them. */
function outcomesHere(env: Record<string, string>): Record<string, unknown> {
  const outcomes: Record<string, unknown> = {};
  for (const command of commands as readonly CommandDefinition[]) {
    try {
      const { values, warnings } = loadConfig(command, { flags: {}, env, cwd: "/", homeDir: "/home/test", configSearchPaths: [] });
      outcomes[command.path.join(" ")] = { values, warnings };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      outcomes[command.path.join(" ")] = { problems: error.problems };
    }
  }
  return JSON.parse(JSON.stringify(outcomes)) as Record<string, unknown>;
}

// The built package validates with dist/validators.cjs; the regression these
// guard is ajv's compiler creeping back into every command's start-up (~45 ms).
describe("start-up of the built package", () => {
  it.each<[string, Record<string, string>]>([
    ["no env: missing required settings", {}],
    ["the env a job runs with", { ...START_ENV, ...BOOTSTRAP_ENV }],
    ["invalid choices and an empty required value", { BUILDKITE_AGENT_LOG_LEVEL: "loud", BUILDKITE_AGENT_PROFILE: "gpu", BUILDKITE_JOB_ID: "", BUILDKITE_AGENT_ACCESS_TOKEN: "" }],
  ])("%s: every command answers as the sources do, without loading ajv's compiler", async (_, env) => {
    const report = await loadInFreshProcess(env);
    expect(report.outcomes).toEqual(outcomesHere(env));
    expect(report).toMatchObject({ ajvCompilerLoaded: false, precompiledLoaded: true });
  });

  it("loads ajv's compiler, lazily, only for a command it has no precompiled validator for", async () => {
    const report = await loadInFreshProcess({ COLOUR: "green" }, "embedder");
    expect(report.outcomes.own).toEqual({
      problems: [{ code: "CONFIG_INVALID", setting: "colour", message: 'invalid colour "green" (from env COLOUR): expected one of red, blue' }],
    });
    expect(report.ajvCompilerLoaded).toBe(true);
  });
});
