import { afterEach, describe, expect, it } from "@jest/globals";
import type { AgentRecord } from "@agent/agent-api-server";
import { ApiClient } from "@agent/api-client";
import { jobPerTest, runJobCommand, type JobFixture } from "./job-command-harness.js";

/**
 * `stop`, `pause`, `resume`, `job update` and `build cancel` against a real
 * Agent API server on 127.0.0.1, with a real agent registered and running a
 * job; the commands use that job's token, as they would inside it.
 */

const run = runJobCommand;

const clients: ApiClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
const job = jobPerTest();

/** The one agent the fixture registered. */
function theAgent(fixture: JobFixture): AgentRecord {
  const [agent] = fixture.server.agents();
  return agent!;
}

/** What the agent would hear on its next ping. */
async function nextPing(fixture: JobFixture): Promise<{ action: string; message: string }> {
  const client = new ApiClient({ endpoint: fixture.endpoint, token: theAgent(fixture).accessToken });
  clients.push(client);
  const ping = await client.ping();
  return { action: ping.action ?? "", message: ping.message ?? "" };
}

/** Requests the server saw on one route. */
function requestsTo(fixture: JobFixture, route: string): number {
  return fixture.server.requests().filter((request) => request.route === route).length;
}

describe("stop", () => {
  it("asks for a graceful stop of the job's agent: the job keeps running, the next ping disconnects", async () => {
    const f = await job();
    const result = await run("stop", [], { env: f.env });
    expect(result).toMatchObject({ status: 0, stdout: "" });
    expect(result.stderr).toContain("Successfully stopped agent");
    expect(theAgent(f).stopRequested).toEqual({ force: false });
    expect(f.server.job(f.jobId)!.state).toBe("running");
    expect(await nextPing(f)).toMatchObject({ action: "disconnect" });
  });

  it("--force sends force, so the running job is cancelled", async () => {
    const f = await job();
    expect((await run("stop", [], { env: f.env, flags: { force: true } })).status).toBe(0);
    expect(theAgent(f).stopRequested).toEqual({ force: true });
    expect(f.server.job(f.jobId)!.state).toBe("canceling");
  });

  it("works with the agent's own access token too, not only a job token", async () => {
    const f = await job();
    const env = { ...f.env, BUILDKITE_AGENT_ACCESS_TOKEN: theAgent(f).accessToken };
    expect((await run("stop", [], { env })).status).toBe(0);
    expect(theAgent(f).stopRequested).toEqual({ force: false });
  });

  it("a rejected token is one fatal line after a single request (401 is not retried)", async () => {
    const f = await job();
    const result = await run("stop", [], { env: f.env, flags: { "agent-access-token": "bkaj_not_a_real_token" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^buildkite-agent: fatal: failed to stop agent: POST \S*\/stop: 401 [^\n]*\n$/);
    expect(result.stderr).not.toContain("bkaj_not_a_real_token");
    expect(requestsTo(f, "agents.stop")).toBe(1);
    expect(theAgent(f).stopRequested).toBeUndefined();
  });

  it("retries a 503 with a warning, then succeeds", async () => {
    const f = await job();
    f.server.injectFault({ route: "agents.stop", times: 1, fault: { kind: "status", status: 503, message: "try later" } });
    const result = await run("stop", [], { env: f.env });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/503[^\n]*try later[^\n]*\(attempt 1 of 5, retrying in/);
    expect(result.stderr).toContain("Successfully stopped agent");
    expect(requestsTo(f, "agents.stop")).toBe(2);
    expect(theAgent(f).stopRequested).toEqual({ force: false });
  });
});

describe("pause and resume", () => {
  it("pause sends --note and --timeout-in-minutes; the next ping pauses with the note", async () => {
    const f = await job();
    const events: unknown[] = [];
    const unsubscribe = f.server.onEvent((event) => {
      if (event.type === "agent.paused") events.push(event);
    });
    const before = Date.now();
    const result = await run("pause", [], { env: f.env, flags: { note: "disk full", "timeout-in-minutes": "30" } });
    unsubscribe();
    expect(result).toMatchObject({ status: 0, stdout: "" });
    expect(result.stderr).toContain("Successfully paused agent");
    expect(events).toEqual([expect.objectContaining({ note: "disk full", timeoutInMinutes: 30 })]);
    const until = theAgent(f).paused!.until!;
    expect(until - before).toBeGreaterThanOrEqual(30 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect(await nextPing(f)).toEqual({ action: "pause", message: "disk full" });
  });

  it("pause takes BUILDKITE_AGENT_PAUSE_NOTE and BUILDKITE_AGENT_PAUSE_TIMEOUT_MINUTES", async () => {
    const f = await job();
    const env = { ...f.env, BUILDKITE_AGENT_PAUSE_NOTE: "from env", BUILDKITE_AGENT_PAUSE_TIMEOUT_MINUTES: "5" };
    expect((await run("pause", [], { env })).status).toBe(0);
    expect(theAgent(f).paused).toEqual({ note: "from env", until: expect.any(Number) });
  });

  it("pause without a note or timeout sends neither: paused until resumed", async () => {
    const f = await job();
    expect((await run("pause", [], { env: f.env })).status).toBe(0);
    expect(theAgent(f).paused).toEqual({ note: undefined, until: undefined });
    expect(await nextPing(f)).toEqual({ action: "pause", message: "" });
  });

  it("a negative timeout goes to Buildkite to judge; its refusal (422) is one fatal line, not retried", async () => {
    const f = await job();
    const result = await run("pause", [], { env: f.env, flags: { "timeout-in-minutes": "-5" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^buildkite-agent: fatal: failed to pause agent: POST \S*\/pause: 422 [^\n]*timeout_in_minutes[^\n]*\n$/);
    expect(requestsTo(f, "agents.pause")).toBe(1);
    expect(theAgent(f).paused).toBeUndefined();
  });

  it("resume lets the paused agent take jobs again, and is harmless when not paused", async () => {
    const f = await job();
    await run("pause", [], { env: f.env, flags: { note: "wait" } });
    const result = await run("resume", [], { env: f.env });
    expect(result).toMatchObject({ status: 0, stdout: "" });
    expect(result.stderr).toContain("Successfully resumed agent");
    expect(theAgent(f).paused).toBeUndefined();
    expect((await nextPing(f)).action).not.toBe("pause");
    expect((await run("resume", [], { env: f.env })).status).toBe(0);
  });

  it("resume with a rejected token is one fatal line", async () => {
    const f = await job();
    const result = await run("resume", [], { env: { ...f.env, BUILDKITE_AGENT_ACCESS_TOKEN: "bkaj_wrong" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^buildkite-agent: fatal: failed to resume agent: POST \S*\/resume: 401 [^\n]*\n$/);
  });
});

describe("job update", () => {
  it("sets the attribute of the current job (BUILDKITE_JOB_ID) from the arguments, without reading stdin", async () => {
    const f = await job();
    const result = await run("job update", ["timeout", "45"], { env: f.env, stdin: "ignored" });
    expect(result).toMatchObject({ status: 0, stdout: "" });
    expect(result.stderr).not.toContain("Reading value from STDIN");
    expect(f.server.job(f.jobId)!.updates).toEqual({ timeout: "45" });
  });

  it("an empty value argument is a value: stdin is read only when the argument is absent", async () => {
    const f = await job();
    expect((await run("job update", ["label", ""], { env: f.env, stdin: "not this" })).status).toBe(0);
    expect(f.server.job(f.jobId)!.updates).toEqual({ label: "" });
  });

  it("reads the value from stdin when omitted, redacting secrets from the environment with a warning", async () => {
    const f = await job();
    const result = await run("job update", ["label"], {
      env: { ...f.env, DEPLOY_TOKEN: "dtok_abcdef123" },
      stdin: "deploy with dtok_abcdef123\n",
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("Reading value from STDIN");
    expect(result.stderr).toContain(
      `New value for job "${f.jobId}" attribute "label" contained one or more secrets from environment variables that have been redacted. If this is deliberate, pass --redacted-vars='' or a list of patterns`,
    );
    expect(f.server.job(f.jobId)!.updates).toEqual({ label: "deploy with [REDACTED]\n" });
  });

  it("--redacted-vars='' sends the value as it is", async () => {
    const f = await job();
    const env = { ...f.env, DEPLOY_TOKEN: "dtok_abcdef123" };
    const result = await run("job update", ["label", "dtok_abcdef123"], { env, flags: { "redacted-vars": [""] } });
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain("redacted");
    expect(f.server.job(f.jobId)!.updates).toEqual({ label: "dtok_abcdef123" });
  });

  it("an unknown --job is one fatal line after a single request (404 is not retried)", async () => {
    const f = await job();
    const result = await run("job update", ["timeout", "5"], { env: f.env, flags: { job: "nope" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^buildkite-agent: fatal: failed to update job: PUT \S*\/jobs\/nope: 404 [^\n]*\n$/);
    expect(requestsTo(f, "jobs.update")).toBe(1);
  });
});

describe("build cancel", () => {
  it("cancels the current build (BUILDKITE_BUILD_ID) and logs its UUID", async () => {
    const f = await job();
    const result = await run("build cancel", [], { env: f.env });
    expect(result).toMatchObject({ status: 0, stdout: "" });
    expect(result.stderr).toContain(`Successfully cancelled build ${f.buildId}`);
    expect(f.server.build(f.buildId)!.state).toBe("canceling");
    expect(f.server.job(f.jobId)!.state).toBe("canceling");
  });

  it("--build names another build; one this job's token may not touch is refused in one line (401)", async () => {
    const f = await job();
    const other = f.server.createBuild({ pipelineSlug: "other" });
    const result = await run("build cancel", [], { env: f.env, flags: { build: other.id } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^buildkite-agent: fatal: failed to cancel build: POST \\S*/builds/${other.id}/cancel: 401 [^\\n]*\\n$`),
    );
    expect(requestsTo(f, "builds.cancel")).toBe(1);
    expect(f.server.build(other.id)!.state).toBe("running");
    expect(f.server.build(f.buildId)!.state).toBe("running");
  });

  it("an unknown build is one fatal line (404)", async () => {
    const f = await job();
    const result = await run("build cancel", [], { env: { ...f.env, BUILDKITE_BUILD_ID: "missing-build" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^buildkite-agent: fatal: failed to cancel build: POST \S*\/builds\/missing-build\/cancel: 404 /);
  });
});
