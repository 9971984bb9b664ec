// The README's main job: the embeddable Agent API server on 127.0.0.1 with a
// small build, the real `buildkite-agent start` against it, and a summary of
// each job's outcome and log. No account, no network beyond loopback.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AgentApiServer } from "@agent/agent-api-server";

const AGENT = fileURLToPath(new URL("../../apps/agent/bin/buildkite-agent", import.meta.url));
const SECRET = "hunter2-correct-horse-battery";
// How long the agent gets to stop after SIGTERM: its cancel grace period (10 s) + 1 s, and some slack.
const STOP_GRACE_MS = 15_000;
const work = mkdtempSync(path.join(tmpdir(), "bk-main-job-"));

const server = new AgentApiServer({ registrationToken: "local-registration-token" });
const { endpoint } = await server.listen({ host: "127.0.0.1", port: 0 });
const build = server.createBuild({ pipelineSlug: "demo", repo: "", branch: "main", commit: "HEAD", message: "Main job demo" });
const env = { BUILDKITE_SKIP_CHECKOUT: "true", BUILDKITE_REPO: "https://example.invalid/demo.git" };
// A pipeline secret: the job fetches it from the server, exports and redacts it.
server.setSecret("deploy/token", SECRET, { buildId: build.id });
const jobs = [
  server.createJob(build.id, {
    label: "passes, with a secret",
    command: 'echo "--- :wave: Hello from $BUILDKITE_LABEL"\necho "the deploy token is $DEPLOY_TOKEN"\nuname -sm',
    env,
    secrets: { DEPLOY_TOKEN: "deploy/token" },
  }),
  server.createJob(build.id, { label: "fails", command: 'echo "+++ running tests"\necho "1 test failed" >&2\nexit 3', env }),
  server.createJob(build.id, {
    label: "cancelled mid-run",
    command: 'echo "--- a long job"\ntrap \'echo "got SIGTERM, cleaning up"; exit 130\' TERM\nsleep 60 & wait',
    env,
  }),
];

// Cancel the third job once it is running.
const cancelled = jobs[2];
server.onEvent((event) => {
  if (event.type !== "job.started" || event.jobId !== cancelled.id) return;
  setTimeout(() => {
    if (server.job(cancelled.id).state === "running") server.cancelJob(cancelled.id);
  }, 1500);
});

console.log(`Agent API server on ${endpoint}; build ${build.id} with ${jobs.length} jobs\n`);
const agent = spawn(
  process.execPath,
  [AGENT, "start", "--endpoint", endpoint, "--token", "local-registration-token", "--name", "main-job-%spawn",
    "--build-path", path.join(work, "builds"), "--sockets-path", path.join(work, "s"), "--disconnect-after-idle-timeout", "5",
    "--no-color"],
  { stdio: ["ignore", "inherit", "inherit"], env: { PATH: process.env.PATH, HOME: work } },
);
const agentExit = new Promise((resolve) => {
  agent.on("exit", (code, signal) => resolve({ code, signal }));
  agent.on("error", (error) => resolve({ code: null, signal: null, error }));
});
// An agent that dies before the jobs are done fails the run at once, not after the deadline.
const agentDied = agentExit.then(({ code, signal, error }) => {
  throw Object.assign(new Error(`the agent exited early with ${error ? error.message : (signal ?? code)}`), { agentExitCode: code });
});
agentDied.catch(() => {});

const deadline = AbortSignal.timeout(120_000);
let exitCode = 0;
try {
  for (const job of jobs) {
    // The wait comes first: a job that finished before the agent exited still counts.
    await Promise.race([server.waitForEvent("job.finished", { match: (e) => e.jobId === job.id, signal: deadline }), agentDied]);
  }
  console.log("\n==================== summary ====================");
  for (const job of jobs) {
    const state = server.job(job.id);
    const log = await server.jobLog(job.id);
    // Strip the ANSI timestamps the agent adds to every line, for reading.
    const readable = log.replace(/\x1b_bk;t=\d+\x07/g, "").replace(/\x1b\[[0-9;]*m/g, "");
    console.log(`\n## ${state.step.label}: ${state.state}, exit status ${state.exitStatus}` +
      `${state.signal ? `, signal ${state.signal}` : ""}${state.signalReason ? ` (${state.signalReason})` : ""}`);
    console.log(readable.trimEnd().split("\n").map((line) => `   ${line}`).join("\n"));
    if (log.includes(SECRET)) {
      console.error("!! the secret reached the log");
      exitCode = 1;
    }
  }
  const [passed, failed, cancelledJob] = jobs.map((job) => server.job(job.id));
  const expected = passed.exitStatus === 0 && failed.exitStatus === 3 && cancelledJob.signalReason === "cancel";
  if (!expected) {
    console.error("!! a job did not end as expected");
    exitCode = 1;
  }
  console.log(`\nsecret redacted: ${!(await server.jobLog(jobs[0].id)).includes(SECRET)}`);
} catch (error) {
  console.error(`main job failed: ${error.message}`);
  exitCode = error.agentExitCode ? error.agentExitCode : 1;
} finally {
  if (agent.exitCode === null && agent.signalCode === null) {
    agent.kill("SIGTERM");
    let timer;
    const gaveUp = new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS, "timeout")));
    if ((await Promise.race([agentExit, gaveUp])) === "timeout") {
      console.error(`!! the agent did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM; killing it`);
      agent.kill("SIGKILL");
      exitCode = 1;
    }
    clearTimeout(timer);
  }
  const { code, signal } = await agentExit;
  console.log(`agent exited with ${signal ?? code}`);
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
