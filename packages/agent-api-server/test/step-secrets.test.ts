import { AgentApiServerError } from "../src/index.js";
import { call, loadPipelineSchema, registerAgent, runningJob, startServer } from "./harness.js";

const schema = loadPipelineSchema();

/** The step object of the next job an agent gets, as the accept answer carries it. */
async function acceptedStep(endpoint: string): Promise<Record<string, unknown>> {
  const agent = await registerAgent(endpoint);
  const ping = await call(endpoint, "GET", "ping", { token: agent.token });
  const accept = await call(endpoint, "PUT", `jobs/${ping.json.job.id as string}/accept`, { token: agent.token });
  return accept.json.step as Record<string, unknown>;
}

describe("step secrets and cache in the job payload", () => {
  it.each([
    ["a list of keys", ["API_TOKEN"], [{ key: "API_TOKEN", environment_variable: "API_TOKEN" }]],
    ["a map of env var to key", { DEPLOY: "deploy/key" }, [{ key: "deploy/key", environment_variable: "DEPLOY" }]],
    ["objects, one only redacted", [{ key: "a" }, { key: "b", environment_variable: "B" }], [{ key: "a" }, { key: "b", environment_variable: "B" }]],
  ])("createJob takes %s", async (_name, secrets, expected) => {
    const { server, endpoint } = await startServer();
    server.createBuild({ jobs: [{ command: "x", secrets, cache: { paths: ["node_modules"] } }] });
    const step = await acceptedStep(endpoint);
    expect(step["secrets"]).toEqual(expected);
    expect(step["cache"]).toEqual({ paths: ["node_modules"] });
  });

  it("a step without secrets or cache sends neither", async () => {
    const { server, endpoint } = await startServer();
    server.createBuild({ jobs: [{ command: "x" }] });
    const step = await acceptedStep(endpoint);
    expect(step).not.toHaveProperty("secrets");
    expect(step).not.toHaveProperty("cache");
  });

  it.each([
    [[""], /entry 0 needs a non-empty "key"/],
    [{ A: 1 }, /the key for A must be a non-empty string/],
    ["API", /must be a list of keys/],
  ])("createJob refuses the secrets %j, naming the problem", async (secrets, message) => {
    const { server } = await startServer();
    const build = server.createBuild();
    const attempt = () => server.createJob(build.id, { command: "x", secrets });
    expect(attempt).toThrow(AgentApiServerError);
    expect(attempt).toThrow(message);
  });

  it("a pipeline upload merges pipeline secrets into each step's, the step's winning for the same env var", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = {
      secrets: { SHARED: "org/shared", TOKEN: "org/token" },
      steps: [{ command: "a", secrets: { TOKEN: "step/token" } }, { command: "b" }],
    };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "s", pipeline } });
    expect(answer.json).toMatchObject({ state: "applied" });
    const [first, second] = server.jobs(buildId).filter((j) => j.id !== job.id);
    expect(first!.step.secrets).toEqual([
      { key: "step/token", environmentVariable: "TOKEN" },
      { key: "org/shared", environmentVariable: "SHARED" },
    ]);
    expect(second!.step.secrets).toEqual([
      { key: "org/shared", environmentVariable: "SHARED" },
      { key: "org/token", environmentVariable: "TOKEN" },
    ]);
  });

  it("an upload whose step names an empty secret is rejected whole", async () => {
    const { server, endpoint } = await startServer({ pipelineSchema: schema });
    const { job, buildId } = await runningJob(server, endpoint);
    const pipeline = { steps: [{ command: "a" }, { command: "b", secrets: [""] }] };
    const answer = await call(endpoint, "POST", `jobs/${job.id}/pipelines`, { token: job.token, body: { uuid: "e", pipeline } });
    expect(answer.status).toBe(422);
    expect((answer.json as { message: string }).message).toMatch(/secrets: entry 0 needs a non-empty "key"/);
    expect(server.jobs(buildId)).toHaveLength(1);
  });
});
