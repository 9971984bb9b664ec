import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { call, loadPipelineSchema, PIPELINE_SCHEMA_DIR, runningJob, startServer } from "./harness.js";

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

  it("rejects an invalid synchronous upload with 422 and a message, creating no jobs", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job, buildId } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, {
      token: job.token,
      body: { uuid: "bad", pipeline: { steps: [{ command: "x", timeout_in_minutes: "soon" }] } },
    });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: expect.stringMatching(/^Pipeline is invalid: \/steps\/0/) });
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
