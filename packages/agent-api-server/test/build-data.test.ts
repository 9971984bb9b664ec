import { call, runningJob, startServer } from "./harness.js";

describe("meta-data", () => {
  it("sets, gets, checks and lists keys per build, through job and build scopes", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const t = { token: job.token };
    expect((await call(endpoint, "POST", `jobs/${job.id}/data/set`, { ...t, body: { key: "k", value: "v" } })).json).toEqual({});
    const batch = await call(endpoint, "POST", `jobs/${job.id}/data/set-batch`, {
      ...t,
      body: { items: [{ key: "a", value: "1" }, { key: "b", value: "2" }] },
    });
    expect(batch.status).toBe(200);
    expect((await call(endpoint, "POST", `jobs/${job.id}/data/get`, { ...t, body: { key: "k" } })).json).toEqual({ key: "k", value: "v" });
    expect((await call(endpoint, "POST", `builds/${buildId}/data/get`, { ...t, body: { key: "a" } })).json).toEqual({ key: "a", value: "1" });
    expect((await call(endpoint, "POST", `jobs/${job.id}/data/exists`, { ...t, body: { key: "b" } })).json).toEqual({ exists: true });
    expect((await call(endpoint, "POST", `builds/${buildId}/data/exists`, { ...t, body: { key: "zz" } })).json).toEqual({ exists: false });
    expect((await call(endpoint, "POST", `jobs/${job.id}/data/keys`, t)).json).toEqual(["k", "a", "b"]);
    expect((await call(endpoint, "POST", `builds/${buildId}/data/keys`, t)).json).toEqual(["k", "a", "b"]);
    expect(server.metaData(buildId)).toEqual({ k: "v", a: "1", b: "2" });
  });

  it("answers 404 with a message for an unset key", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/data/get`, { token: job.token, body: { key: "nope" } });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ message: expect.stringContaining("nope") });
  });

  it("refuses a batch with one bad item and sets nothing from it", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/data/set-batch`, {
      token: job.token,
      body: { items: [{ key: "ok", value: "1" }, { key: "bad", value: 2 }] },
    });
    expect(answer.status).toBe(422);
    expect(server.metaData(buildId)).toEqual({});
  });

  it("keeps builds apart and refuses another build's job token", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const otherBuild = server.createBuild({ jobs: [{ command: "x" }] });
    const otherJob = server.jobs(otherBuild.id)[0]!;
    await call(endpoint, "POST", `jobs/${job.id}/data/set`, { token: job.token, body: { key: "k", value: "v" } });
    expect((await call(endpoint, "POST", `builds/${buildId}/data/get`, { token: otherJob.token, body: { key: "k" } })).status).toBe(401);
    expect(server.metaData(otherBuild.id)).toEqual({});
  });
});

describe("annotations", () => {
  it("creates, appends per context and scope, and removes", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const t = { token: job.token };
    const created = await call(endpoint, "POST", `jobs/${job.id}/annotations`, {
      ...t,
      body: { body: "# Hi", context: "ctx", style: "info", priority: 5 },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String) });
    await call(endpoint, "POST", `jobs/${job.id}/annotations`, { ...t, body: { body: " more", context: "ctx", append: true } });
    await call(endpoint, "POST", `jobs/${job.id}/annotations`, { ...t, body: { body: "job-scoped", context: "ctx", scope: "job" } });
    await call(endpoint, "POST", `jobs/${job.id}/annotations`, { ...t, body: { body: "plain" } });
    expect(server.annotations(buildId).map(({ context, scope, style, priority, body }) => ({ context, scope, style, priority, body }))).toEqual([
      { context: "ctx", scope: "build", style: "info", priority: 5, body: "# Hi more" },
      { context: "ctx", scope: "job", style: "default", priority: 3, body: "job-scoped" },
      { context: "default", scope: "build", style: "default", priority: 3, body: "plain" },
    ]);
    const removed = await call(endpoint, "DELETE", `jobs/${job.id}/annotations/ctx?scope=job`, t);
    expect(removed.status).toBe(204);
    expect(server.annotations(buildId)).toHaveLength(2);
    expect((await call(endpoint, "DELETE", `jobs/${job.id}/annotations/ctx?scope=job`, t)).status).toBe(404);
  });

  it.each([
    ["an unknown style", { body: "x", style: "purple" }],
    ["a context over 100 characters", { body: "x", context: "c".repeat(101) }],
    ["a body over 1 MiB", { body: "x".repeat(1024 * 1024 + 1) }],
    ["a priority out of 1–10", { body: "x", priority: 11 }],
    ["an unknown scope", { body: "x", scope: "org" }],
    ["no body", { context: "x" }],
  ])("answers 422 for %s", async (_name, body) => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/annotations`, { token: job.token, body });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: expect.any(String) });
    expect(server.annotations(buildId)).toEqual([]);
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/annotations`, { token: job.token, body: { body: "x".repeat(1024 * 1024) } });
    expect(answer.status).toBe(201);
  });
});

describe("steps", () => {
  it("exports, updates (idempotently) and cancels a step by key", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint, { command: "make", key: "build", label: "Build" });
    const t = { token: job.token };
    expect((await call(endpoint, "POST", "steps/build/export", { ...t, body: { attribute: "label", format: "json" } })).json).toEqual({ output: "Build" });
    const update = { idempotency_uuid: "u-1", attribute: "label", value: " :rocket:", append: true };
    expect((await call(endpoint, "PUT", "steps/build", { ...t, body: update })).status).toBe(200);
    expect((await call(endpoint, "PUT", "steps/build", { ...t, body: update })).status).toBe(200);
    expect(server.job(job.id)?.step.label).toBe("Build :rocket:");
    expect((await call(endpoint, "PUT", "steps/build", { ...t, body: { attribute: "command", value: "x" } })).status).toBe(422);
    const cancel = await call(endpoint, "POST", "steps/build/cancel", { ...t, body: { build_id: buildId, force: false } });
    expect(cancel.json).toEqual({ uuid: job.step.id });
    expect(server.job(job.id)?.state).toBe("canceling");
    expect((await call(endpoint, "POST", "steps/nope/export", { ...t, body: {} })).status).toBe(404);
  });
});

describe("OIDC, secrets and repository tokens", () => {
  it("issues an HS256 JWT with the requested audience, lifetime and claims", async () => {
    const { createHmac } = await import("node:crypto");
    const { server, endpoint } = await startServer({ oidcSigningKey: "k3y", organizationSlug: "acme" });
    const { job } = await runningJob(server, endpoint, { command: "x", key: "deploy" });
    const answer = await call(endpoint, "POST", `jobs/${job.id}/oidc/tokens`, {
      token: job.token,
      body: { audience: "sts.amazonaws.com", lifetime: 600, claims: ["organization_id"], aws_session_tags: ["organization_slug"] },
    });
    expect(answer.status).toBe(200);
    const [header, payload, signature] = (answer.json.token as string).split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    expect(signature).toBe(createHmac("sha256", "k3y").update(`${header}.${payload}`).digest("base64url"));
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    expect(claims).toMatchObject({
      iss: "https://agent.buildkite.com",
      aud: "sts.amazonaws.com",
      organization_slug: "acme",
      pipeline_slug: "app",
      job_id: job.id,
      step_key: "deploy",
      organization_id: expect.any(String),
      "https://aws.amazon.com/tags": { principal_tags: { organization_slug: ["acme"] } },
    });
    expect(claims.exp - claims.iat).toBe(600);
    const bad = await call(endpoint, "POST", `jobs/${job.id}/oidc/tokens`, { token: job.token, body: { claims: ["nope"] } });
    expect(bad.status).toBe(422);
  });

  // Regression: `in` found Object.prototype names, so `constructor` passed as a claim
  // of the token and the subject became the text of the Object function.
  it.each([
    ["subject_claim", { subject_claim: "constructor" }, /^subject_claim "constructor" is not a claim/],
    ["aws_session_tags", { aws_session_tags: ["toString"] }, /^aws_session_tags names "toString"/],
  ])("refuses %s naming an Object.prototype property", async (_name, body, message) => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/oidc/tokens`, { token: job.token, body });
    expect(answer.status).toBe(422);
    expect(answer.json.message).toMatch(message);
  });

  it("issues an unsigned JWT without a signing key", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const token = (await call(endpoint, "POST", `jobs/${job.id}/oidc/tokens`, { token: job.token })).json.token as string;
    const [header, , signature] = token.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString()).alg).toBe("none");
    expect(signature).toBe("");
  });

  it("serves secrets set per build or pipeline, build first, and 404 for missing ones", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    server.setSecret("API_KEY", "from-pipeline", { pipelineSlug: "app" });
    server.setSecret("DB", "from-pipeline", { pipelineSlug: "app" });
    server.setSecret("DB", "from-build", { buildId });
    const t = { token: job.token };
    expect((await call(endpoint, "GET", `jobs/${job.id}/secrets?key=API_KEY`, t)).json).toEqual({ key: "API_KEY", value: "from-pipeline", uuid: expect.any(String) });
    expect((await call(endpoint, "GET", `jobs/${job.id}/secrets?key=DB`, t)).json.value).toBe("from-build");
    const missing = await call(endpoint, "GET", `jobs/${job.id}/secrets?key=NOPE`, t);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: expect.any(String) });
    expect((await call(endpoint, "GET", `jobs/${job.id}/secrets`, t)).status).toBe(400);
  });

  it("issues a repository access token for the build's repository only", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", `jobs/${job.id}/repository_access_token`, {
      token: job.token,
      body: { repo_url: "git@github.com:acme/app.git" },
    });
    expect(answer.json).toEqual({ token: expect.stringMatching(/^ghs_/) });
    const other = await call(endpoint, "POST", `jobs/${job.id}/repository_access_token`, { token: job.token, body: { repo_url: "git@github.com:evil/x.git" } });
    expect(other.status).toBe(422);
  });
});
