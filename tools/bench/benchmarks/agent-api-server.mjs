// Throughput of @agent/agent-api-server on loopback: how many pings and how many
// log chunk uploads (gzip of ~100 KB of log text, validated by gunzipping) per
// second it answers with concurrent keep-alive clients, and the latency spread.
// The clients share this process with the server, so the figures are a floor for
// what the server alone could do on this machine.
import http from "node:http";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { AgentApiServer } from "@agent/agent-api-server";

export const name = "agent-api-server throughput";

const DURATION_MS = 3000;
const IN_FLIGHT = 32;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function send(agent, url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function load(label, makeRequest, log) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const latencies = [];
  let failures = 0;
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const status = await makeRequest(agent);
      latencies.push(performance.now() - t0);
      if (status >= 300) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  log(
    `${label}: ${Math.round(latencies.length / seconds)} req/s over ${latencies.length} requests, ` +
      `${IN_FLIGHT} in flight, p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms` +
      (failures > 0 ? `, ${failures} non-2xx` : ""),
  );
}

/** ~100 KB of log-like text: timestamps, counters and hex, so gzip has realistic work. */
function logText(bytes) {
  const lines = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `2026-08-20T01:02:${String(i % 60).padStart(2, "0")}Z step ${i} ok ${randomBytes(12).toString("hex")} in ${i % 997} ms\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join("")).subarray(0, bytes);
}

export async function run({ log }) {
  const server = new AgentApiServer({ registrationToken: "bench" });
  const { endpoint } = await server.listen();
  try {
    const tokens = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      const res = await fetch(`${endpoint}/register`, { method: "POST", headers: { Authorization: "Token bench" }, body: JSON.stringify({ name: `bench-${i}` }) });
      tokens.push((await res.json()).access_token);
    }
    let next = 0;
    await load("ping", (agent) => send(agent, `${endpoint}/ping`, "GET", { Authorization: `Token ${tokens[next++ % tokens.length]}` }), log);

    const build = server.createBuild({ jobs: [{ command: "bench" }] });
    const jobId = server.jobs(build.id)[0].id;
    const ping = await (await fetch(`${endpoint}/ping`, { headers: { Authorization: `Token ${tokens[0]}` } })).json();
    await fetch(`${endpoint}/jobs/${ping.job.id}/accept`, { method: "PUT", headers: { Authorization: `Token ${tokens[0]}` } });
    const jobToken = server.job(jobId).token;
    await fetch(`${endpoint}/jobs/${jobId}/start`, { method: "PUT", headers: { Authorization: `Token ${jobToken}` }, body: "{}" });
    const text = logText(100 * 1024);
    const body = gzipSync(text);
    log(`chunk: ${text.length} bytes of log text, ${body.length} bytes gzipped`);
    let sequence = 0;
    await load(
      "chunk upload",
      (agent) => {
        sequence += 1;
        const path = `${endpoint}/jobs/${jobId}/chunks?sequence=${sequence}&offset=${(sequence - 1) * text.length}&size=${text.length}`;
        return send(agent, path, "POST", {
          Authorization: `Token ${jobToken}`,
          "Content-Type": "text/plain",
          "Content-Encoding": "gzip",
          "Content-Length": body.length,
        }, body);
      },
      log,
    );
  } finally {
    await server.close();
  }
}
