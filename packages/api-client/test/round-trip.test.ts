// The client against the embeddable Agent API server, over a real socket on
// 127.0.0.1: every call the client makes has a server handler that understands it,
// and what the server stores is what the client sent. The two packages were written
// independently from the spec, so this is where a disagreement about the wire
// format shows.
import { readFile } from "node:fs/promises";
import { AgentApiServer } from "@agent/agent-api-server";
import { ApiClient, ApiError, type RegisterRequest } from "../src/index.js";
import { REGISTRATION as PLAIN_REGISTRATION } from "./harness.js";

const REGISTRATION: RegisterRequest = { ...PLAIN_REGISTRATION, name: "round-trip-%spawn", hostname: "localhost", build: "x", tags: ["queue=default"] };

const schemaUrl = new URL("../../../../shared/conformance/pipeline-schema/schema.json", import.meta.url);

let server: AgentApiServer;
let registrar: ApiClient;
const sleeps: number[] = [];
const clients: ApiClient[] = [];

beforeEach(async () => {
  server = new AgentApiServer({ pipelineSchema: JSON.parse(await readFile(schemaUrl, "utf8")) });
  const { endpoint } = await server.listen({ host: "127.0.0.1", port: 0 });
  sleeps.length = 0;
  registrar = track(
    new ApiClient({
      endpoint,
      token: server.registrationToken,
      version: "3.137.0",
      build: "x",
      // Retries sleep for real in production; here they are recorded and skipped.
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    }),
  );
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.close();
});

function track(client: ApiClient): ApiClient {
  clients.push(client);
  return client;
}

async function registeredAgent(): Promise<ApiClient> {
  const registration = await registrar.register(REGISTRATION);
  const agent = track(registrar.fromRegistration(registration));
  await agent.connect();
  return agent;
}

/** Registers, creates a build with one job, pings it out, accepts and starts it. */
async function runningJob(options: { readonly command?: string } = {}) {
  const agent = await registeredAgent();
  const build = server.createBuild({ jobs: [{ command: options.command ?? "echo hello", key: "test", label: "Test" }] });
  const ping = await agent.ping();
  expect(ping.job?.id).toBeDefined();
  const job = await agent.acceptJob(ping.job!.id);
  expect(job.token).not.toBe("");
  const jobClient = track(agent.withToken(job.token!));
  await jobClient.startJob(job.id);
  return { agent, build, job, jobClient };
}

describe("agent session", () => {
  it("register, connect, ping idle, heartbeat, token identity, disconnect", async () => {
    const registration = await registrar.register(REGISTRATION);
    expect(registration.accessToken).not.toBe(server.registrationToken);
    expect(registration.pingInterval).toBeGreaterThanOrEqual(1);
    expect(server.agent(registration.id)?.name).toBeDefined();

    const agent = track(registrar.fromRegistration(registration));
    await agent.connect();
    const ping = await agent.ping();
    expect(ping.action).toBe("idle");
    expect(ping.job).toBeUndefined();

    const beat = await agent.heartbeat();
    const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    expect(beat.sentAt).toMatch(RFC3339);
    expect(beat.receivedAt).toMatch(RFC3339);

    const identity = await agent.tokenIdentity();
    expect(identity.tokenType).toBe("agent");

    await agent.disconnect();
    const routes = server.requests().map((entry) => entry.route);
    expect(routes).toEqual(["agents.register", "agents.connect", "ping", "heartbeat", "token", "agents.disconnect"]);
  });

  it("a registration token is not an agent token, and a wrong one is refused with 401", async () => {
    const stranger = track(new ApiClient({ endpoint: server.endpoint, token: "not-the-token" }));
    await expect(stranger.register(REGISTRATION)).rejects.toMatchObject({ code: "API_HTTP_STATUS", status: 401 });
    const registrationAsAgent = track(registrar.withToken(server.registrationToken));
    await expect(registrationAsAgent.ping()).rejects.toMatchObject({ status: 401 });
  });

  it("pause, resume and stop reach the agent as ping actions", async () => {
    const agent = await registeredAgent();
    await agent.pause({ note: "maintenance", timeoutInMinutes: 5 });
    expect((await agent.ping()).action).toBe("pause");
    await agent.resume();
    expect((await agent.ping()).action).toBe("idle");
    await agent.stop({ force: true });
    expect((await agent.ping()).action).toBe("disconnect");
  });
});

describe("a job from ping to finish", () => {
  it("accept, start, log chunks out of order, header times, state, finish", async () => {
    const { job, jobClient } = await runningJob();
    expect(job.chunksMaxSizeBytes).toBeGreaterThan(0);
    expect(job.env.BUILDKITE_COMMAND).toBe("echo hello");
    expect(await jobClient.getJobState(job.id)).toBe("running");

    // Three uploaders may deliver out of order; the server orders by offset.
    await jobClient.uploadChunk(job.id, { data: Buffer.from("world\n"), sequence: 2, offset: 6 });
    await jobClient.uploadChunk(job.id, { data: Buffer.from("hello\n"), sequence: 1, offset: 0 });
    await jobClient.saveHeaderTimes(job.id, { "0": "2026-11-23T10:00:00.123456789Z" });
    await jobClient.finishJob(job.id, { exitStatus: "-1", signal: "SIGTERM", signalReason: "cancel", chunksFailedCount: 2 });

    expect(await server.jobLog(job.id)).toBe("hello\nworld\n");
    expect(server.chunks(job.id).map((chunk) => chunk.sequence)).toEqual([1, 2]);
    expect(server.job(job.id)).toMatchObject({
      state: "finished",
      exitStatus: -1,
      signal: "SIGTERM",
      signalReason: "cancel",
      chunksFailedCount: 2,
      headerTimes: { "0": "2026-11-23T10:00:00.123456789Z" },
    });
    // Finishing twice is refused as Buildkite does, and the client does not retry a 422.
    await expect(jobClient.finishJob(job.id, { exitStatus: "0", chunksFailedCount: 0 })).rejects.toMatchObject({
      status: 422,
    });
    expect(sleeps).toEqual([]);
  });

  it("a job cancelled on the server is seen by the state poll", async () => {
    const { job, jobClient } = await runningJob();
    server.cancelJob(job.id);
    expect(await jobClient.getJobState(job.id)).toBe("canceling");
  });

  it("job update and promise failure", async () => {
    const { job, jobClient } = await runningJob();
    expect(await jobClient.updateJob(job.id, { timeout: "10" })).toBe(job.id);
    await jobClient.promiseFailure(job.id, { exitStatus: 3, reason: "flaky" });
    expect(server.job(job.id)).toMatchObject({
      updates: { timeout: "10" },
      promisedFailure: { exitStatus: 3, reason: "flaky" },
    });
  });

  it("acquire a job by id", async () => {
    const registration = await registrar.register({ ...REGISTRATION, ignoreInDispatches: true });
    const agent = track(registrar.fromRegistration(registration));
    const build = server.createBuild({ jobs: [{ command: "true" }] });
    const [created] = server.jobs(build.id);
    const job = await agent.acquireJob(created!.id);
    expect(job.id).toBe(created!.id);
    expect(server.job(job.id)?.state).toBe("accepted");
  });
});

describe("in-job calls", () => {
  it("meta-data set, batch, get, exists, keys in job and build scope", async () => {
    const { build, job, jobClient } = await runningJob();
    await jobClient.setMetaData(job.id, { key: "release", value: "v1.2" });
    await jobClient.setMetaDataBatch(job.id, [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    expect(await jobClient.getMetaData({ scope: "job", id: job.id }, "release")).toEqual({ key: "release", value: "v1.2" });
    expect(await jobClient.getMetaData({ scope: "build", id: build.id }, "a")).toEqual({ key: "a", value: "1" });
    expect(await jobClient.metaDataExists({ scope: "job", id: job.id }, "b")).toBe(true);
    expect(await jobClient.metaDataExists({ scope: "job", id: job.id }, "missing")).toBe(false);
    expect((await jobClient.metaDataKeys({ scope: "build", id: build.id })).sort()).toEqual(["a", "b", "release"]);
    await expect(jobClient.getMetaData({ scope: "job", id: job.id }, "missing")).rejects.toMatchObject({ status: 404 });
    expect(server.metaData(build.id)).toEqual({ release: "v1.2", a: "1", b: "2" });
  });

  it("annotations create, append and remove", async () => {
    const { build, job, jobClient } = await runningJob();
    await jobClient.createAnnotation(job.id, { body: "first", context: "report", style: "info" });
    await jobClient.createAnnotation(job.id, { body: " second", context: "report", append: true });
    expect(server.annotations(build.id)).toEqual([expect.objectContaining({ context: "report", body: "first second" })]);
    await jobClient.removeAnnotation(job.id, "report");
    expect(server.annotations(build.id)).toEqual([]);
  });

  it("artifacts: create a batch, upload through the instructions, finish, search", async () => {
    const { build, job, jobClient } = await runningJob();
    const content = Buffer.from("artifact bytes\n");
    const batch = await jobClient.createArtifacts(job.id, {
      artifacts: [
        {
          path: "out/report.txt",
          absolutePath: "/tmp/out/report.txt",
          globPath: "out/*",
          fileSize: content.length,
          sha1sum: "0".repeat(40),
          sha256sum: "0".repeat(64),
        },
      ],
      uploadDestination: "",
    });
    expect(batch.artifactIds).toHaveLength(1);
    const artifactId = batch.artifactIds[0]!;
    const instructions = batch.perArtifactInstructions[artifactId] ?? batch.uploadInstructions;
    expect(instructions).toBeDefined();

    // Buildkite-hosted storage: a form POST of the instruction's data, then the file.
    const form = new FormData();
    for (const [name, value] of Object.entries(instructions!.data)) {
      form.append(name, value.replace("${artifact:path}", "out/report.txt"));
    }
    form.append(instructions!.action.fileInput, new Blob([content]), "report.txt");
    const upload = await fetch(new URL(instructions!.action.path, instructions!.action.url), {
      method: instructions!.action.method,
      body: form,
    });
    expect(upload.ok).toBe(true);

    await jobClient.updateArtifacts(job.id, [{ id: artifactId, state: "finished" }]);
    const found = await jobClient.searchArtifacts(build.id, { query: "out/*", state: "finished" });
    expect(found.map((artifact) => artifact.path)).toEqual(["out/report.txt"]);
    const stored = server.artifacts(build.id)[0]!;
    const chunks: Buffer[] = [];
    for await (const chunk of server.artifactContent(stored.id)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it("pipeline upload: applied asynchronously, its steps become jobs", async () => {
    const { build, job, jobClient } = await runningJob();
    const result = await jobClient.uploadPipeline(job.id, {
      pipeline: { steps: [{ command: "make test", label: "Test" }] },
    });
    expect(result.async).toBe(true);
    expect(server.pipelineUploads(job.id)).toEqual([expect.objectContaining({ uuid: result.uuid })]);
    expect(server.jobs(build.id).map((each) => each.step.command)).toContain("make test");
  });

  it("pipeline upload: an invalid pipeline is rejected with the server's message", async () => {
    const { job, jobClient } = await runningJob();
    const error = await jobClient
      .uploadPipeline(job.id, { pipeline: { steps: [{ command: "x", unknown_but_wrong: { wait: 1 } }], env: 7 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("PIPELINE_REJECTED");
  });

  it("steps get, update and cancel by key", async () => {
    const { build, job, jobClient } = await runningJob();
    await jobClient.updateStep("test", { buildId: build.id, attribute: "label", value: "Renamed" });
    expect(await jobClient.getStep("test", { buildId: build.id, attribute: "label" })).toBe("Renamed");
    expect(await jobClient.cancelStep("test", { buildId: build.id, force: false, forceGracePeriod: 10 })).toBe(
      server.job(job.id)?.step.id,
    );
    expect(server.job(job.id)?.state).toBe("canceling");
  });

  it("build cancel, OIDC token, secrets, repository access token", async () => {
    const { build, job, jobClient } = await runningJob();
    server.setSecret("DEPLOY_KEY", "s3cr3t-value", { buildId: build.id });
    expect(await jobClient.getSecret(job.id, "DEPLOY_KEY")).toMatchObject({ key: "DEPLOY_KEY", value: "s3cr3t-value" });
    await expect(jobClient.getSecret(job.id, "NOPE")).rejects.toMatchObject({ status: 404 });

    const jwt = await jobClient.oidcToken(job.id, { audience: "sts.amazonaws.com" });
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));
    expect(claims.aud).toBe("sts.amazonaws.com");

    expect(await jobClient.repositoryAccessToken(job.id, "https://github.com/acme/app.git")).not.toBe("");
    expect(await jobClient.cancelBuild(build.id)).toBe(build.id);
    expect(await jobClient.getJobState(job.id)).toBe("canceling");
  });

  it("a job token only works for its own job", async () => {
    const first = await runningJob();
    const other = server.createBuild({ jobs: [{ command: "true" }] });
    const [otherJob] = server.jobs(other.id);
    await expect(first.jobClient.setMetaData(otherJob!.id, { key: "k", value: "v" })).rejects.toMatchObject({
      status: 401,
    });
  });
});

describe("faults injected by the server, retried as the real agent retries", () => {
  it("finish retries a burst of 502/503 with the ExpSub(2 s) budget", async () => {
    const { job, jobClient } = await runningJob();
    server.injectFault({ route: "jobs.finish", times: 1, fault: { kind: "status", status: 502 } });
    server.injectFault({ route: "jobs.finish", times: 1, fault: { kind: "status", status: 503 } });
    await jobClient.finishJob(job.id, { exitStatus: "0", chunksFailedCount: 0 });
    // ExpSub(2 s): 2000^(n/16+1) ms, plus jitter 0.5 × [0, 1 s).
    expect(sleeps).toEqual([2000 + 500, Math.trunc(Math.pow(2000, 1 / 16 + 1)) + 500]);
    expect(server.job(job.id)?.state).toBe("finished");
  });

  it("acquire honours Retry-After on 429 and retries 423", async () => {
    const registration = await registrar.register({ ...REGISTRATION, ignoreInDispatches: true });
    const agent = track(registrar.fromRegistration(registration));
    const build = server.createBuild({ jobs: [{ command: "true" }] });
    const [created] = server.jobs(build.id);
    server.injectFault({ route: "jobs.acquire", times: 1, fault: { kind: "status", status: 429, retryAfter: 3 } });
    server.injectFault({ route: "jobs.acquire", times: 1, fault: { kind: "status", status: 423 } });
    const job = await agent.acquireJob(created!.id);
    expect(job.id).toBe(created!.id);
    // Retry-After 3 s replaces the first sleep; then Exponential(2 s) n=1 (2 s) + jitter -1 s + 0.5 × 6 s.
    expect(sleeps).toEqual([3000, 2000 - 1000 + 3000]);
  });

  it("connect retries a dropped connection; accept does not retry a 500", async () => {
    const registration = await registrar.register(REGISTRATION);
    const agent = track(registrar.fromRegistration(registration));
    server.injectFault({ route: "agents.connect", times: 2, fault: { kind: "drop" } });
    await agent.connect();
    expect(sleeps).toEqual([5000, 5000]);

    server.createBuild({ jobs: [{ command: "true" }] });
    const ping = await agent.ping();
    server.injectFault({ route: "jobs.accept", times: 1, fault: { kind: "status", status: 500 } });
    await expect(agent.acceptJob(ping.job!.id)).rejects.toMatchObject({ status: 500 });
    expect(sleeps).toEqual([5000, 5000]);
  });

  it("a chunk is dropped on 429 without a retry", async () => {
    const { job, jobClient } = await runningJob();
    server.injectFault({ route: "chunks.upload", times: 1, fault: { kind: "status", status: 429, retryAfter: 1 } });
    await expect(
      jobClient.uploadChunk(job.id, { data: Buffer.from("x"), sequence: 1, offset: 0 }),
    ).rejects.toMatchObject({ status: 429 });
    expect(sleeps).toEqual([]);
  });

  it("a malformed ping body and an HTML error page are typed errors, not crashes", async () => {
    const agent = await registeredAgent();
    server.injectFault({ route: "ping", times: 1, fault: { kind: "malformed" } });
    await expect(agent.ping()).rejects.toMatchObject({ code: "API_BAD_RESPONSE" });
    server.injectFault({ route: "ping", times: 1, fault: { kind: "html", status: 502 } });
    const error = (await agent.ping().catch((caught: unknown) => caught)) as ApiError;
    expect(error.code).toBe("API_HTTP_STATUS");
    expect(error.status).toBe(502);
    expect(error.message).not.toContain("\n");
  });
});
