import { readFileSync } from "node:fs";
import { findPipelineSecrets, PipelineError, type Pipeline } from "../src/index.js";
import { redactedVarsMatcher } from "./redacted-vars.js";

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
        matchRedactedVars: redactedVarsMatcher(c.redactedVars),
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
  const match = redactedVarsMatcher(["*_TOKEN", "*_SECRET"]);

  it("warns (without throwing) unless asked to reject, with the agent's lines", () => {
    const report = findPipelineSecrets(
      { steps: [{ command: "deploy --token ghp_abcdef123" }] },
      { env: { GITHUB_TOKEN: "ghp_abcdef123", SHORT_TOKEN: "abc" }, matchRedactedVars: match, source: "pipeline.yml" },
    );
    expect(report.names).toEqual(["GITHUB_TOKEN"]);
    expect(report.shortNames).toEqual(["SHORT_TOKEN"]);
    expect(report.warnings[0]).toBe("Some variables have values below minimum length (6 bytes) and will not be redacted: SHORT_TOKEN");
    expect(report.warnings[1]).toMatch(/^Pipeline "pipeline.yml" contains values interpolated from the following secret environment variables: \[GITHUB_TOKEN\], which could leak/);
  });

  it("finds a multi-line secret by its JSON-escaped form", () => {
    const key = "-----BEGIN KEY-----\nabcdefgh\n-----END KEY-----";
    const report = findPipelineSecrets({ steps: [{ command: "echo", env: { K: key } }] }, { env: { DEPLOY_SECRET: key }, matchRedactedVars: match });
    expect(report.names).toEqual(["DEPLOY_SECRET"]);
  });

  it("does not count a secret-named step env var written as ${VAR}", () => {
    const report = findPipelineSecrets({ steps: [{ command: "x", env: { API_TOKEN: "${API_TOKEN}" } }] }, { env: {}, matchRedactedVars: match });
    expect(report.names).toEqual([]);
  });

  it("counts a secret-named step env var with a default, which is not a pure reference", () => {
    const report = findPipelineSecrets({ steps: [{ command: "x", env: { API_TOKEN: "${X:-hardcoded-value}" } }] }, { env: {}, matchRedactedVars: match });
    expect(report.names).toEqual(["API_TOKEN"]);
  });
});
