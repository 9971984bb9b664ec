import { existsSync, readdirSync, readFileSync } from "node:fs";
import { checkPipelineSchema, parsePipeline } from "../src/index.js";

// The schema is read from ../shared at run time here (the package build copies it into
// dist/ for the published code; tests run against src/, so they pass it in).
const schemaDir = new URL("../../../../shared/conformance/pipeline-schema/", import.meta.url);
const schema = JSON.parse(readFileSync(new URL("schema.json", schemaDir), "utf8")) as object;
const validDir = new URL("valid-pipelines/", schemaDir);
const validFiles = readdirSync(validDir).sort();

const check = (yaml: string) => checkPipelineSchema(parsePipeline(yaml).documents[0]!.pipeline, { schema });

describe("checkPipelineSchema: every valid example pipeline passes clean", () => {
  it("has examples to check", () => {
    expect(validFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(validFiles)("%s", (file) => {
    const { documents } = parsePipeline(readFileSync(new URL(file, validDir), "utf8"), { filename: file });
    expect(documents.length).toBeGreaterThan(0);
    for (const d of documents) expect(checkPipelineSchema(d.pipeline, { schema })).toEqual([]);
  });
});

// Each row: a pipeline with one problem, and the path the warning must name.
const invalid: [string, string, string][] = [
  ["agents is a number", "steps:\n  - command: echo\n    agents: 5\n", "steps[0].agents"],
  ["parallelism is not an integer", "steps:\n  - command: echo\n    parallelism: many\n", "steps[0].parallelism"],
  ["timeout_in_minutes in a group's step", "steps:\n  - group: g\n    steps: [{command: x, timeout_in_minutes: soon}]\n", "steps[0].steps[0].timeout_in_minutes"],
  ["retry.automatic is a word", "steps:\n  - command: echo\n    retry: {automatic: lots}\n", "steps[0].retry.automatic"],
  ["block fields is not a list", "steps:\n  - wait\n  - block: x\n    fields: 3\n", "steps[1].fields"],
  ["trigger build is a number", "steps:\n  - trigger: x\n    build: 5\n", "steps[0].build"],
  ["soft_fail is a word", "steps:\n  - command: echo\n    soft_fail: maybe\n", "steps[0].soft_fail"],
  ["concurrency is a word", "steps:\n  - command: echo\n    concurrency: x\n", "steps[0].concurrency"],
  ["a command list holding a mapping", "steps:\n  - command: [echo, {a: 2}]\n", "steps[0].command"],
  ["if is a number", "steps:\n  - command: echo\n    if: 5\n", "steps[0].if"],
  ["priority is a word", "steps:\n  - command: echo\n    priority: high\n", "steps[0].priority"],
  ["an unknown step", "steps:\n  - llama: kuzco\n", "steps[0]"],
  ["top-level notify is a number", "notify: 5\nsteps:\n  - command: echo\n", "notify"],
  ["an empty group", "steps:\n  - group: g\n    steps: []\n", "steps[0].steps"],
];

describe("checkPipelineSchema: invalid pipelines name the offending path", () => {
  it.each(invalid)("%s", (_why, yaml, path) => {
    const warnings = check(yaml);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.map((w) => w.path)).toContain(path);
    for (const w of warnings) expect(w.message).not.toBe("");
  });
});

describe("checkPipelineSchema", () => {
  it("says where the bundled schema should be and how to get it when it is missing", () => {
    // Tests run from src/, where no pipeline-schema.json sits beside the module.
    expect(() => checkPipelineSchema({ steps: [] })).toThrow(
      expect.objectContaining({ code: "PIPELINE_SCHEMA", message: expect.stringMatching(/pipeline-schema\.json.*run the package build/) }),
    );
  });

  // The build copies the schema beside dist/index.js; under turbo, test depends on build.
  const built = existsSync(new URL("../dist/index.js", import.meta.url));
  (built ? it : it.skip)(`uses the bundled schema when none is given${built ? "" : " (skipped: dist/ is not built; run pnpm build)"}`, async () => {
    const dist = "../dist/index.js";
    const { checkPipelineSchema: fromDist } = (await import(dist)) as typeof import("../src/index.js");
    expect(fromDist({ steps: [{ command: "echo" }] })).toEqual([]);
    expect(fromDist({ steps: [{ command: "echo", parallelism: "many" }] }).map((w) => w.path)).toContain("steps[0].parallelism");
  });

  it("reports a problem at the top level with an empty path", () => {
    expect(checkPipelineSchema({}, { schema })).toEqual([{ path: "steps", message: "is required" }]);
  });
});
