// Start-up cost of the CLI, which every in-job command (meta-data, annotate...)
// pays: wall time and peak RSS of `buildkite-agent --version` and `--help`,
// beside `node -e ''` measured in the same run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const name = "CLI start-up";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, "../../../apps/agent/bin/buildkite-agent");
const RUNS = 15;

function measure(args) {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "rss");
  const times = [];
  let rssKb = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ["-r", path.join(here, "report-rss.cjs"), ...args], {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, BENCH_RSS_FILE: rssFile },
      });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
      rssKb = Math.max(rssKb, Number(fs.readFileSync(rssFile, "utf8")));
    }
  } finally {
    fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], rssMb: rssKb / 1024 };
}

export async function run({ log }) {
  for (const [label, args] of [
    ["node -e ''", ["-e", ""]],
    ["buildkite-agent --version", [bin, "--version"]],
    ["buildkite-agent --help", [bin, "--help"]],
    ["buildkite-agent start --help", [bin, "start", "--help"]],
  ]) {
    const { median, rssMb } = measure(args);
    log(`${label.padEnd(30)} median ${median.toFixed(1).padStart(6)} ms over ${RUNS} runs, peak RSS ${rssMb.toFixed(1)} MB`);
  }
}
