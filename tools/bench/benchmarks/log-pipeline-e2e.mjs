// The log pipeline end to end: a real process writes generated job output (cat of
// a 1 MB log file, repeated) through a PTY and through pipes, via
// @agent/process-supervisor; we read it raw, then through redactor (20 secrets) →
// ANSI timestamper → chunker (100 KB). Each mode's figure is a ratio to the raw
// throughput of the same bytes through the same transport, measured in the same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createLogChunkStream, createRedactorStream, createTimestamperStream } from "@agent/log-redactor";
import { startProcess } from "@agent/process-supervisor";
import { makeCorpus, makeSecrets, prng } from "../lib/log-corpus.mjs";

export const name = "log pipeline end to end (process → redact → timestamp → chunk)";

const MB = 1024 * 1024;
const REPEATS = 200;
const CHUNK_MAX = 100 * 1024;

async function runOnce({ pty, processed, file, secrets }) {
  const child = await startProcess("/bin/sh", ["-c", `i=0; while [ $i -lt ${REPEATS} ]; do cat "$0"; i=$((i+1)); done`, file], {
    cwd: os.tmpdir(),
    env: { PATH: "/usr/bin:/bin" },
    pty,
  });
  let bytes = 0;
  const started = performance.now();
  const count = new Writable({
    objectMode: processed,
    write(piece, _encoding, callback) {
      bytes += processed ? piece.size : piece.length;
      callback();
    },
  });
  const stages = processed
    ? [createRedactorStream({ secrets }), createTimestamperStream(), createLogChunkStream({ maxChunkSizeBytes: CHUNK_MAX })]
    : [];
  await Promise.all([pipeline(child.output, ...stages, count), child.exited]);
  return { seconds: (performance.now() - started) / 1000, bytes };
}

export async function run({ log }) {
  const random = prng(42);
  const secrets = makeSecrets(random);
  const corpus = makeCorpus(random, secrets);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-e2e-"));
  const file = path.join(dir, "job.log");
  fs.writeFileSync(file, corpus);
  const total = corpus.length * REPEATS;
  try {
    for (const pty of [false, true]) {
      const transport = pty ? "PTY" : "pipes";
      const raw = await runOnce({ pty, processed: false, file, secrets });
      const full = await runOnce({ pty, processed: true, file, secrets });
      const rawMbps = total / MB / raw.seconds;
      const fullMbps = total / MB / full.seconds;
      log(
        `${transport}: raw ${rawMbps.toFixed(0)} MB/s, with redact → timestamp → chunk ${fullMbps.toFixed(0)} MB/s ` +
          `(ratio ${(fullMbps / rawMbps).toFixed(2)}; ${(total / MB).toFixed(0)} MB in, ${(full.bytes / MB).toFixed(0)} MB of chunks out)`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
