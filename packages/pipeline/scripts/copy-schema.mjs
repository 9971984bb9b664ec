// Copies the Buildkite pipeline JSON schema (and its licence) from the shared conformance
// data into dist/, where checkPipelineSchema loads it at run time. The schema is not kept
// in this repository; the build fails loudly when the shared copy is missing.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";

const from = new URL("../../../../shared/conformance/pipeline-schema/", import.meta.url);
const to = new URL("../dist/", import.meta.url);
const files = [
  ["schema.json", "pipeline-schema.json"],
  ["LICENSE", "pipeline-schema.LICENSE"],
];

mkdirSync(to, { recursive: true });
for (const [source, target] of files) {
  const src = new URL(source, from);
  if (!existsSync(src)) {
    console.error(`copy-schema: ${src.pathname} is missing; the pipeline schema comes from ../shared/conformance/pipeline-schema/ (is the shared directory checked out?)`);
    process.exit(1);
  }
  copyFileSync(src, new URL(target, to));
}
