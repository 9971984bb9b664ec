import { createHash, randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createReadStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { call, runningJob, startServer } from "./harness.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "agent-api-server-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Instructions {
  action: { url: string; method: string; path: string; file_input: string };
  data: Record<string, string>;
}

/**
 * Uploads a file the way the agent's Buildkite-hosted uploader does: the `data`
 * fields (with ${artifact:path} replaced), then the file part last, streamed from disk.
 */
async function uploadForm(instructions: Instructions, artifactPath: string, file: string, size: number, fields?: Record<string, string>) {
  const url = new URL(instructions.action.url);
  url.pathname = instructions.action.path;
  const boundary = `----agent${randomUUID()}`;
  let head = "";
  for (const [name, value] of Object.entries(fields ?? instructions.data)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value.replaceAll("${artifact:path}", artifactPath)}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${instructions.action.file_input}"; filename="${artifactPath}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const req = request(url, {
    method: instructions.action.method,
    headers: {
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      "Content-Length": Buffer.byteLength(head) + size + Buffer.byteLength(tail),
    },
  });
  const response = once(req, "response");
  req.write(head);
  for await (const chunk of createReadStream(file)) {
    if (!req.write(chunk)) await once(req, "drain");
  }
  req.end(tail);
  const [res] = (await response) as [import("node:http").IncomingMessage];
  return { status: res.statusCode, text: (await buffer(res)).toString() };
}

function artifactBody(p: string, content: Buffer) {
  return {
    path: p,
    absolute_path: `/build/${p}`,
    glob_path: "",
    file_size: content.length,
    sha1sum: createHash("sha1").update(content).digest("hex"),
    sha256sum: createHash("sha256").update(content).digest("hex"),
    content_type: "application/octet-stream",
    id: "",
    job_id: "",
    created_at: "0001-01-01T00:00:00Z",
  };
}

describe("artifacts", () => {
  it("uploads a multi-megabyte file through the returned form instructions and serves it back", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint, { command: "x", key: "build" });
    const content = randomBytes(4 * 1024 * 1024 + 3);
    const file = path.join(dir, "big.bin");
    writeFileSync(file, content);
    const small = Buffer.from("hello\n");
    const smallFile = path.join(dir, "small.log");
    writeFileSync(smallFile, small);

    const create = await call(endpoint, "POST", `jobs/${job.id}/artifacts`, {
      token: job.token,
      body: {
        id: "batch-1",
        artifacts: [artifactBody("pkg/big.bin", content), artifactBody("log/small.log", small)],
        upload_destination: "",
        multipart_supported: true,
      },
    });
    expect(create.status).toBe(201);
    expect(create.json).toEqual({
      id: "batch-1",
      artifact_ids: [expect.any(String), expect.any(String)],
      upload_instructions: {
        action: { url: `${new URL(endpoint).origin}/`, method: "POST", path: "/_artifacts/uploads", file_input: "file" },
        data: { key: `${job.id}/\${artifact:path}`, policy: expect.any(String), signature: expect.any(String) },
      },
      per_artifact_instructions: {},
    });
    const [bigId, smallId] = create.json.artifact_ids as string[];
    // A retried create with the same batch id gets the same artifacts.
    const retry = await call(endpoint, "POST", `jobs/${job.id}/artifacts`, {
      token: job.token,
      body: { id: "batch-1", artifacts: [artifactBody("pkg/big.bin", content), artifactBody("log/small.log", small)], upload_destination: "" },
    });
    expect(retry.json.artifact_ids).toEqual([bigId, smallId]);

    expect(await uploadForm(create.json.upload_instructions, "pkg/big.bin", file, content.length)).toEqual({ status: 204, text: "" });
    expect((await uploadForm(create.json.upload_instructions, "log/small.log", smallFile, small.length)).status).toBe(204);
    const stored = server.artifacts(buildId).find((a) => a.id === bigId)!;
    expect(stored.file).toMatchObject({ size: content.length, sha256: createHash("sha256").update(content).digest("hex") });
    expect((await buffer(server.artifactContent(bigId!))).equals(content)).toBe(true);

    const update = await call(endpoint, "PUT", `jobs/${job.id}/artifacts`, {
      token: job.token,
      body: { artifacts: [{ id: bigId, state: "finished" }, { id: smallId, state: "finished" }] },
    });
    expect(update.json).toEqual({});

    const search = await call(endpoint, "GET", `builds/${buildId}/artifacts/search?query=pkg%2F*.bin&state=finished`, { token: job.token });
    expect(search.json).toEqual([
      {
        id: bigId,
        path: "pkg/big.bin",
        absolute_path: "/build/pkg/big.bin",
        glob_path: "",
        file_size: content.length,
        sha1sum: createHash("sha1").update(content).digest("hex"),
        sha256sum: createHash("sha256").update(content).digest("hex"),
        job_id: job.id,
        created_at: expect.stringMatching(/Z$/),
        url: `${new URL(endpoint).origin}/_artifacts/${bigId}`,
        content_type: "application/octet-stream",
      },
    ]);
    const download = await fetch(search.json[0].url);
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
    expect(await server.waitForEvent("artifact.uploaded", { match: (e) => e.artifactId === bigId, signal: AbortSignal.timeout(1000) })).toMatchObject({
      size: content.length,
    });
  });

  it("searches by query glob, scope and state, with and without duplicates", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint, { command: "x", key: "build" });
    const other = server.createJob(buildId, { command: "y", key: "test" });
    const create = async (jobId: string, token: string, batch: string, paths: string[]) => {
      const answer = await call(endpoint, "POST", `jobs/${jobId}/artifacts`, {
        token,
        body: { id: batch, artifacts: paths.map((p) => artifactBody(p, Buffer.from(p))), upload_destination: "" },
      });
      await call(endpoint, "PUT", `jobs/${jobId}/artifacts`, {
        token,
        body: { artifacts: (answer.json.artifact_ids as string[]).map((id) => ({ id, state: "finished" })) },
      });
      return answer.json.artifact_ids as string[];
    };
    await create(job.id, job.token, "b1", ["a.log", "dir/b.log", "c.txt"]);
    await create(job.id, job.token, "b2", ["a.log"]);
    await create(other.id, other.token, "b3", ["t.log"]);
    const search = async (query: string) =>
      ((await call(endpoint, "GET", `builds/${buildId}/artifacts/search?${query}`, { token: job.token })).json as { path: string }[]).map((a) => a.path);
    expect(await search("query=*&state=finished")).toEqual(["a.log", "dir/b.log", "c.txt", "t.log"]);
    expect(await search("include_duplicates=true&query=*.log&state=finished")).toEqual(["a.log", "dir/b.log", "a.log", "t.log"]);
    expect(await search("query=*.log&scope=test&state=finished")).toEqual(["t.log"]);
    expect(await search(`query=?.txt&scope=${job.id}`)).toEqual(["c.txt"]);
    expect((await call(endpoint, "GET", `builds/${buildId}/artifacts/search?query=*&state=bogus`, { token: job.token })).status).toBe(400);
    expect((await call(endpoint, "GET", `builds/${buildId}/artifacts/search?query=*&include_duplicates=yes`, { token: job.token })).status).toBe(400);
  });

  it("refuses an upload form whose signature was not issued by the server, and stores nothing", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const content = Buffer.from("data");
    const file = path.join(dir, "f");
    writeFileSync(file, content);
    const create = await call(endpoint, "POST", `jobs/${job.id}/artifacts`, {
      token: job.token,
      body: { id: "b", artifacts: [artifactBody("f", content)], upload_destination: "" },
    });
    const forged = { ...create.json.upload_instructions.data, signature: "00".repeat(32) };
    const answer = await uploadForm(create.json.upload_instructions, "f", file, content.length, forged);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toEqual({ message: expect.any(String) });
    expect(server.artifacts(buildId)[0]!.file).toBeUndefined();
  });

  it.each([
    ["no artifacts", { id: "b", artifacts: [], upload_destination: "" }],
    ["no batch id", { artifacts: [{ path: "x", file_size: 1 }] }],
    ["an artifact without a path", { id: "b", artifacts: [{ file_size: 1 }] }],
    ["a negative file size", { id: "b", artifacts: [{ path: "x", file_size: -1 }] }],
  ])("answers 422 for a batch with %s", async (_name, body) => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    expect((await call(endpoint, "POST", `jobs/${job.id}/artifacts`, { token: job.token, body })).status).toBe(422);
  });

  it("answers 422 for a state update naming another job's artifact or an unknown state", async () => {
    const { server, endpoint } = await startServer();
    const { job, buildId } = await runningJob(server, endpoint);
    const other = server.createJob(buildId, { command: "y" });
    const created = await call(endpoint, "POST", `jobs/${job.id}/artifacts`, {
      token: job.token,
      body: { id: "b", artifacts: [artifactBody("f", Buffer.from("x"))], upload_destination: "" },
    });
    const id = created.json.artifact_ids[0];
    expect((await call(endpoint, "PUT", `jobs/${other.id}/artifacts`, { token: other.token, body: { artifacts: [{ id, state: "finished" }] } })).status).toBe(422);
    expect((await call(endpoint, "PUT", `jobs/${job.id}/artifacts`, { token: job.token, body: { artifacts: [{ id, state: "done" }] } })).status).toBe(422);
  });
});

// Regression: a failure opening or writing the stored file while the form parser
// waited for more of the body had no error listener and crashed the process.
it("answers 500 when its artifact directory disappears mid-upload, and keeps serving", async () => {
  const { server, endpoint } = await startServer({ tempDir: dir });
  const { job } = await runningJob(server, endpoint);
  const content = Buffer.from("abc");
  const create = await call(endpoint, "POST", `jobs/${job.id}/artifacts`, {
    token: job.token,
    body: { id: "b", artifacts: [artifactBody("a.txt", content)], upload_destination: "" },
  });
  const instructions = create.json.upload_instructions as Instructions;
  for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });

  const boundary = "----regression";
  let head = "";
  for (const [name, value] of Object.entries(instructions.data)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value.replaceAll("${artifact:path}", "a.txt")}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n`;
  const url = new URL(instructions.action.path, instructions.action.url);
  const req = request(url, {
    method: "POST",
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Transfer-Encoding": "chunked" },
  });
  const response = once(req, "response");
  req.write(`${head}abc`);
  // The file body is still coming while the open fails.
  await new Promise((resolve) => setTimeout(resolve, 150));
  req.end(`\r\n--${boundary}--\r\n`);
  const [res] = (await response) as [import("node:http").IncomingMessage];
  expect(res.statusCode).toBe(500);
  await buffer(res);
  expect((await call(endpoint, "GET", `jobs/${job.id}`, { token: job.token })).status).toBe(200);
});
