// @agent/pipeline: parse + interpolate + schema-check of the largest valid example
// pipeline (ops/s), and the cost of compiling the pipeline JSON schema.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { checkPipelineSchema, interpolatePipeline, parsePipeline } from "@agent/pipeline";

export const name = "pipeline";

const validDir = new URL("../../../../shared/conformance/pipeline-schema/valid-pipelines/", import.meta.url);
const schemaText = readFileSync(new URL("../../../packages/pipeline/dist/pipeline-schema.json", import.meta.url), "utf8");

export async function run({ log }) {
  const files = readdirSync(validDir).map((f) => [f, statSync(new URL(f, validDir)).size]);
  files.sort((a, b) => b[1] - a[1]);
  const [file, size] = files[0];
  const text = readFileSync(new URL(file, validDir), "utf8");
  const env = { BUILDKITE_BRANCH: "main", BUILDKITE_COMMIT: "1adf998e39f647b4b25842f107c6ed9d30a3a7c7" };

  // A fresh schema object is compiled afresh (compiled validators are cached per object).
  const compiles = [];
  for (let i = 0; i < 5; i++) {
    const schema = JSON.parse(schemaText);
    const t0 = performance.now();
    checkPipelineSchema({ steps: [] }, { schema });
    compiles.push(performance.now() - t0);
  }
  compiles.sort((a, b) => a - b);
  log(`schema compile (first check with a new schema): median ${compiles[2].toFixed(1)} ms, min ${compiles[0].toFixed(1)} ms, max ${compiles[4].toFixed(1)} ms`);

  const schema = JSON.parse(schemaText);
  const once = () => {
    const { documents } = parsePipeline(text, { filename: file });
    for (const d of documents) {
      const p = interpolatePipeline(d.pipeline, env);
      const warnings = checkPipelineSchema(p, { schema });
      if (warnings.length > 0) throw new Error(`unexpected schema warnings for ${file}`);
    }
  };
  for (let i = 0; i < 200; i++) once(); // warm-up (and the one compile)

  const measure = (label, fn) => {
    const deadline = performance.now() + 1500;
    let n = 0;
    const t0 = performance.now();
    while (performance.now() < deadline) {
      fn();
      n++;
    }
    const ms = performance.now() - t0;
    log(`${label}: ${Math.round((n / ms) * 1000)} ops/s (${((ms / n) * 1000).toFixed(0)} µs/op, ${n} runs)`);
  };
  log(`input: ${file} (${size} bytes, the largest valid example)`);
  measure("parse + interpolate + schema check", once);
  const parsed = parsePipeline(text).documents[0].pipeline;
  measure("schema check only (compiled)", () => checkPipelineSchema(parsed, { schema }));
  measure("parse only", () => parsePipeline(text));
}
