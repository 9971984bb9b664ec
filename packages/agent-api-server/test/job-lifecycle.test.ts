import { call, ManualClock, registerAgent, runningJob, startServer } from "./harness.js";

const FINISH = { exit_status: "0", finished_at: "2026-08-20T01:05:00.000000001Z", chunks_failed_count: 0 };

describe("job state machine", () => {
  it("goes scheduled → assigned → accepted → running → finished with the agent's report", async () => {
    const { server, endpoint } = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "x" });
    expect(server.job(job.id)?.state).toBe("scheduled");
    const { token } = await registerAgent(endpoint);
    await call(endpoint, "GET", "ping", { token });
    expect(server.job(job.id)?.state).toBe("assigned");
    const accept = await call(endpoint, "PUT", `jobs/${job.id}/accept`, { token });
    expect(accept.json).toMatchObject({ id: job.id, state: "accepted", token: job.token });
    const start = await call(endpoint, "PUT", `jobs/${job.id}/start`, { token: job.token, body: { started_at: "2026-08-20T01:02:03Z" } });
    expect(start.json.state).toBe("running");
    expect((await call(endpoint, "GET", `jobs/${job.id}`, { token: job.token })).json).toEqual({ state: "running" });
    const finish = await call(endpoint, "PUT", `jobs/${job.id}/finish`, {
      token: job.token,
      body: { exit_status: "-1", signal: "SIGTERM", signal_reason: "cancel", finished_at: FINISH.finished_at, chunks_failed_count: 2 },
    });
    expect(finish.status).toBe(200);
    expect(server.job(job.id)).toMatchObject({
      state: "finished",
      exitStatus: -1,
      signal: "SIGTERM",
      signalReason: "cancel",
      chunksFailedCount: 2,
      startedAt: Date.parse("2026-08-20T01:02:03Z"),
    });
    const event = await server.waitForEvent("job.finished", { signal: AbortSignal.timeout(1000) });
    expect(event).toMatchObject({ jobId: job.id, state: "finished", exitStatus: -1 });
    expect(
      server
        .events()
        .filter((e) => e.type === "job.state_changed")
        .map((e) => (e.type === "job.state_changed" ? e.to : "")),
    ).toEqual(["assigned", "accepted", "running", "finished"]);
  });

  it("answers 422 when a job is finished twice, and keeps the first report", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    expect((await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: FINISH })).status).toBe(200);
    const again = await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: { ...FINISH, exit_status: "3" } });
    expect(again.status).toBe(422);
    expect(again.json.message).toMatch(/already finished/);
    expect(server.job(job.id)?.exitStatus).toBe(0);
  });

  it.each([
    ["starting a job that was not accepted", "start", { started_at: "2026-08-20T01:02:03Z" }],
    ["finishing a job that was not started", "finish", FINISH],
  ])("answers 422 for %s", async (_name, action, body) => {
    const { server, endpoint } = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "x" });
    const { token } = await registerAgent(endpoint);
    await call(endpoint, "GET", "ping", { token });
    const answer = await call(endpoint, "PUT", `jobs/${job.id}/${action}`, { token: job.token, body });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: expect.any(String) });
  });

  it("lets only the agent the job was offered to accept it", async () => {
    const { server, endpoint } = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "x" });
    const first = await registerAgent(endpoint);
    const second = await registerAgent(endpoint);
    await call(endpoint, "GET", "ping", { token: first.token });
    expect((await call(endpoint, "PUT", `jobs/${job.id}/accept`, { token: second.token })).status).toBe(422);
    expect((await call(endpoint, "PUT", `jobs/${job.id}/accept`, { token: first.token })).status).toBe(200);
    // A retried accept (the first answer lost) is answered again rather than refused.
    expect((await call(endpoint, "PUT", `jobs/${job.id}/accept`, { token: first.token })).status).toBe(200);
  });

  it("rejects a finish body without a decimal exit_status", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    for (const exit of [undefined, "zero", true]) {
      const answer = await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: { ...FINISH, exit_status: exit } });
      expect(answer.status).toBe(422);
    }
    expect(server.job(job.id)?.state).toBe("running");
  });

  it("cancels a running job: canceling on the state poll, canceled once the agent finishes", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    server.cancelJob(job.id);
    expect((await call(endpoint, "GET", `jobs/${job.id}`, { token: job.token })).json).toEqual({ state: "canceling" });
    await call(endpoint, "PUT", `jobs/${job.id}/finish`, {
      token: job.token,
      body: { ...FINISH, exit_status: "-1", signal: "SIGTERM", signal_reason: "cancel" },
    });
    expect(server.job(job.id)?.state).toBe("canceled");
    expect(() => server.cancelJob(job.id)).toThrow(expect.objectContaining({ code: "SERVER_TRANSITION" }));
  });

  it("cancels a job no agent holds at once", async () => {
    const { server } = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "x" });
    server.cancelJob(job.id);
    expect(server.job(job.id)?.state).toBe("canceled");
  });

  it("times a job out: timing_out, then timed_out at finish", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    server.timeOutJob(job.id);
    expect((await call(endpoint, "GET", `jobs/${job.id}`, { token: job.token })).json).toEqual({ state: "timing_out" });
    await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: { ...FINISH, exit_status: "-1" } });
    expect(server.job(job.id)?.state).toBe("timed_out");
  });

  it("build cancel (API) makes running jobs canceling and unstarted ones canceled", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const waiting = server.createJob(buildId, { command: "later" });
    const answer = await call(endpoint, "POST", `builds/${buildId}/cancel`, { token: job.token });
    expect(answer.json).toEqual({ uuid: buildId });
    expect(server.job(job.id)?.state).toBe("canceling");
    expect(server.job(waiting.id)?.state).toBe("canceled");
    expect(server.build(buildId)?.state).toBe("canceling");
    await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: { ...FINISH, exit_status: "-1" } });
    expect(server.build(buildId)?.state).toBe("canceled");
  });
});

describe("job tokens", () => {
  it("accepts the job's token or its agent's token on job calls, and nothing else", async () => {
    const { server, endpoint } = await startServer();
    const { job, agent, buildId } = await runningJob(server, endpoint);
    const other = server.createJob(buildId, { command: "other" });
    const stranger = await registerAgent(endpoint);
    const path = `jobs/${job.id}`;
    expect((await call(endpoint, "GET", path, { token: job.token })).status).toBe(200);
    expect((await call(endpoint, "GET", path, { token: agent.token })).status).toBe(200);
    for (const token of [other.token, stranger.token, "bkaj_forged", undefined]) {
      const answer = await call(endpoint, "GET", path, { token });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ message: expect.any(String) });
    }
  });

  it("answers 404 for an unknown job with a valid token", async () => {
    const { endpoint } = await startServer();
    const { token } = await registerAgent(endpoint);
    const answer = await call(endpoint, "GET", "jobs/no-such-job", { token });
    expect(answer.status).toBe(404);
    expect(answer.json.message).toMatch(/No job/);
  });
});

describe("acquire", () => {
  it("answers 423 while a dependency runs, then the job once it ended; 422 once taken", async () => {
    const { server, endpoint } = await startServer();
    const build = server.createBuild();
    const first = server.createJob(build.id, { command: "a", key: "first" });
    const second = server.createJob(build.id, { command: "b", dependsOn: ["first"] });
    const agent = await registerAgent(endpoint, { ignore_in_dispatches: true });
    const headers = { "X-Buildkite-Lock-Acquire-Job": "1", "X-Buildkite-Backoff-Sequence": "0" };
    const locked = await call(endpoint, "PUT", `jobs/${second.id}/acquire`, { token: agent.token, headers });
    expect(locked.status).toBe(423);
    expect(locked.json).toEqual({ message: expect.any(String) });
    server.cancelJob(first.id);
    const acquired = await call(endpoint, "PUT", `jobs/${second.id}/acquire`, { token: agent.token, headers });
    expect(acquired.status).toBe(200);
    expect(acquired.json).toMatchObject({ id: second.id, state: "accepted", token: second.token });
    const other = await registerAgent(endpoint);
    expect((await call(endpoint, "PUT", `jobs/${second.id}/acquire`, { token: other.token, headers })).status).toBe(422);
  });

  it("answers 422 when the agent's tags do not match the job", async () => {
    const { server, endpoint } = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "a", agents: { queue: "gpu" } });
    const agent = await registerAgent(endpoint);
    expect((await call(endpoint, "PUT", `jobs/${job.id}/acquire`, { token: agent.token })).status).toBe(422);
  });

  it("does not dispatch a job on ping while its dependency is unfinished", async () => {
    const { server, endpoint } = await startServer();
    const build = server.createBuild();
    const first = server.createJob(build.id, { command: "a" });
    const second = server.createJob(build.id, { command: "b", dependsOn: [first.id] });
    const agent = await registerAgent(endpoint);
    expect((await call(endpoint, "GET", "ping", { token: agent.token })).json.job.id).toBe(first.id);
    const busy = await registerAgent(endpoint);
    expect((await call(endpoint, "GET", "ping", { token: busy.token })).json.job).toBeUndefined();
    server.cancelJob(first.id);
    expect((await call(endpoint, "GET", "ping", { token: busy.token })).json.job.id).toBe(second.id);
  });
});

describe("job update, promise failure, header times", () => {
  it("updates job attributes and answers the job id", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "PUT", `jobs/${job.id}`, { token: job.token, body: { timeout: "30" } });
    expect(answer.json).toEqual({ id: job.id });
    expect(server.job(job.id)?.updates).toEqual({ timeout: "30" });
    expect((await call(endpoint, "PUT", `jobs/${job.id}`, { token: job.token, body: { timeout: 30 } })).status).toBe(422);
    expect((await call(endpoint, "PUT", `jobs/${job.id}`, { token: job.token, body: {} })).status).toBe(422);
  });

  it("records a promised failure with 204 and refuses exit status 0", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "PUT", `jobs/${job.id}/promise_failure`, { token: job.token, body: { exit_status: 3, reason: "flaky" } });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe("");
    expect(server.job(job.id)?.promisedFailure).toEqual({ exitStatus: 3, reason: "flaky" });
    expect((await call(endpoint, "PUT", `jobs/${job.id}/promise_failure`, { token: job.token, body: { exit_status: 0 } })).status).toBe(422);
  });

  it("stores header times by index", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const times = { "0": "2026-08-20T01:02:03.000000001Z", "1": "2026-08-20T01:02:04.5Z" };
    expect((await call(endpoint, "POST", `jobs/${job.id}/header_times`, { token: job.token, body: { header_times: times } })).json).toEqual({});
    await call(endpoint, "POST", `jobs/${job.id}/header_times`, { token: job.token, body: { header_times: { "2": "2026-08-20T01:02:05Z" } } });
    expect(server.job(job.id)?.headerTimes).toEqual({ ...times, "2": "2026-08-20T01:02:05Z" });
    const bad = await call(endpoint, "POST", `jobs/${job.id}/header_times`, { token: job.token, body: { header_times: { x: "soon" } } });
    expect(bad.status).toBe(422);
  });
});

describe("lost agents", () => {
  it("marks an agent lost after the heartbeat timeout by the injected clock and ends its job with -1", async () => {
    const clock = new ManualClock();
    const { server, endpoint } = await startServer({ clock, lostAgentTimeoutSeconds: 180 });
    const { job, agent } = await runningJob(server, endpoint);
    clock.advance(170_000);
    await call(endpoint, "POST", "heartbeat", { token: agent.token, body: { sent_at: "2026-08-20T01:02:50Z" } });
    clock.advance(179_999);
    expect(server.checkLostAgents()).toEqual([]);
    expect(server.agent(agent.id)?.connectionState).toBe("connected");
    clock.advance(1);
    // The next request sweeps, so the lost agent's own ping is refused.
    const ping = await call(endpoint, "GET", "ping", { token: agent.token });
    expect(ping.status).toBe(401);
    expect(server.agent(agent.id)?.connectionState).toBe("lost");
    expect(server.job(job.id)).toMatchObject({ state: "finished", exitStatus: -1, signalReason: undefined });
    expect(await server.waitForEvent("agent.lost", { signal: AbortSignal.timeout(1000) })).toMatchObject({
      agentId: agent.id,
      jobIds: [job.id],
    });
  });

  it("puts a job offered to a lost agent back in the queue", async () => {
    const clock = new ManualClock();
    const { server, endpoint } = await startServer({ clock });
    const job = server.createJob(server.createBuild().id, { command: "x" });
    const agent = await registerAgent(endpoint);
    await call(endpoint, "GET", "ping", { token: agent.token });
    clock.advance(180_000);
    expect(server.checkLostAgents()).toEqual([agent.id]);
    expect(server.job(job.id)).toMatchObject({ state: "scheduled", agentId: undefined });
  });
});
