// Log pipeline throughput and memory: generated job output (text, ANSI colours,
// \r progress redraws, some embedded secrets) in ~64 KB writes goes through
// redactor (20 secrets) → ANSI timestamper → chunker (100 KB chunks, consumed as
// they come), as Node streams and as the synchronous classes; then each stage
// alone. Every run is a child process, so its peak RSS
// (process.resourceUsage().maxRSS) is its own; 100 MB and 1 GB runs should show
// the same, flat RSS.
import { spawnSync } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import {
  LogChunker,
  Redactor,
  Timestamper,
  createLogChunkStream,
  createRedactorStream,
  createTimestamperStream,
} from "@agent/log-redactor";

export const name = "log pipeline (redact → timestamp → chunk)";

const MB = 1024 * 1024;
const WRITE_BYTES = 64 * 1024;
const CHUNK_MAX = 100 * 1024;
const here = fileURLToPath(import.meta.url);

// A fixed-seed PRNG so every run sees the same log.
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeSecrets(random) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const token = (n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
  const secrets = [];
  for (let i = 0; i < 20; i++) {
    if (i === 0) secrets.push(`-----BEGIN OPENSSH PRIVATE KEY-----\n${token(64)}\n${token(64)}\n-----END OPENSSH PRIVATE KEY-----\n`);
    else if (i % 4 === 1) secrets.push(`ghp_${token(36)}`);
    else if (i % 4 === 2) secrets.push(`AKIA${token(16)}`);
    else if (i % 4 === 3) secrets.push(`p@ss w0rd ${token(8)}`);
    else secrets.push(token(24));
  }
  return secrets;
}

// ~1 MB of varied log text, built once; writes are cut from it at moving offsets.
function makeCorpus(random, secrets) {
  const words = "the build step npm install compiling src index ts test passed failed warning error done in seconds downloading layer pulling image docker run cache hit miss".split(" ");
  const lines = [];
  let size = 0;
  while (size < MB) {
    const n = 4 + Math.floor(random() * 14);
    let line = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(" ");
    const roll = random();
    if (roll < 0.15) line = `\x1b[32m${line}\x1b[0m`;
    else if (roll < 0.2) line = `\x1b[1;31merror:\x1b[0m ${line}`;
    else if (roll < 0.22) line = `--- ${line}`;
    else if (roll < 0.25) line = `Progress ${Math.floor(random() * 100)}%\r\x1b[K${line}`;
    if (random() < 0.01) line += ` token=${secrets[Math.floor(random() * secrets.length)]}`;
    line += "\n";
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return Buffer.from(lines.join(""));
}

function* writes(corpus, total) {
  let offset = 0;
  for (let produced = 0; produced < total; produced += WRITE_BYTES) {
    const size = Math.min(WRITE_BYTES, total - produced);
    const buf = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const take = Math.min(size - filled, corpus.length - offset);
      corpus.copy(buf, filled, offset, offset + take);
      filled += take;
      offset = (offset + take) % corpus.length;
    }
    yield buf;
  }
}

async function child(mode, total) {
  const random = prng(42);
  const secrets = makeSecrets(random);
  const corpus = makeCorpus(random, secrets);
  let outBytes = 0;
  let chunks = 0;
  const started = performance.now();
  if (mode === "streams") {
    const chunker = createLogChunkStream({ maxChunkSizeBytes: CHUNK_MAX });
    let expectedOffset = 0;
    await pipeline(Readable.from(writes(corpus, total)), createRedactorStream({ secrets }), createTimestamperStream(), chunker, async (source) => {
      for await (const chunk of source) {
        if (chunk.offset !== expectedOffset || chunk.sequence !== ++chunks) throw new Error("chunk out of order");
        expectedOffset += chunk.size;
        outBytes += chunk.size;
      }
    });
  } else if (mode === "sync") {
    const redactor = new Redactor({ secrets });
    const timestamper = new Timestamper();
    const chunker = new LogChunker({ maxChunkSizeBytes: CHUNK_MAX });
    const drain = () => {
      for (let chunk = chunker.read(); chunk !== undefined; chunk = chunker.read()) {
        chunks++;
        outBytes += chunk.size;
      }
    };
    for (const buf of writes(corpus, total)) {
      chunker.write(timestamper.write(redactor.write(buf)));
      drain();
    }
    chunker.write(timestamper.write(redactor.flush()));
    chunker.flush();
    drain();
  } else {
    const stage =
      mode === "redactor" ? createRedactorStream({ secrets }) : mode === "timestamper" ? createTimestamperStream() : createLogChunkStream({ maxChunkSizeBytes: CHUNK_MAX });
    await pipeline(
      Readable.from(writes(corpus, total)),
      stage,
      new Writable({
        objectMode: mode === "chunker",
        write(piece, _encoding, callback) {
          outBytes += piece.length ?? piece.size;
          chunks++;
          callback();
        },
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({ mbps: total / MB / seconds, seconds, outBytes, chunks, maxRssKb: process.resourceUsage().maxRSS }) + "\n",
  );
}

function measure(mode, total) {
  const result = spawnSync(process.execPath, [here, "--child", mode, String(total)], { encoding: "utf8", maxBuffer: MB });
  if (result.status !== 0) throw new Error(`child ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

export async function run({ log }) {
  const runs = [
    ["streams", 100 * MB, "pipeline, streams, 100 MB"],
    ["streams", 1024 * MB, "pipeline, streams, 1 GB"],
    ["sync", 100 * MB, "pipeline, sync classes, 100 MB"],
    ["sync", 1024 * MB, "pipeline, sync classes, 1 GB"],
    ["redactor", 1024 * MB, "redactor stream alone, 1 GB"],
    ["timestamper", 1024 * MB, "timestamper stream alone, 1 GB"],
    ["chunker", 1024 * MB, "chunker stream alone, 1 GB"],
  ];
  for (const [mode, total, label] of runs) {
    const r = measure(mode, total);
    log(`${label}: ${r.mbps.toFixed(0)} MB/s of input (${r.seconds.toFixed(2)} s, ${(r.outBytes / MB).toFixed(0)} MB out), peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`);
  }
}

if (process.argv[1] === here && process.argv[2] === "--child") {
  await child(process.argv[3], Number(process.argv[4]));
}
