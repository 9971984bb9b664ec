import { call, registerAgent, startServer } from "./harness.js";

describe("register", () => {
  it("issues an agent access token and the configured intervals", async () => {
    const { server, endpoint } = await startServer({ intervals: { ping: 2, jobStatus: 3, heartbeat: 4 } });
    const answer = await call(endpoint, "POST", "register", {
      token: "reg-token",
      body: {
        name: "ci-%pid-%hostname",
        hostname: "ci-1",
        os: "Linux",
        arch: "amd64",
        script_eval_enabled: true,
        ignore_in_dispatches: false,
        version: "3.137.0",
        build: "9001",
        meta_data: ["queue=default", "os=linux"],
        pid: 4242,
        features: ["control-plane-otlp-tracing"],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "ci-4242-ci-1",
      access_token: expect.stringMatching(/^bkaa_/),
      endpoint,
      request_headers: {},
      ping_interval: 2,
      job_status_interval: 3,
      heartbeat_interval: 4,
      meta_data: ["queue=default", "os=linux"],
    });
    expect(server.agent(answer.json.id)?.connectionState).toBe("registered");
    expect(server.events().map((e) => e.type)).toContain("agent.registered");
  });

  it.each([
    ["no Authorization header", undefined],
    ["a wrong registration token", "nope"],
  ])("answers 401 with a message for %s", async (_name, token) => {
    const { endpoint } = await startServer();
    const answer = await call(endpoint, "POST", "register", { token, body: { name: "a" } });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ message: expect.any(String) });
  });

  it("does not take an agent token where the registration token is required", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    expect((await call(endpoint, "POST", "register", { token, body: {} })).status).toBe(401);
  });

  it("rejects intervals below one second at construction", async () => {
    const { AgentApiServer } = await import("../src/index.js");
    expect(() => new AgentApiServer({ intervals: { ping: 0 } })).toThrow(expect.objectContaining({ code: "SERVER_OPTION_INVALID" }));
  });
});

describe("agent session", () => {
  it("connects, heartbeats with sent_at echoed and received_at added, disconnects", async () => {
    const { server, endpoint } = await startServer();
    const { id, token } = await registerAgent(endpoint);
    expect(server.agent(id)?.connectionState).toBe("connected");
    const beat = await call(endpoint, "POST", "heartbeat", { token, body: { sent_at: "2026-08-20T03:04:05.123456789+02:00" } });
    expect(beat.status).toBe(200);
    expect(beat.json).toEqual({ sent_at: "2026-08-20T03:04:05.123456789+02:00", received_at: expect.stringMatching(/Z$/) });
    expect((await call(endpoint, "POST", "heartbeat", { token, body: {} })).status).toBe(422);
    const bye = await call(endpoint, "POST", "disconnect", { token });
    expect(bye.status).toBe(200);
    expect(server.agent(id)?.connectionState).toBe("disconnected");
  });

  it("answers idle pings with no job", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    const ping = await call(endpoint, "GET", "ping", { token });
    expect(ping.json).toEqual({ action: "idle", message: "" });
  });

  it("hands a job out on ping, with its env, step and job token, then re-offers it until accepted", async () => {
    const { server, endpoint } = await startServer();
    const build = server.createBuild({
      pipelineSlug: "app",
      repo: "git@github.com:acme/app.git",
      commit: "abc123",
      branch: "main",
      env: { FROM_BUILD: "b" },
    });
    const created = server.createJob(build.id, {
      command: ["make", "make test"],
      key: "test",
      label: ":test_tube: Test",
      env: { FROM_STEP: "s" },
      plugins: [{ "docker#v5.12.0": { image: "node:20" } }, "shellcheck#v1.3.0"],
    });
    const { id: agentId, token } = await registerAgent(endpoint, { name: "ci-1", meta_data: ["queue=default", "os=linux"] });
    const ping = await call(endpoint, "GET", "ping", { token });
    expect(ping.status).toBe(200);
    expect(ping.json.job).toMatchObject({
      id: created.id,
      endpoint,
      state: "assigned",
      token: created.token,
      chunks_max_size_bytes: 102400,
      chunks_interval_seconds: 1,
      log_max_size_bytes: 1073741824,
      chunks_failed_count: 0,
      priority: 0,
      step: { key: "test", label: ":test_tube: Test", command: "make\nmake test", env: { FROM_STEP: "s" } },
    });
    const env = ping.json.job.env;
    expect(env).toMatchObject({
      BUILDKITE: "true",
      CI: "true",
      BUILDKITE_JOB_ID: created.id,
      BUILDKITE_BUILD_ID: build.id,
      BUILDKITE_BUILD_NUMBER: "1",
      BUILDKITE_REPO: "git@github.com:acme/app.git",
      BUILDKITE_COMMIT: "abc123",
      BUILDKITE_BRANCH: "main",
      BUILDKITE_COMMAND: "make\nmake test",
      BUILDKITE_STEP_KEY: "test",
      BUILDKITE_LABEL: ":test_tube: Test",
      BUILDKITE_AGENT_ID: agentId,
      BUILDKITE_AGENT_NAME: "ci-1",
      BUILDKITE_AGENT_META_DATA_OS: "linux",
      BUILDKITE_PIPELINE_SLUG: "app",
      BUILDKITE_ORGANIZATION_SLUG: "local",
      FROM_BUILD: "b",
      FROM_STEP: "s",
    });
    expect(JSON.parse(env.BUILDKITE_PLUGINS)).toEqual([
      { "github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0": { image: "node:20" } },
      { "github.com/buildkite-plugins/shellcheck-buildkite-plugin#v1.3.0": null },
    ]);
    expect((await call(endpoint, "GET", "ping", { token })).json.job.id).toBe(created.id);
    await call(endpoint, "PUT", `jobs/${created.id}/accept`, { token });
    expect((await call(endpoint, "GET", "ping", { token })).json).toEqual({ action: "idle", message: "" });
  });

  it("matches jobs to agents by queue and tag rules", async () => {
    const { server, endpoint } = await startServer();
    const build = server.createBuild();
    const linux = server.createJob(build.id, { command: "a", agents: { queue: "build", os: "linux*" } });
    const anyQueue = server.createJob(build.id, { command: "b" });
    const mac = await registerAgent(endpoint, { meta_data: ["queue=build", "os=macos"] });
    expect((await call(endpoint, "GET", "ping", { token: mac.token })).json.job).toBeUndefined();
    const deflt = await registerAgent(endpoint, { meta_data: [] });
    expect((await call(endpoint, "GET", "ping", { token: deflt.token })).json.job.id).toBe(anyQueue.id);
    const lin = await registerAgent(endpoint, { meta_data: ["queue=build", "os=linux-arm"] });
    expect((await call(endpoint, "GET", "ping", { token: lin.token })).json.job.id).toBe(linux.id);
  });

  it("gives no jobs to an agent registered with ignore_in_dispatches", async () => {
    const { server, endpoint } = await startServer();
    server.createBuild({ jobs: [{ command: "x" }] });
    const { token } = await registerAgent(endpoint, { ignore_in_dispatches: true });
    expect((await call(endpoint, "GET", "ping", { token })).json).toEqual({ action: "idle", message: "" });
  });

  it("turns pause, resume and stop into ping actions, also when sent with a job token", async () => {
    const { server, endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    expect((await call(endpoint, "POST", "pause", { token, body: { note: "maintenance", timeout_in_minutes: 5 } })).json).toEqual({});
    expect((await call(endpoint, "GET", "ping", { token })).json).toEqual({ action: "pause", message: "maintenance" });
    expect((await call(endpoint, "POST", "resume", { token })).status).toBe(200);
    expect((await call(endpoint, "GET", "ping", { token })).json.action).toBe("idle");
    const job = server.createJob(server.createBuild().id, { command: "x" });
    const offered = await call(endpoint, "GET", "ping", { token });
    await call(endpoint, "PUT", `jobs/${offered.json.job.id}/accept`, { token });
    expect((await call(endpoint, "POST", "stop", { token: job.token, body: {} })).status).toBe(200);
    expect((await call(endpoint, "GET", "ping", { token })).json).toEqual({ action: "disconnect", message: expect.any(String) });
    expect(server.job(job.id)?.state).toBe("accepted");
    expect((await call(endpoint, "POST", "pause", { token, body: { timeout_in_minutes: "5" } })).status).toBe(422);
  });

  it("ends a pause after its timeout by the injected clock", async () => {
    const { ManualClock } = await import("./harness.js");
    const clock = new ManualClock();
    const { endpoint } = await startServer({ clock });
    const { token } = await registerAgent(endpoint);
    await call(endpoint, "POST", "pause", { token, body: { timeout_in_minutes: 2 } });
    clock.advance(119_000);
    expect((await call(endpoint, "GET", "ping", { token })).json.action).toBe("pause");
    clock.advance(1_000);
    expect((await call(endpoint, "GET", "ping", { token })).json.action).toBe("idle");
  });

  it("a forced stop cancels the agent's running job", async () => {
    const { server, endpoint } = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "x" });
    const { token } = await registerAgent(endpoint);
    await call(endpoint, "GET", "ping", { token });
    await call(endpoint, "PUT", `jobs/${job.id}/accept`, { token });
    await call(endpoint, "POST", "stop", { token, body: { force: true } });
    expect(server.job(job.id)?.state).toBe("canceling");
  });

  it("answers the token identity for agent, job and registration tokens", async () => {
    const { server, endpoint } = await startServer({ organizationSlug: "acme" });
    const { token } = await registerAgent(endpoint, { meta_data: ["queue=deploy"] });
    const identity = await call(endpoint, "GET", "token", { token });
    expect(identity.json).toEqual({
      uuid: expect.any(String),
      description: expect.any(String),
      token_type: "agent",
      organization_slug: "acme",
      organization_uuid: expect.any(String),
      cluster_uuid: "",
      cluster_name: "",
      organization_queue_uuid: expect.any(String),
      organization_queue_key: "deploy",
    });
    const job = server.createJob(server.createBuild().id, {});
    expect((await call(endpoint, "GET", "token", { token: job.token })).json.token_type).toBe("job");
    expect((await call(endpoint, "GET", "token", { token: "reg-token" })).json.token_type).toBe("registration");
    expect((await call(endpoint, "GET", "token", { token: "bogus" })).status).toBe(401);
  });

  it("refuses a job token on agent-only calls", async () => {
    const { server, endpoint } = await startServer();
    const job = server.createJob(server.createBuild().id, {});
    const ping = await call(endpoint, "GET", "ping", { token: job.token });
    expect(ping.status).toBe(401);
    expect(ping.json.message).toMatch(/agent access token/);
  });

  it("sends configured request_headers on register and ping", async () => {
    const { endpoint } = await startServer({ requestHeaders: { "Buildkite-Agent-Session": "s1" } });
    const { token, register } = await registerAgent(endpoint);
    expect(register.json.request_headers).toEqual({ "Buildkite-Agent-Session": "s1" });
    expect((await call(endpoint, "GET", "ping", { token })).json.request_headers).toEqual({ "Buildkite-Agent-Session": "s1" });
  });
});
