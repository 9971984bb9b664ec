// Executor overhead: wall time of `buildkite-agent bootstrap --phases command`
// running `true`, with no hooks (target < 200 ms) and with 10 env-exporting
// agent hooks (target < 1 s), beside `bash -c true` and `node -e ''` measured
// in the same run so the figures can be read against this machine's speed.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const name = "bootstrap";

const AGENT = fileURLToPath(new URL("../../../apps/agent/bin/buildkite-agent", import.meta.url));
const RUNS = 15;
// Hook names that run with --phases command, in each of five agent hooks dirs: ten hooks.
const HOOK_NAMES = ["environment", "pre-command"];
const HOOK_DIRS = ["hooks", "a1", "a2", "a3", "a4"];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(file, args, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(" ")} exited ${result.status ?? result.signal}: ${result.stdout}${result.stderr}`);
  }
  return { ms, stdout: result.stdout.toString("utf8") };
}

function measure(file, args, env) {
  time(file, args, env); // warm-up (page cache, first compile)
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(time(file, args, env).ms);
  return median(runs);
}

export async function run({ log }) {
  const root = mkdtempSync(path.join(tmpdir(), "bench-bs-"));
  try {
    const dirs = Object.fromEntries(
      ["home", "builds", ...HOOK_DIRS, "empty", "plugins", "s"].map((d) => [d, path.join(root, d)]),
    );
    for (const dir of Object.values(dirs)) mkdirSync(dir);
    let n = 0;
    for (const dir of HOOK_DIRS.map((d) => dirs[d])) {
      for (const hook of HOOK_NAMES) {
        n += 1;
        writeFileSync(path.join(dir, hook), `#!/bin/bash\nexport BENCH_VAR_${n}=value-${n}\n`, { mode: 0o755 });
      }
    }
    const base = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dirs.home,
      BUILDKITE_JOB_ID: "bench-job",
      BUILDKITE_REPO: "/nonexistent/repo.git",
      BUILDKITE_COMMIT: "HEAD",
      BUILDKITE_BRANCH: "main",
      BUILDKITE_AGENT_NAME: "bench",
      BUILDKITE_ORGANIZATION_SLUG: "acme",
      BUILDKITE_PIPELINE_SLUG: "app",
      BUILDKITE_PIPELINE_PROVIDER: "git",
      BUILDKITE_BUILD_PATH: dirs.builds,
      BUILDKITE_SOCKETS_PATH: dirs.s,
      BUILDKITE_PLUGINS_PATH: dirs.plugins,
      BUILDKITE_BOOTSTRAP_PHASES: "command",
      BUILDKITE_PTY: "false",
      BUILDKITE_COMMAND: "true",
    };
    const bash = measure("bash", ["-c", "true"], base);
    const node = measure(process.execPath, ["-e", ""], base);
    const noHooks = measure(process.execPath, [AGENT, "bootstrap"], { ...base, BUILDKITE_HOOKS_PATH: dirs.empty });
    const hooksEnv = { ...base, BUILDKITE_HOOKS_PATH: dirs.hooks, BUILDKITE_ADDITIONAL_HOOKS_PATHS: HOOK_DIRS.slice(1).map((d) => dirs[d]).join(",") };
    // Count the hooks that actually ran, so the per-hook figure is honest.
    const check = time(process.execPath, [AGENT, "bootstrap"], hooksEnv);
    const ran = (check.stdout.match(/~~~ Running agent [a-z-]+ hook/g) ?? []).length;
    const withHooks = measure(process.execPath, [AGENT, "bootstrap"], hooksEnv);
    log(`median of ${RUNS} after a warm-up`);
    log(`bash -c true:                          ${bash.toFixed(1)} ms`);
    log(`node -e '':                            ${node.toFixed(1)} ms`);
    log(`bootstrap --phases command, no hooks:  ${noHooks.toFixed(1)} ms (target < 200 ms)`);
    log(`bootstrap with ${ran} exporting hooks:     ${withHooks.toFixed(1)} ms (target < 1000 ms)`);
    log(`per hook:                              ${((withHooks - noHooks) / ran).toFixed(1)} ms`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
