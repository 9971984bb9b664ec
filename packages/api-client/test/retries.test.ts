import type { ApiClient } from "../src/index.js";
import { harness, JOB, REGISTRATION, rejection } from "./harness.js";
import type { Reply } from "./recording-server.js";

// random() is fixed at 0.5, so default jitter [0, 1 s) adds 500 ms and the
// acquire/secrets range [-1 s, 5 s) adds 2000 ms.
const EXPSUB_2S = [2000, 3216, 5172, 8317, 13374, 21508, 34587, 55619, 89442, 143833, 231298];
const EXPSUB_500MS = [500, 737, 1087, 1603, 2364, 3486, 5141, 7581, 11180];
const times = (n: number, ms: number): number[] => Array.from({ length: n }, () => ms);
const plus = (list: number[], ms: number): number[] => list.map((x) => x + ms);

const ok: Reply = { status: 200, body: {} };
const s = (status: number, extra: Partial<Reply> = {}): Reply => ({ status, body: { message: "nope" }, ...extra });
const reset: Reply = { destroy: true };

interface RetryCase {
  readonly name: string;
  readonly call: (client: ApiClient) => Promise<unknown>;
  readonly script: readonly Reply[];
  /** Requests the server must see. */
  readonly attempts: number;
  /** Exact retry sleeps, in order. */
  readonly sleeps: readonly number[];
  /** The error code when the call fails; undefined when it succeeds. */
  readonly code?: string;
  readonly status?: number;
}

const register = (c: ApiClient) => c.register(REGISTRATION);
const finish = (c: ApiClient) => c.finishJob("job-1", { exitStatus: "0", chunksFailedCount: 0 });
const chunk = (c: ApiClient) => c.uploadChunk("job-1", { data: Buffer.from("x"), sequence: 1, offset: 0 });
const target = { scope: "job", id: "job-1" } as const;

const cases: RetryCase[] = [
  // register: 30 × Constant(10 s), non-retryable statuses break.
  { name: "register 500 × 30", call: register, script: [s(500)], attempts: 30, sleeps: times(29, 10_000), code: "API_HTTP_STATUS", status: 500 },
  { name: "register 401 breaks", call: register, script: [s(401)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 401 },
  {
    name: "register 429 then success",
    call: register,
    script: [s(429, { headers: { "Retry-After": "1" } }), { body: { access_token: "bkaa_x_access", ping_interval: 1, heartbeat_interval: 1 } }],
    attempts: 2,
    sleeps: [10_000], // Retry-After is not honoured by register
  },
  { name: "register with an undecodable 200 is not retried", call: register, script: [{ body: "<html>" }], attempts: 1, sleeps: [], code: "API_BAD_RESPONSE" },
  // connect/disconnect retry every error.
  { name: "connect 401 × 10", call: (c) => c.connect(), script: [s(401)], attempts: 10, sleeps: times(9, 5000), code: "API_HTTP_STATUS", status: 401 },
  { name: "connect after resets", call: (c) => c.connect(), script: [reset, reset, ok], attempts: 3, sleeps: [5000, 5000] },
  { name: "disconnect 404 × 4", call: (c) => c.disconnect(), script: [s(404)], attempts: 4, sleeps: times(3, 1000), code: "API_HTTP_STATUS", status: 404 },
  // ping: never retried.
  { name: "ping 500 is not retried", call: (c) => c.ping(), script: [s(500)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 500 },
  { name: "ping reset is not retried", call: (c) => c.ping(), script: [reset], attempts: 1, sleeps: [], code: "API_NETWORK" },
  // heartbeat: 10 × 5 s, no jitter; transport errors always retried; bad status/body unrecoverable.
  { name: "heartbeat 503 then ok", call: (c) => c.heartbeat(), script: [s(503), ok], attempts: 2, sleeps: [5000] },
  { name: "heartbeat 500 × 10", call: (c) => c.heartbeat(), script: [s(500)], attempts: 10, sleeps: times(9, 5000), code: "API_HTTP_STATUS" },
  { name: "heartbeat 401 breaks", call: (c) => c.heartbeat(), script: [s(401)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 401 },
  { name: "heartbeat reset retried", call: (c) => c.heartbeat(), script: [reset, ok], attempts: 2, sleeps: [5000] },
  { name: "heartbeat malformed JSON breaks", call: (c) => c.heartbeat(), script: [{ body: "{oops" }], attempts: 1, sleeps: [], code: "API_BAD_RESPONSE" },
  // CLI agent commands: 5 × Constant(1 s) + jitter.
  { name: "stop 500 × 5", call: (c) => c.stop(), script: [s(500)], attempts: 5, sleeps: times(4, 1500), code: "API_HTTP_STATUS" },
  { name: "pause 422 breaks", call: (c) => c.pause(), script: [s(422)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 422 },
  { name: "resume 502 then ok", call: (c) => c.resume(), script: [s(502), ok], attempts: 2, sleeps: [1500] },
  // accept: only transport errors are retried.
  { name: "accept 500 breaks", call: (c) => c.acceptJob("job-1"), script: [s(500)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 500 },
  { name: "accept 429 breaks", call: (c) => c.acceptJob("job-1"), script: [s(429)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 429 },
  { name: "accept resets retried", call: (c) => c.acceptJob("job-1"), script: [reset, reset, { body: JOB }], attempts: 3, sleeps: [5000, 5000] },
  // acquire: Exponential(2 s) + jitter [-1 s, 5 s); 423/429/5xx retried honouring Retry-After.
  {
    name: "acquire 423 × 7 is exhausted",
    call: (c) => c.acquireJob("job-1"),
    script: [s(423)],
    attempts: 7,
    sleeps: plus([1000, 2000, 4000, 8000, 16_000, 32_000], 2000),
    code: "API_HTTP_STATUS",
    status: 423,
  },
  {
    name: "acquire honours Retry-After (Go-duration seconds only)",
    call: (c) => c.acquireJob("job-1"),
    script: [
      s(423, { headers: { "Retry-After": "3" } }),
      s(429, { headers: { "Retry-After": "1.5" } }),
      s(503, { headers: { "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" } }),
      { body: JOB },
    ],
    attempts: 4,
    sleeps: [3000, 1500, 4000 + 2000],
  },
  { name: "acquire 422 breaks", call: (c) => c.acquireJob("job-1"), script: [s(422)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 422 },
  { name: "acquire 404 breaks", call: (c) => c.acquireJob("job-1"), script: [s(404)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 404 },
  { name: "acquire retries a reset", call: (c) => c.acquireJob("job-1"), script: [reset, { body: JOB }], attempts: 2, sleeps: [3000] },
  { name: "acquire retries a malformed 200", call: (c) => c.acquireJob("job-1"), script: [{ body: "garbage" }, { body: JOB }], attempts: 2, sleeps: [3000] },
  // start: 7 × Exponential(2 s), no jitter.
  {
    name: "start 502 × 7",
    call: (c) => c.startJob("job-1"),
    script: [s(502)],
    attempts: 7,
    sleeps: [1000, 2000, 4000, 8000, 16_000, 32_000],
    code: "API_HTTP_STATUS",
  },
  { name: "start 404 breaks", call: (c) => c.startJob("job-1"), script: [s(404)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 404 },
  // chunks: ExpSub(2 s) + jitter × 12; any 4xx (429 too) drops the chunk.
  { name: "chunk 429 is dropped at once", call: chunk, script: [s(429)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 429 },
  { name: "chunk 500 × 12", call: chunk, script: [s(500)], attempts: 12, sleeps: plus(EXPSUB_2S, 500), code: "API_HTTP_STATUS" },
  { name: "chunk reset retried", call: chunk, script: [reset, { status: 201 }], attempts: 2, sleeps: [2500] },
  // header times: 10 × 5 s, 4xx breaks.
  { name: "header times 400 breaks", call: (c) => c.saveHeaderTimes("job-1", { "0": "t" }), script: [s(400)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS" },
  { name: "header times 500 then ok", call: (c) => c.saveHeaderTimes("job-1", { "0": "t" }), script: [s(500), ok], attempts: 2, sleeps: [5000] },
  // finish: ExpSub(2 s) + jitter × 12; non-retryable status breaks.
  { name: "finish 500 × 12", call: finish, script: [s(500)], attempts: 12, sleeps: plus(EXPSUB_2S, 500), code: "API_HTTP_STATUS" },
  { name: "finish 422 breaks", call: finish, script: [s(422)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 422 },
  // job update / promise failure / meta-data set: 10 × ExpSub(2 s), no jitter.
  { name: "update job 503 × 10", call: (c) => c.updateJob("job-1", { timeout: "1" }), script: [s(503)], attempts: 10, sleeps: EXPSUB_2S.slice(0, 9), code: "API_HTTP_STATUS" },
  { name: "promise failure 500 then 204", call: (c) => c.promiseFailure("job-1", { exitStatus: 1 }), script: [s(500), { status: 204 }], attempts: 2, sleeps: [2000] },
  { name: "meta-data set 403 breaks", call: (c) => c.setMetaData("job-1", { key: "k", value: "v" }), script: [s(403)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS" },
  // meta-data batch: breaks only on 401/404; other 4xx retried.
  { name: "meta-data batch 422 × 10", call: (c) => c.setMetaDataBatch("job-1", [{ key: "k", value: "v" }]), script: [s(422)], attempts: 10, sleeps: EXPSUB_2S.slice(0, 9), code: "API_HTTP_STATUS" },
  { name: "meta-data batch 401 breaks", call: (c) => c.setMetaDataBatch("job-1", []), script: [s(401)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 401 },
  { name: "meta-data batch 404 breaks", call: (c) => c.setMetaDataBatch("job-1", []), script: [s(404)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 404 },
  // meta-data get/exists/keys: 10 × Constant(5 s).
  { name: "meta-data get 404 (unset) breaks", call: (c) => c.getMetaData(target, "k"), script: [s(404)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 404 },
  { name: "meta-data exists 500 × 10", call: (c) => c.metaDataExists(target, "k"), script: [s(500)], attempts: 10, sleeps: times(9, 5000), code: "API_HTTP_STATUS" },
  { name: "meta-data keys reset then ok", call: (c) => c.metaDataKeys(target), script: [reset, { body: [] }], attempts: 2, sleeps: [5000] },
  // annotations: 5 × Constant(1 s) + jitter.
  { name: "annotate 500 × 5", call: (c) => c.createAnnotation("job-1", { body: "b" }), script: [s(500)], attempts: 5, sleeps: times(4, 1500), code: "API_HTTP_STATUS" },
  { name: "annotation remove 404 breaks", call: (c) => c.removeAnnotation("job-1", "ctx"), script: [s(404)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS" },
  // artifacts: create breaks on 4xx but 429; update and search retry everything.
  { name: "artifacts create 403 breaks", call: (c) => c.createArtifacts("job-1", { artifacts: [], uploadDestination: "" }), script: [s(403)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 403 },
  { name: "artifacts create 429 × 10", call: (c) => c.createArtifacts("job-1", { artifacts: [], uploadDestination: "" }), script: [s(429)], attempts: 10, sleeps: EXPSUB_500MS, code: "API_HTTP_STATUS", status: 429 },
  { name: "artifacts create retries a malformed 200", call: (c) => c.createArtifacts("job-1", { artifacts: [], uploadDestination: "" }), script: [{ body: "nope" }, { body: { artifact_ids: [] } }], attempts: 2, sleeps: [500] },
  { name: "artifacts update 404 × 10", call: (c) => c.updateArtifacts("job-1", []), script: [s(404)], attempts: 10, sleeps: EXPSUB_500MS, code: "API_HTTP_STATUS" },
  { name: "artifacts search 404 × 10", call: (c) => c.searchArtifacts("b-1", { query: "*" }), script: [s(404)], attempts: 10, sleeps: times(9, 5000), code: "API_HTTP_STATUS" },
  // pipeline upload: 60 × Constant(5 s).
  { name: "pipeline upload 500 × 60", call: (c) => c.uploadPipeline("job-1", { pipeline: {} }), script: [s(500)], attempts: 60, sleeps: times(59, 5000), code: "API_HTTP_STATUS" },
  { name: "pipeline upload 422 breaks", call: (c) => c.uploadPipeline("job-1", { pipeline: {} }), script: [s(422)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 422 },
  // steps: 10 × Constant(5 s); build cancel 5 × 1 s + jitter.
  { name: "step get 500 then ok", call: (c) => c.getStep("s", {}), script: [s(500), { body: { output: "x" } }], attempts: 2, sleeps: [5000] },
  { name: "step cancel 400 breaks", call: (c) => c.cancelStep("s", { buildId: "", force: false, forceGracePeriod: 10 }), script: [s(400)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS" },
  { name: "build cancel 503 × 5", call: (c) => c.cancelBuild("b-1"), script: [s(503)], attempts: 5, sleeps: times(4, 1500), code: "API_HTTP_STATUS" },
  // OIDC: 5 × Exponential(2 s).
  { name: "OIDC 500 × 5", call: (c) => c.oidcToken("job-1"), script: [s(500)], attempts: 5, sleeps: [1000, 2000, 4000, 8000], code: "API_HTTP_STATUS" },
  // secrets: 3 × Exponential(2 s) + jitter [-1 s, 5 s), only 429/5xx/transport.
  { name: "secret 500 × 3", call: (c) => c.getSecret("job-1", "k"), script: [s(500)], attempts: 3, sleeps: [3000, 4000], code: "API_HTTP_STATUS" },
  { name: "secret 404 breaks", call: (c) => c.getSecret("job-1", "k"), script: [s(404)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 404 },
  // repository access token: 3 × Constant(5 s), Retry-After honoured, transport always retried.
  {
    name: "repository token honours Retry-After",
    call: (c) => c.repositoryAccessToken("job-1", "r"),
    script: [s(503, { headers: { "Retry-After": "2" } }), s(429), { body: { token: "ghs_abcdef" } }],
    attempts: 3,
    sleeps: [2000, 5000],
  },
  { name: "repository token 401 breaks", call: (c) => c.repositoryAccessToken("job-1", "r"), script: [s(401)], attempts: 1, sleeps: [], code: "API_HTTP_STATUS", status: 401 },
  { name: "repository token reset retried", call: (c) => c.repositoryAccessToken("job-1", "r"), script: [reset, reset, reset], attempts: 3, sleeps: [5000, 5000], code: "API_NETWORK" },
];

describe("per-call retry budgets", () => {
  it.each(cases)("$name", async ({ call, script, attempts, sleeps, code, status }) => {
    const { server, client, logs, sleeps: slept } = await harness(script);
    if (code === undefined) {
      await call(client);
    } else {
      const error = await rejection(call(client));
      expect(error.code).toBe(code);
      if (status !== undefined) expect(error.status).toBe(status);
      expect(error.attempts).toBe(attempts);
    }
    expect(server.requests).toHaveLength(attempts);
    expect(slept).toEqual(sleeps);
    // Every retry is logged at warn with "attempt n of max" and its delay.
    const warnings = logs.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(sleeps.length);
    warnings.forEach((w, i) => {
      expect(w.message).toMatch(new RegExp(`\\(attempt ${i + 1} of \\d+, retrying in [0-9.]+m?s\\)$`));
      expect(w.fields).toMatchObject({ attempt: i + 1, delayMs: sleeps[i] });
    });
  });
});
