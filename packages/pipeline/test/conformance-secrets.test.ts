import { readFileSync } from "node:fs";
import { findPipelineSecrets, interpolatePipeline, parsePipeline, PipelineError, type Pipeline } from "../src/index.js";

interface SecretCase {
  name: string;
  redactedVars: string[];
  rejectSecrets: boolean;
  environment: Record<string, string>;
  pipeline: Pipeline;
  pipelineFileName: string;
  error: boolean;
  errorContains?: string;
}

// The agent's own vectors for the pipeline upload secret search (../shared/conformance/redaction).
const cases = JSON.parse(readFileSync(new URL("../../../../shared/conformance/redaction/cases.json", import.meta.url), "utf8")) as {
  pipelineSecretSearchCases: SecretCase[];
};

describe("findPipelineSecrets (conformance pipelineSecretSearchCases)", () => {
  it.each(cases.pipelineSecretSearchCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const run = () =>
      findPipelineSecrets(c.pipeline, {
        env: c.environment,
        redactedVars: c.redactedVars,
        source: c.pipelineFileName,
        reject: c.rejectSecrets,
      });
    if (!c.error) {
      expect(run().names).toEqual([]);
      return;
    }
    let thrown: unknown;
    try {
      run();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PipelineError);
    expect((thrown as PipelineError).code).toBe("PIPELINE_SECRETS");
    expect((thrown as PipelineError).message).toContain(c.errorContains);
  });
});

describe("findPipelineSecrets", () => {
  const redactedVars = ["*_TOKEN", "*_SECRET"];

  it("warns (without throwing) unless asked to reject, with the agent's lines", () => {
    const report = findPipelineSecrets(
      { steps: [{ command: "deploy --token ghp_abcdef123" }] },
      { env: { GITHUB_TOKEN: "ghp_abcdef123", SHORT_TOKEN: "abc" }, redactedVars, source: "pipeline.yml" },
    );
    expect(report.names).toEqual(["GITHUB_TOKEN"]);
    expect(report.shortNames).toEqual(["SHORT_TOKEN"]);
    expect(report.warnings[0]).toBe("Some variables have values below minimum length (6 bytes) and will not be redacted: SHORT_TOKEN");
    expect(report.warnings[1]).toMatch(/^Pipeline "pipeline.yml" contains values interpolated from the following secret environment variables: \[GITHUB_TOKEN\], which could leak/);
  });

  // Regression: with reject, the short-value and couldn't-match warnings were pushed
  // and then lost with the throw; the agent logs them before it fails.
  it("keeps the warnings on the error when rejecting, for the caller to print first", () => {
    let thrown: unknown;
    try {
      findPipelineSecrets(
        { steps: [{ command: "deploy --token ghp_abcdef123" }] },
        { env: { GITHUB_TOKEN: "ghp_abcdef123", SHORT_TOKEN: "abc" }, redactedVars, source: "pipeline.yml", reject: true },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: "PIPELINE_SECRETS",
      warnings: ["Some variables have values below minimum length (6 bytes) and will not be redacted: SHORT_TOKEN"],
    });
    expect((thrown as PipelineError).message).toMatch(/^pipeline "pipeline.yml" contains values interpolated .*\[GITHUB_TOKEN\]/);
  });

  // Upstream allEnvVars looks at the env of command steps (in groups too) and skips
  // unknown steps: one kept as written after a decoding error is one, even with a
  // `command` key; a plugins-only step is a command step.
  it.each([
    ["a command step", "steps:\n  - command: x\n    env: {API_TOKEN: hardcoded-val}\n", ["API_TOKEN"]],
    ["a plugins-only step", "steps:\n  - plugins: [docker#v1]\n    env: {API_TOKEN: hardcoded-val}\n", ["API_TOKEN"]],
    ["a command step in a group", "steps:\n  - group: g\n    steps:\n      - command: x\n        env: {API_TOKEN: hardcoded-val}\n", ["API_TOKEN"]],
    ["a step kept as written after a decoding error", "steps:\n  - command: x\n    env: {API_TOKEN: hardcoded-val}\n    matrix: 5\n", []],
    ["a group with a `type` of another kind", "steps:\n  - type: trigger\n    group: g\n    trigger: t\n    steps:\n      - command: x\n        env: {API_TOKEN: hardcoded-val}\n", []],
  ])("counts secret-named env entries of %s as upstream does", (_, yaml, names) => {
    const { pipeline } = parsePipeline(yaml).documents[0]!;
    expect(findPipelineSecrets(interpolatePipeline(pipeline, {}), { env: {}, redactedVars }).names).toEqual(names);
  });

  it("finds a multi-line secret by its JSON-escaped form", () => {
    const key = "-----BEGIN KEY-----\nabcdefgh\n-----END KEY-----";
    const report = findPipelineSecrets({ steps: [{ command: "echo", env: { K: key } }] }, { env: { DEPLOY_SECRET: key }, redactedVars });
    expect(report.names).toEqual(["DEPLOY_SECRET"]);
  });

  it("does not count a secret-named step env var written as ${VAR}", () => {
    const report = findPipelineSecrets({ steps: [{ command: "x", env: { API_TOKEN: "${API_TOKEN}" } }] }, { env: {}, redactedVars });
    expect(report.names).toEqual([]);
  });

  it("counts a secret-named step env var with a default, which is not a pure reference", () => {
    const report = findPipelineSecrets({ steps: [{ command: "x", env: { API_TOKEN: "${X:-hardcoded-value}" } }] }, { env: {}, redactedVars });
    expect(report.names).toEqual(["API_TOKEN"]);
  });

  it("looks for a single-line value exactly as written, surrounding spaces included", () => {
    const pipeline = { steps: [{ command: "echo xabcdefx" }] };
    expect(findPipelineSecrets(pipeline, { env: { X_TOKEN: " abcdef " }, redactedVars }).names).toEqual([]);
    expect(findPipelineSecrets({ steps: [{ command: "echo x abcdef x" }] }, { env: { X_TOKEN: " abcdef " }, redactedVars }).names).toEqual(["X_TOKEN"]);
  });

  it("finds a multi-line value whose lines are joined by other whitespace (JSON keeps spaces as is)", () => {
    const key = "-----BEGIN KEY-----\n  abcdefgh  \n-----END KEY-----";
    const report = findPipelineSecrets({ steps: [{ command: "echo '-----BEGIN KEY-----   abcdefgh -----END KEY-----'" }] }, { env: { DEPLOY_SECRET: key }, redactedVars });
    expect(report.names).toEqual(["DEPLOY_SECRET"]);
  });

  it("uses the agent's default redacted-vars when none are given", () => {
    const report = findPipelineSecrets({ steps: [{ command: "psql p4ssw0rd-value" }] }, { env: { DB_PASSWORD: "p4ssw0rd-value", OTHER: "p4ssw0rd-value" } });
    expect(report.names).toEqual(["DB_PASSWORD"]);
  });

  it("warns and finds nothing when a redacted-vars pattern is malformed, as the agent does", () => {
    const report = findPipelineSecrets(
      { steps: [{ command: "deploy ghp_abcdef123", env: { API_TOKEN: "hardcoded" } }] },
      { env: { GITHUB_TOKEN: "ghp_abcdef123" }, redactedVars: ["*_TOKEN", "[oops"] },
    );
    expect(report.names).toEqual([]);
    expect(report.warnings).toHaveLength(2);
    for (const w of report.warnings) expect(w).toMatch(/^Couldn't match environment variable names against redacted-vars: /);
  });
});
