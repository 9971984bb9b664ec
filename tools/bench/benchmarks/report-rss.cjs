// Preloaded into a measured child (`node -r report-rss.cjs …`): writes the
// process's peak RSS in KiB to $BENCH_RSS_FILE when it exits, so the benchmarks
// need no external `time` binary.
const fs = require("node:fs");
process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
