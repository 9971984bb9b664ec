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
import { WRITE_BYTES, makeCorpus, makeSecrets, prng, writes } from "../lib/log-corpus.mjs";

export const name = "log pipeline (redact → timestamp → chunk)";

const MB = 1024 * 1024;
const CHUNK_MAX = 100 * 1024;
const here = fileURLToPath(import.meta.url);

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
  } else if (mode === "baseline") {
    // The same writes into a sink with no stage: what Node and the generator cost alone.
    await pipeline(
      Readable.from(writes(corpus, total)),
      new Writable({
        write(piece, _encoding, callback) {
          outBytes += piece.length;
          callback();
        },
      }),
    );
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
    ["baseline", 1024 * MB, "baseline: the generated writes into a sink, no stage, 1 GB"],
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
