import { gunzipSync } from "node:zlib";
import type { ApiClient } from "../src/index.js";
import { harness, JOB } from "./harness.js";
import type { Reply } from "./recording-server.js";

const T = new Date(Date.UTC(2026, 7, 20, 1, 2, 3, 456));

interface WireCase {
  readonly name: string;
  readonly call: (client: ApiClient) => Promise<unknown>;
  readonly method: string;
  /** The request target exactly as sent (escaping included). */
  readonly url: string;
  /** The exact body (JSON + newline), or undefined for none. */
  readonly body?: string;
  readonly reply?: Reply;
}

// Every call in the spec with its exact method, path, escaping and body bytes.
const cases: WireCase[] = [
  {
    name: "register",
    call: (c) =>
      c.register({
        name: "ci-1-1",
        hostname: "ci-1",
        os: "Linux",
        arch: "amd64",
        scriptEvalEnabled: true,
        ignoreInDispatches: false,
        version: "3.137.0",
        build: "9001",
        tags: ["queue=default"],
        pid: 4242,
        features: ["control-plane-otlp-tracing"],
      }),
    method: "POST",
    url: "/v3/register",
    body:
      '{"name":"ci-1-1","hostname":"ci-1","os":"Linux","arch":"amd64","script_eval_enabled":true,' +
      '"ignore_in_dispatches":false,"version":"3.137.0","build":"9001","meta_data":["queue=default"],' +
      '"pid":4242,"features":["control-plane-otlp-tracing"]}\n',
    reply: { body: { access_token: "bkaa_new_access", ping_interval: 10, heartbeat_interval: 60 } },
  },
  {
    name: "register with priority and machine id",
    call: (c) =>
      c.register({
        name: "",
        hostname: "h",
        os: "o",
        arch: "arm64",
        scriptEvalEnabled: false,
        ignoreInDispatches: true,
        priority: "5",
        version: "v",
        build: "x",
        tags: [],
        machineId: "m1",
        features: [],
      }),
    method: "POST",
    url: "/v3/register",
    body:
      '{"name":"","hostname":"h","os":"o","arch":"arm64","script_eval_enabled":false,"ignore_in_dispatches":true,' +
      '"priority":"5","version":"v","build":"x","meta_data":[],"machine_id":"m1","features":[]}\n',
    reply: { body: { access_token: "bkaa_new_access", ping_interval: 10, heartbeat_interval: 60 } },
  },
  { name: "connect", call: (c) => c.connect(), method: "POST", url: "/v3/connect" },
  { name: "disconnect", call: (c) => c.disconnect(), method: "POST", url: "/v3/disconnect" },
  { name: "ping", call: (c) => c.ping(), method: "GET", url: "/v3/ping", reply: { body: {} } },
  {
    name: "heartbeat",
    call: (c) => c.heartbeat({ sentAt: T }),
    method: "POST",
    url: "/v3/heartbeat",
    body: `{"sent_at":"${localTime(T)}"}\n`,
    reply: { body: {} },
  },
  { name: "stop forced", call: (c) => c.stop({ force: true }), method: "POST", url: "/v3/stop", body: '{"force":true}\n' },
  { name: "stop", call: (c) => c.stop(), method: "POST", url: "/v3/stop", body: "{}\n" },
  {
    name: "pause",
    call: (c) => c.pause({ note: "a <b> & c", timeoutInMinutes: 5 }),
    method: "POST",
    url: "/v3/pause",
    body: '{"note":"a \\u003cb\\u003e \\u0026 c","timeout_in_minutes":5}\n',
  },
  { name: "pause without fields", call: (c) => c.pause({}), method: "POST", url: "/v3/pause", body: "{}\n" },
  { name: "resume", call: (c) => c.resume(), method: "POST", url: "/v3/resume" },
  { name: "token identity", call: (c) => c.tokenIdentity(), method: "GET", url: "/v3/token", reply: { body: {} } },
  { name: "accept", call: (c) => c.acceptJob("job.1"), method: "PUT", url: "/v3/jobs/job%2E1/accept", reply: { body: JOB } },
  { name: "acquire", call: (c) => c.acquireJob("j/1"), method: "PUT", url: "/v3/jobs/j%2F1/acquire", reply: { body: JOB } },
  {
    name: "start",
    call: (c) => c.startJob("job-1", { startedAt: T }),
    method: "PUT",
    url: "/v3/jobs/job-1/start",
    body: '{"started_at":"2026-08-20T01:02:03.456Z"}\n',
  },
  {
    name: "finish (signalled)",
    call: (c) =>
      c.finishJob("job-1", {
        exitStatus: "-1",
        signal: "SIGTERM",
        signalReason: "cancel",
        finishedAt: new Date(Date.UTC(2026, 7, 20, 1, 2, 3, 450)),
        chunksFailedCount: 0,
      }),
    method: "PUT",
    url: "/v3/jobs/job-1/finish",
    body: '{"exit_status":"-1","signal":"SIGTERM","signal_reason":"cancel","finished_at":"2026-08-20T01:02:03.45Z","chunks_failed_count":0}\n',
  },
  {
    name: "finish (disconnect after job)",
    call: (c) =>
      c.finishJob("job-1", {
        exitStatus: "0",
        finishedAt: new Date(Date.UTC(2026, 7, 20, 1, 2, 3, 0)),
        chunksFailedCount: 2,
        ignoreAgentInDispatches: true,
      }),
    method: "PUT",
    url: "/v3/jobs/job-1/finish",
    body: '{"exit_status":"0","finished_at":"2026-08-20T01:02:03Z","chunks_failed_count":2,"ignore_agent_in_dispatches":true}\n',
  },
  { name: "job state", call: (c) => c.getJobState("job-1"), method: "GET", url: "/v3/jobs/job-1", reply: { body: { state: "running" } } },
  {
    name: "update job",
    call: (c) => c.updateJob("job-1", { timeout: "10" }),
    method: "PUT",
    url: "/v3/jobs/job-1",
    body: '{"timeout":"10"}\n',
    reply: { body: { id: "job-1" } },
  },
  {
    name: "promise failure",
    call: (c) => c.promiseFailure("job-1", { exitStatus: 3, reason: "flaky" }),
    method: "PUT",
    url: "/v3/jobs/job-1/promise_failure",
    body: '{"exit_status":3,"reason":"flaky"}\n',
    reply: { status: 204 },
  },
  {
    name: "header times (Go's sorted map keys)",
    call: (c) =>
      c.saveHeaderTimes(
        "job-1",
        new Map(Array.from({ length: 11 }, (_, i) => [i, `t${i}`] as [number, string])),
      ),
    method: "POST",
    url: "/v3/jobs/job-1/header_times",
    body:
      '{"header_times":{"0":"t0","1":"t1","10":"t10","2":"t2","3":"t3","4":"t4","5":"t5","6":"t6","7":"t7","8":"t8","9":"t9"}}\n',
  },
  {
    name: "meta-data set",
    call: (c) => c.setMetaData("job-1", { key: "k", value: "v" }),
    method: "POST",
    url: "/v3/jobs/job-1/data/set",
    body: '{"key":"k","value":"v"}\n',
  },
  {
    name: "meta-data set (empty value omitted)",
    call: (c) => c.setMetaData("job-1", { key: "k", value: "" }),
    method: "POST",
    url: "/v3/jobs/job-1/data/set",
    body: '{"key":"k"}\n',
  },
  {
    name: "meta-data batch",
    call: (c) => c.setMetaDataBatch("job-1", [{ key: "a", value: "1" }, { key: "b", value: "2" }]),
    method: "POST",
    url: "/v3/jobs/job-1/data/set-batch",
    body: '{"items":[{"key":"a","value":"1"},{"key":"b","value":"2"}]}\n',
  },
  {
    name: "meta-data get (job)",
    call: (c) => c.getMetaData({ scope: "job", id: "job-1" }, "k"),
    method: "POST",
    url: "/v3/jobs/job-1/data/get",
    body: '{"key":"k"}\n',
    reply: { body: { key: "k", value: "v" } },
  },
  {
    name: "meta-data get (build)",
    call: (c) => c.getMetaData({ scope: "build", id: "b-1" }, "k"),
    method: "POST",
    url: "/v3/builds/b-1/data/get",
    body: '{"key":"k"}\n',
    reply: { body: { key: "k", value: "v" } },
  },
  {
    name: "meta-data exists",
    call: (c) => c.metaDataExists({ scope: "job", id: "job-1" }, "k"),
    method: "POST",
    url: "/v3/jobs/job-1/data/exists",
    body: '{"key":"k"}\n',
    reply: { body: { exists: true } },
  },
  {
    name: "meta-data keys",
    call: (c) => c.metaDataKeys({ scope: "build", id: "b-1" }),
    method: "POST",
    url: "/v3/builds/b-1/data/keys",
    reply: { body: ["a"] },
  },
  {
    name: "artifacts create",
    call: (c) =>
      c.createArtifacts("job-1", {
        id: "batch-1",
        artifacts: [
          {
            path: "log/a.log",
            absolutePath: "/w/log/a.log",
            fileSize: 3,
            sha1sum: "s1",
            sha256sum: "s256",
            contentType: "text/plain",
          },
        ],
        uploadDestination: "",
        multipartSupported: true,
      }),
    method: "POST",
    url: "/v3/jobs/job-1/artifacts",
    body:
      '{"id":"batch-1","artifacts":[{"id":"","path":"log/a.log","absolute_path":"/w/log/a.log","glob_path":"",' +
      '"file_size":3,"sha1sum":"s1","sha256sum":"s256","job_id":"","created_at":"0001-01-01T00:00:00Z",' +
      '"content_type":"text/plain"}],"upload_destination":"","multipart_supported":true}\n',
    reply: { body: { id: "batch-1", artifact_ids: ["a1"] } },
  },
  {
    name: "artifacts update",
    call: (c) =>
      c.updateArtifacts("job-1", [
        {
          id: "a1",
          state: "finished",
          multipart: true,
          multipartEtags: [
            { partNumber: 2, etag: '"e2"' },
            { partNumber: 1, etag: '"e1"' },
          ],
        },
        { id: "a2", state: "error" },
      ]),
    method: "PUT",
    url: "/v3/jobs/job-1/artifacts",
    body:
      '{"artifacts":[{"id":"a1","state":"finished","multipart":true,"multipart_etags":[{"part_number":1,"etag":"\\"e1\\""},' +
      '{"part_number":2,"etag":"\\"e2\\""}]},{"id":"a2","state":"error"}]}\n',
  },
  {
    name: "artifacts search (Go query escaping, sorted keys)",
    call: (c) =>
      c.searchArtifacts("b-1", { query: "pkg/*.tar gz", scope: "", includeRetriedJobs: true, includeDuplicates: true }),
    method: "GET",
    url: "/v3/builds/b-1/artifacts/search?include_duplicates=true&include_retried_jobs=true&query=pkg%2F%2A.tar+gz&state=finished",
    reply: { body: [] },
  },
  {
    name: "pipeline upload (synchronous answer)",
    call: (c) => c.uploadPipeline("job-1", { uuid: "u-1", pipeline: { steps: [{ command: "x" }] }, replace: true }),
    method: "POST",
    url: "/v3/jobs/job-1/pipelines?async=true",
    body: '{"uuid":"u-1","pipeline":{"steps":[{"command":"x"}]},"replace":true}\n',
  },
  {
    name: "annotation create",
    call: (c) =>
      c.createAnnotation("job-1", { body: "**hi**", context: "ctx", style: "info", append: true, priority: 3, scope: "job" }),
    method: "POST",
    url: "/v3/jobs/job-1/annotations",
    body: '{"body":"**hi**","context":"ctx","style":"info","append":true,"priority":3,"scope":"job"}\n',
  },
  {
    name: "annotation remove",
    call: (c) => c.removeAnnotation("job-1", "my.ctx"),
    method: "DELETE",
    url: "/v3/jobs/job-1/annotations/my%2Ectx?scope=build",
  },
  {
    name: "step get",
    call: (c) => c.getStep("my-step", { attribute: "label", buildId: "b-1", format: "json" }),
    method: "POST",
    url: "/v3/steps/my-step/export",
    body: '{"attribute":"label","build_id":"b-1","format":"json"}\n',
    reply: { body: { output: "x" } },
  },
  {
    name: "step update",
    call: (c) => c.updateStep("my-step", { idempotencyUuid: "i-1", attribute: "label", value: "L", append: true }),
    method: "PUT",
    url: "/v3/steps/my-step",
    body: '{"idempotency_uuid":"i-1","attribute":"label","value":"L","append":true}\n',
  },
  {
    name: "step cancel (every field sent)",
    call: (c) => c.cancelStep("my-step", { buildId: "", force: false, forceGracePeriod: 10 }),
    method: "POST",
    url: "/v3/steps/my-step/cancel",
    body: '{"build_id":"","force":false,"force_grace_period":10}\n',
    reply: { body: { uuid: "s-1" } },
  },
  { name: "build cancel", call: (c) => c.cancelBuild("b-1"), method: "POST", url: "/v3/builds/b-1/cancel", reply: { body: { uuid: "b-1" } } },
  {
    name: "OIDC token",
    call: (c) => c.oidcToken("job-1", { audience: "sts", lifetime: 60, claims: ["organization_id"], awsSessionTags: ["x"] }),
    method: "POST",
    url: "/v3/jobs/job-1/oidc/tokens",
    body: '{"audience":"sts","lifetime":60,"claims":["organization_id"],"aws_session_tags":["x"]}\n',
    reply: { body: { token: "jwt.jwt.jwt" } },
  },
  {
    name: "OIDC token without options",
    call: (c) => c.oidcToken("job-1"),
    method: "POST",
    url: "/v3/jobs/job-1/oidc/tokens",
    body: "{}\n",
    reply: { body: { token: "jwt.jwt.jwt" } },
  },
  {
    name: "secret",
    call: (c) => c.getSecret("job-1", "MY SECRET/1"),
    method: "GET",
    url: "/v3/jobs/job-1/secrets?key=MY+SECRET%2F1",
    reply: { body: { key: "MY SECRET/1", value: "v", uuid: "u" } },
  },
  {
    name: "repository access token",
    call: (c) => c.repositoryAccessToken("job-1", "https://github.com/a/b.git"),
    method: "POST",
    url: "/v3/jobs/job-1/repository_access_token",
    body: '{"repo_url":"https://github.com/a/b.git"}\n',
    reply: { body: { token: "ghs_repo_token" } },
  },
];

function localTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const pad = (n: number) => String(n).padStart(2, "0");
  const zone = offset === 0 ? "Z" : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.456${zone}`;
}

describe("every call's request on the wire", () => {
  it.each(cases)("$name", async ({ call, method, url, body, reply }) => {
    const { server, client } = await harness([reply ?? { status: 200 }]);
    await call(client);
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.method).toBe(method);
    expect(request.url).toBe(url);
    if (body === undefined) {
      expect(request.text).toBe("");
      expect(request.headers["content-type"]).toBeUndefined();
    } else {
      expect(request.text).toBe(body);
      expect(request.headers["content-type"]).toBe("application/json");
    }
    // Go sends Content-Length: 0 for a body-less POST/PUT, and nothing for GET/DELETE.
    if (body === undefined && (method === "POST" || method === "PUT")) expect(request.headers["content-length"]).toBe("0");
    if (method === "GET") expect(request.headers["content-length"]).toBeUndefined();
    expect(request.headers["authorization"]).toBe("Token bkaa_test_token_7f3c9e2d1a");
    expect(request.headers["user-agent"]).toMatch(/^buildkite-agent\/3\.137\.0\.42 \([a-z0-9]+; [a-z0-9]+\)$/);
  });
});

describe("log chunks", () => {
  it("posts gzip with text/plain, sequence/offset/size and no JSON or timeout header", async () => {
    const { server, client } = await harness([{ status: 201 }]);
    const data = Buffer.from("hello, \u00e9 world\n");
    const result = await client.uploadChunk("job.1", { data, sequence: 3, offset: 1024 });
    const request = server.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`/v3/jobs/job%2E1/chunks?sequence=3&offset=1024&size=${data.length}`);
    expect(request.headers["content-type"]).toBe("text/plain");
    expect(request.headers["content-encoding"]).toBe("gzip");
    expect(request.headers["buildkite-timeout-milliseconds"]).toBeUndefined();
    expect(gunzipSync(request.rawBody).equals(data)).toBe(true);
    expect(result.compressedBytes).toBe(request.rawBody.length);
  });
});

describe("acquire and pipeline upload headers", () => {
  it("acquire sends the lock header and a backoff sequence counting attempts from 0", async () => {
    const { server, client } = await harness([{ status: 423 }, { status: 503 }, { body: JOB }]);
    await client.acquireJob("job-1");
    expect(server.requests.map((r) => r.headers["x-buildkite-lock-acquire-job"])).toEqual(["1", "1", "1"]);
    expect(server.requests.map((r) => r.headers["x-buildkite-backoff-sequence"])).toEqual(["0", "1", "2"]);
  });

  it("pipeline upload keeps its UUID across retries and counts the backoff sequence", async () => {
    const { server, client } = await harness([{ status: 502 }, { status: 500 }, { status: 201 }]);
    const result = await client.uploadPipeline("job-1", { pipeline: { steps: [] } });
    const bodies = server.requests.map((r) => JSON.parse(r.text));
    expect(new Set(bodies.map((b) => b.uuid)).size).toBe(1);
    expect(bodies[0].uuid).toBe(result.uuid);
    expect(result.async).toBe(false);
    expect(server.requests.map((r) => r.headers["x-buildkite-backoff-sequence"])).toEqual(["0", "1", "2"]);
  });

  it("step update keeps one idempotency UUID across retries", async () => {
    const { server, client } = await harness([{ status: 500 }, { status: 200 }]);
    await client.updateStep("s", { attribute: "label", value: "x" });
    const uuids = server.requests.map((r) => JSON.parse(r.text).idempotency_uuid);
    expect(uuids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuids[1]).toBe(uuids[0]);
  });
});
