#!/usr/bin/env node
// Runs the benchmarks under tools/bench/benchmarks/ (each a module exporting
// `name` and `run({ log })`) and prints their figures. Benchmarks print numbers;
// they never fail on a target, because timing on a shared 2-core machine is noise
// for a test but a useful figure for a report.
//
// Usage: pnpm bench [name-filter]
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, "benchmarks");
const filter = process.argv[2] ?? "";
const files = (await readdir(dir)).filter((file) => file.endsWith(".mjs") && file.includes(filter)).sort();
if (files.length === 0) {
  console.error(`bench: no benchmark matches "${filter}" in ${dir}`);
  process.exit(1);
}
for (const file of files) {
  const benchmark = await import(pathToFileURL(path.join(dir, file)).href);
  console.log(`## ${benchmark.name ?? file}`);
  const started = process.hrtime.bigint();
  await benchmark.run({ log: (line) => console.log(`  ${line}`) });
  console.log(`  (${Number(process.hrtime.bigint() - started) / 1e6} ms in all)`);
}
