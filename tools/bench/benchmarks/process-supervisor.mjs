// Process supervision costs the agent pays on every job: (1) cancellation
// latency, from cancel() to every process of the group gone, for a job that
// exits on SIGTERM and for one that ignores it (which must take the signal grace
// period, here 1 s); (2) raw output throughput of the same 200 MB through a PTY
// and through pipes, read from the supervisor's output stream.
import { spawnSync } from "node:child_process";
import { startProcess } from "@agent/process-supervisor";

export const name = "process supervisor";

const ENV = { PATH: "/usr/bin:/bin" };
const GRACE_MS = 1000;
const RUNS = 5;
const BYTES = 200 * 1024 * 1024;

function groupAlive(id) {
  const ps = spawnSync("ps", ["-e", "-o", "pgid=,sid=,stat="], { encoding: "utf8" });
  return ps.stdout.split("\n").some((line) => {
    const [pgid, sid, stat] = line.trim().split(/\s+/);
    return stat && !stat.startsWith("Z") && (Number(pgid) === id || Number(sid) === id);
  });
}

// Listens rather than iterating: leaving a for-await loop destroys the stream,
// which closes the PTY and hangs up the job (SIGHUP) before cancel() runs.
function waitFor(output, needle) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk) => {
      seen += chunk.toString("latin1");
      if (seen.includes(needle)) {
        output.off("data", onData);
        output.resume();
        resolve();
      }
    };
    output.on("data", onData);
    output.once("end", () => reject(new Error(`output ended before ${needle}`)));
  });
}

async function cancelLatency(script, pty) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const child = await startProcess("/bin/sh", ["-c", script], {
      cwd: "/tmp",
      env: ENV,
      pty,
      signalGracePeriodMs: GRACE_MS,
      cancelGracePeriodMs: GRACE_MS + 1000,
    });
    await waitFor(child.output, "ready");
    const started = performance.now();
    await child.cancel();
    const elapsed = performance.now() - started;
    await child.exited;
    if (groupAlive(child.pid)) throw new Error(`group ${child.pid} survived cancel`);
    times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
}

async function throughput(pty) {
  const child = await startProcess("/usr/bin/head", ["-c", String(BYTES), "/dev/zero"], { cwd: "/tmp", env: ENV, pty });
  const started = performance.now();
  let received = 0;
  for await (const chunk of child.output) received += chunk.length;
  const seconds = (performance.now() - started) / 1000;
  const status = await child.exited;
  if (received !== BYTES || status.exitCode !== 0) throw new Error(`got ${received} bytes, exit ${status.exitCode}`);
  return received / 1024 / 1024 / seconds;
}

export async function run({ log }) {
  for (const [mode, pty] of [["pty", true], ["pipes", false]]) {
    const polite = await cancelLatency("echo ready; exec sleep 1000", pty);
    log(`cancel → group gone, exits on SIGTERM (${mode}): median ${polite.median.toFixed(1)} ms, max ${polite.max.toFixed(1)} ms`);
    const stubborn = await cancelLatency("trap '' TERM; echo ready; sleep 1000", pty);
    log(
      `cancel → group gone, ignores SIGTERM (${mode}, grace ${GRACE_MS} ms): median ${stubborn.median.toFixed(1)} ms ` +
        `(grace +${(stubborn.median - GRACE_MS).toFixed(1)} ms), max ${stubborn.max.toFixed(1)} ms`,
    );
  }
  for (const [mode, pty] of [["pty", true], ["pipes", false]]) {
    const rates = [];
    for (let run = 0; run < 3; run++) rates.push(await throughput(pty));
    rates.sort((a, b) => a - b);
    log(`output throughput, 200 MB of zeros (${mode}): median ${rates[1].toFixed(0)} MB/s (min ${rates[0].toFixed(0)}, max ${rates[2].toFixed(0)})`);
  }
}
