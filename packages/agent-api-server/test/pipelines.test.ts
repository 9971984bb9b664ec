import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { call, loadPipelineSchema, PIPELINE_SCHEMA_DIR, registerAgent, runningJob, startServer } from "./harness.js";

const schema = loadPipelineSchema();
const VALID_DIR = new URL("valid-pipelines/", PIPELINE_SCHEMA_DIR);
const validFiles = readdirSync(VALID_DIR).filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"));

describe("pipeline upload", () => {
  it("finds the conformance pipelines", () => {
    expect(validFiles.length).toBeGreaterThanOrEqual(12);
  });

  it.each(validFiles)("accepts the valid pipeline %s against Buildkite's schema", async (file) => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job } = await runningJob(server, endpoint);
    // merge: true because Buildkite's YAML parser honours `<<` merge keys (extra-properties.yml uses one).
    const pipeline = parse(readFileSync(new URL(file, VALID_DIR), "utf8"), { merge: true });
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: `u-${file}`, pipeline } });
    expect(answer.json).toEqual({ uuid: `u-${file}`, state: "applied", message: "" });
    expect(answer.status).toBe(201);
  });

  it("applies a synchronous upload: steps become jobs with env, keys, plugins, waits and fan-out", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = {
      env: { GLOBAL: "1" },
      steps: [
        { command: "make build", key: "build", label: "Build", env: { LOCAL: "2" }, plugins: ["docker#v5.12.0"] },
        "wait",
        { commands: ["a", "b"], label: "Test {{matrix}}", matrix: ["x", "y"] },
        { command: "shard", parallelism: 2, depends_on: "build", agents: { queue: "big" } },
        { group: "g", steps: [{ command: "in group" }] },
        { block: "Deploy?" },
        { trigger: "other-pipeline" },
        { command: "skipped", skip: true },
      ],
    };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "u1", pipeline } });
    expect(answer.status).toBe(201);
    const created = server.jobs(buildId).filter((j) => j.pipelineUploadUuid === "u1");
    expect(created.map((j) => [j.step.command, j.step.label ?? null])).toEqual([
      ["make build", "Build"],
      ["a\nb", "Test x"],
      ["a\nb", "Test y"],
      ["shard", null],
      ["shard", null],
      ["in group", null],
    ]);
    const [build, testX, , shard0, shard1, grouped] = created;
    expect(build!.step).toMatchObject({ key: "build", env: { GLOBAL: "1", LOCAL: "2" } });
    expect(build!.step.plugins).toEqual([{ "github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0": null }]);
    expect(testX!.dependsOn).toEqual([build!.id]);
    expect(shard0!.dependsOn).toEqual([build!.id]);
    expect([shard0!.parallelJob, shard1!.parallelJob, shard1!.parallelJobCount]).toEqual([0, 1, 2]);
    expect(shard0!.step.agents).toEqual(["queue=big"]);
    expect(grouped!.dependsOn).toEqual([build!.id]);
    expect(server.pipelineUploads(job.id)).toMatchObject([{ uuid: "u1", state: "applied", jobIds: created.map((j) => j.id) }]);
  });

  // Regression: matrix values were interpolated only into command, label, name and
  // env, so plugin config kept `{{matrix…}}` in the job's BUILDKITE_PLUGINS, and a
  // dimension name with a dot never matched its token.
  it("interpolates each matrix combination into the job's plugins, env, label and command", async () => {
    const { server, endpoint } = await startServer();
    const { job, agent } = await runningJob(server, endpoint);
    const pipeline = {
      steps: [
        {
          label: "{{matrix.os.name}} {{ matrix.arch }}",
          command: "build --arch {{matrix.arch}}",
          env: { ARCH: "{{matrix.arch}}" },
          plugins: [{ "docker#v5.12.0": { image: "node:{{matrix.arch}}", platform: "{{matrix.os.name}}" } }],
          matrix: { setup: { "os.name": ["linux"], arch: ["amd64", "arm64"] } },
        },
      ],
    };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "m-1", pipeline } });
    expect(answer.status).toBe(201);
    const finish = { exit_status: "0", finished_at: "2026-08-20T01:05:00Z", chunks_failed_count: 0 };
    expect((await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: finish })).status).toBe(200);
    const seen: Record<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      const ping = await call(endpoint, "GET", "ping", { token: agent.token });
      const next = ping.json.job.id as string;
      const accept = await call(endpoint, "PUT", `jobs/${next}/accept`, { token: agent.token });
      seen.push(accept.json.env);
      const nextToken = server.job(next)!.token;
      expect((await call(endpoint, "PUT", `jobs/${next}/start`, { token: nextToken, body: {} })).status).toBe(200);
      expect((await call(endpoint, "PUT", `jobs/${next}/finish`, { token: nextToken, body: finish })).status).toBe(200);
    }
    expect(seen.map((env) => [env["BUILDKITE_LABEL"], env["BUILDKITE_COMMAND"], env["ARCH"], JSON.parse(env["BUILDKITE_PLUGINS"]!)])).toEqual(
      ["amd64", "arm64"].map((arch) => [
        `linux ${arch}`,
        `build --arch ${arch}`,
        arch,
        [{ "github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0": { image: `node:${arch}`, platform: "linux" } }],
      ]),
    );
  });

  it("rejects a matrix token naming no dimension, without logging a server error", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };
    const { server, endpoint } = await startServer({ logger });
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = { steps: [{ command: "echo {{matrix.nope}}", matrix: ["a", "b"] }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "m-2", pipeline } });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: "Pipeline could not be applied: unknown matrix tokens in input: matrix.nope" });
    expect(server.jobs(buildId)).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it("rejects an invalid synchronous upload with 422 and a message, creating no jobs", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job, buildId } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, {
      token: job.token,
      body: { uuid: "bad", pipeline: { steps: [{ command: "x", timeout_in_minutes: "soon" }] } },
    });
    expect(answer.status).toBe(422);
    // The path as @agent/pipeline's checkPipelineSchema names it (was a JSON pointer, /steps/0/…).
    expect(answer.json).toEqual({ message: "Pipeline is invalid: steps[0].timeout_in_minutes must be integer" });
    expect(server.jobs(buildId)).toHaveLength(1);
  });

  it("applies an async upload: 202 with Location and Retry-After, then pending, processing, applied", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job, buildId } = await runningJob(server, endpoint);
    const body = { uuid: "a-1", pipeline: { steps: [{ command: "echo hi" }] } };
    const upload = await call(endpoint, "POST", `jobs/${job.id}/pipelines?async=true`, {
      token: job.token,
      headers: { "X-Buildkite-Backoff-Sequence": "0" },
      body,
    });
    expect(upload.status).toBe(202);
    expect(upload.headers.get("location")).toBe(`jobs/${job.id}/pipelines/a-1`);
    expect(upload.headers.get("retry-after")).toBe("1");
    // Retrying the same uuid is idempotent.
    expect((await call(endpoint, "POST", `jobs/${job.id}/pipelines?async=true`, { token: job.token, body })).status).toBe(202);
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const poll = await call(endpoint, "GET", `jobs/${job.id}/pipelines/a-1`, { token: job.token });
      states.push(poll.json.state);
    }
    expect(states).toEqual(["pending", "processing", "applied"]);
    expect(server.jobs(buildId).map((j) => j.step.command)).toEqual(["make test", "echo hi"]);
    expect(server.pipelineUploads()).toHaveLength(1);
  });

  it("rejects an invalid async upload at the poll with the reason", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema, asyncPipelinePolls: 0 });
    const { job } = await runningJob(server, endpoint);
    await call(endpoint, "POST", `jobs/${job.id}/pipelines?async=true`, { token: job.token, body: { uuid: "r-1", pipeline: { steps: "nope" } } });
    const poll = await call(endpoint, "GET", `jobs/${job.id}/pipelines/r-1`, { token: job.token });
    expect(poll.json).toEqual({ uuid: "r-1", state: "rejected", message: expect.stringContaining("steps") });
    expect(await server.waitForEvent("pipeline.rejected", { signal: AbortSignal.timeout(1000) })).toMatchObject({ uuid: "r-1" });
    expect((await call(endpoint, "GET", `jobs/${job.id}/pipelines/unknown`, { token: job.token })).status).toBe(404);
  });

  // The schema is compiled at the first upload that needs it (compiling in every
  // constructor cost ~80 ms per server): a broken schema shows there, as a rejection
  // the uploader can read and an error for the embedder.
  it("compiles the schema lazily: a broken one rejects the upload and logs an error", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };
    const { server, endpoint } = await startServer({ pipelineSchema: { type: "no-such-type" }, logger });
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "s-1", pipeline: { steps: [] } } });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: expect.stringMatching(/^Pipeline could not be applied: pipelineSchema does not compile/) });
    expect(errors).toEqual(["applying a pipeline upload failed"]);
  });

  it("checks only for a steps list when no schema is configured", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const loose = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, {
      token: job.token,
      body: { uuid: "l-1", pipeline: { steps: [{ command: "x", timeout_in_minutes: "soon" }] } },
    });
    expect(loose.status).toBe(201);
    const noSteps = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "l-2", pipeline: { env: {} } } });
    expect(noSteps.status).toBe(422);
  });

  it("replace cancels the build's jobs not yet handed out", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const pending = server.createJob(buildId, { command: "old" });
    await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "p", pipeline: { steps: [{ command: "new" }] }, replace: true } });
    expect(server.job(pending.id)?.state).toBe("canceled");
    expect(server.job(job.id)?.state).toBe("running");
  });
});

describe("pipeline upload: applied whole or not at all", () => {
  // Regression: jobs were created step by step while the matrix was applied, so an
  // upload rejected at its second step kept the first step's job, and `replace` had
  // already cancelled the build's queued jobs.
  it.each([false, true])("a bad matrix token in the second step creates no job and cancels nothing (replace: %s)", async (replace) => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    server.createJob(buildId, { command: "queued" });
    const pipeline = { steps: [{ command: "first" }, { command: "echo {{matrix.nope}}", matrix: ["a", "b"] }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "w-1", pipeline, replace } });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: "Pipeline could not be applied: unknown matrix tokens in input: matrix.nope" });
    expect(server.jobs(buildId).map((j) => [j.step.command, j.state])).toEqual([
      ["make test", "running"],
      ["queued", "scheduled"],
    ]);
  });

  // Regression: plugins that were neither strings nor maps were dropped silently and
  // the job ran without them.
  it("rejects plugins of a shape go-pipeline refuses, as the pipeline's problem", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };
    const { server, endpoint } = await startServer({ logger });
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = { steps: [{ command: "ok" }, { command: "x", plugins: [1] }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "pl-1", pipeline } });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: expect.stringMatching(/^Pipeline could not be applied: plugins: unmarshaling plugins: plugin type/) });
    expect(server.jobs(buildId)).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

describe("pipeline upload: step kinds as go-pipeline infers them", () => {
  // Regression: `manual` steps were not barriers, a `script:` key made a command
  // step, and `type` was read after the keys.
  it.each([
    ["the manual scalar", "manual"],
    ["a manual: step", { manual: "Deploy?" }],
    ["type: manual", { type: "manual", prompt: "Deploy?" }],
    ["an input: step", { input: "Details" }],
    ["type: waiter", { type: "waiter" }],
  ])("%s makes later steps wait for earlier ones", async (_name, barrier) => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = { steps: [{ command: "before" }, barrier, { command: "after" }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "k-1", pipeline } });
    expect(answer.status).toBe(201);
    const [before, after] = server.jobs(buildId).filter((j) => j.pipelineUploadUuid === "k-1");
    expect(after!.dependsOn).toEqual([before!.id]);
  });

  it.each([
    ["a script: key is not a command step", { script: "echo" }, []],
    ["type: script is a command step", { type: "script", command: "echo" }, ["echo"]],
    ["type wins over the keys", { type: "trigger", command: "echo" }, []],
    ["the schema's nested command form", { script: { command: "nested", label: "N" } }, ["nested"]],
  ])("%s", async (_name, step, commands) => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "k-2", pipeline: { steps: [step] } } });
    expect(answer.status).toBe(201);
    expect(server.jobs(buildId).filter((j) => j.pipelineUploadUuid === "k-2").map((j) => j.step.command)).toEqual(commands);
  });
});

describe("pipeline upload: one step id per pipeline step", () => {
  // Regression: each parallel or matrix copy got its own step id, so BUILDKITE_STEP_ID
  // differed between copies and `step update <id>` relabelled only one of them.
  it("shares the step id across parallel and matrix copies, and step update by id relabels them all", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = { steps: [{ command: "t {{matrix}}", matrix: ["a", "b"], parallelism: 2 }, { command: "other" }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "s-1", pipeline } });
    expect(answer.status).toBe(201);
    const created = server.jobs(buildId).filter((j) => j.pipelineUploadUuid === "s-1");
    expect(created).toHaveLength(5);
    const copies = created.slice(0, 4);
    const stepId = copies[0]!.step.id;
    expect(new Set(copies.map((j) => j.step.id))).toEqual(new Set([stepId]));
    expect(created[4]!.step.id).not.toBe(stepId);

    const agent = await registerAgent(endpoint);
    const ping = await call(endpoint, "GET", "ping", { token: agent.token });
    expect(ping.json.job.env.BUILDKITE_STEP_ID).toBe(stepId);

    const update = await call(endpoint, "PUT", `steps/${stepId}`, { token: job.token, body: { attribute: "label", value: "Relabelled" } });
    expect(update.status).toBe(200);
    expect(server.jobs(buildId).filter((j) => j.step.id === stepId).map((j) => j.step.label)).toEqual(Array(4).fill("Relabelled"));
    expect(server.job(created[4]!.id)?.step.label).toBeUndefined();
  });
});

describe("pipeline upload: hostile pipelines are rejected, never fanned out", () => {
  // Regression: a 60-byte upload with parallelism 3e7 blocked the event loop for a
  // minute and then killed the process (heap out of memory).
  it.each([
    ["huge parallelism", { steps: [{ command: "x", parallelism: 3e7 }] }, /more than 1000 jobs/],
    ["too many jobs in all", { steps: Array.from({ length: 11 }, () => ({ command: "x", parallelism: 100 })) }, /more than 1000 jobs/],
    [
      "a matrix with too many dimensions",
      { steps: [{ command: "x", matrix: { setup: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`d${i}`, Array.from({ length: 10 }, (_, j) => j)])) } }] },
      /at most 6 dimensions/,
    ],
  ])("%s", async (_name, pipeline, message) => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const before = server.jobs(buildId).length;
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "big", pipeline } });
    expect(answer.status).toBe(422);
    expect((answer.json as { message: string }).message).toMatch(message);
    expect(server.jobs(buildId)).toHaveLength(before);
  });

  // Regression: `agents: null` threw a TypeError, so every status poll answered 500.
  it("a step with `agents: null` is applied with no agent rules", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const pipeline = { agents: null, steps: [{ command: "x", agents: null }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "n", pipeline } });
    expect(answer.json).toMatchObject({ state: "applied" });
  });

  // Regression: the uuid is echoed in Location; CR/LF in it made writeHead throw and
  // the request ended with no answer at all.
  it.each(["a\r\nX-Evil: 1", "ü", "x".repeat(65), ""])("refuses the uuid %j with a 422", async (uuid) => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines?async=true`, {
      token: job.token,
      body: { uuid, pipeline: { steps: [] } },
    });
    expect(answer.status).toBe(422);
    expect(server.pipelineUploads(job.id)).toEqual([]);
  });
});
