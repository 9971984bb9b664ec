// Per-call overhead of @agent/api-client over a bare node:http request carrying
// the same bytes to the same loopback server: a ping (GET, small JSON answer
// parsed and schema-checked) and a log chunk upload (gzip + POST). Both sides
// use a keep-alive agent, so the difference is the client's own work (request
// building, got, retry wrapper, validation), not connection set-up.
import http from "node:http";
import { once } from "node:events";
import { gzipSync } from "node:zlib";
import { ApiClient } from "@agent/api-client";

export const name = "api-client overhead per call";

const CALLS = 3000;
const WARMUP = 300;
const PING_BODY = JSON.stringify({ action: "idle", message: "", request_headers: null });
const CHUNK = Buffer.from("x".repeat(4096 - 1) + "\n");

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples = [];
  for (let i = 0; i < CALLS; i++) {
    const started = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e3);
  }
  return median(samples);
}

function raw(agent, port, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks)));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function run({ log }) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "GET") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(PING_BODY);
      } else {
        res.writeHead(201);
        res.end();
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true });
  const client = new ApiClient({ endpoint: `http://127.0.0.1:${port}/v3`, token: "bkaa_bench", version: "3.137.0", build: "x" });
  const headers = { "User-Agent": client.userAgent, Authorization: "Token bkaa_bench", "Accept-Encoding": "gzip" };
  try {
    const rawPing = await time(async () => JSON.parse((await raw(agent, port, "GET", "/v3/ping", headers)).toString()));
    const clientPing = await time(() => client.ping());
    const rawChunk = await time(() =>
      raw(agent, port, "POST", `/v3/jobs/j/chunks?sequence=1&offset=0&size=${CHUNK.length}`, {
        ...headers,
        "Content-Type": "text/plain",
        "Content-Encoding": "gzip",
      }, gzipSync(CHUNK)),
    );
    const clientChunk = await time(() => client.uploadChunk("j", { data: CHUNK, sequence: 1, offset: 0 }));
    log(`${CALLS} calls each, median µs per call (node ${process.version})`);
    log(`ping:         raw node:http ${rawPing.toFixed(0)} µs, ApiClient ${clientPing.toFixed(0)} µs, overhead ${(clientPing - rawPing).toFixed(0)} µs`);
    log(`chunk (4 KiB): raw node:http ${rawChunk.toFixed(0)} µs, ApiClient ${clientChunk.toFixed(0)} µs, overhead ${(clientChunk - rawChunk).toFixed(0)} µs`);
  } finally {
    client.close();
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
}
