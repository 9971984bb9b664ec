import { describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";

const BUILT = new URL("../dist/young-generation.js", import.meta.url).href;

// V8 flags are process-wide, so each case runs in a node process of its own: it
// allocates objects that survive a few collections (as a busy agent's do) and
// reports the largest young generation it saw.
const PROBE = `
const { holdYoungGenerationSize } = await import(process.env.BUILT);
const v8 = await import("node:v8");
const held = process.env.HOLD === "1" ? holdYoungGenerationSize(process.env, process.execArgv) : false;
const youngSize = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
const initial = youngSize();
let largest = initial;
const keep = [];
for (let round = 0; round < 400; round++) {
  for (let i = 0; i < 5000; i++) keep.push({ round, i, text: "line " + i });
  if (keep.length > 60000) keep.splice(0, 20000);
  largest = Math.max(largest, youngSize());
}
console.log(JSON.stringify({ held, initial, largest }));
`;

function probe(env: Record<string, string>): { held: boolean; initial: number; largest: number } {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", PROBE], {
    env: { PATH: process.env.PATH ?? "", BUILT, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out) as { held: boolean; initial: number; largest: number };
}

describe("holdYoungGenerationSize", () => {
  it("keeps the young generation near its initial size where V8 would grow it to its cap", () => {
    const control = probe({ HOLD: "0" });
    expect(control.largest).toBeGreaterThanOrEqual(8 * control.initial);
    const held = probe({ HOLD: "1" });
    expect(held.held).toBe(true);
    expect(held.largest).toBeLessThanOrEqual(2 * held.initial);
  });

  it("leaves a young generation the user sized in NODE_OPTIONS alone", () => {
    const result = probe({ HOLD: "1", NODE_OPTIONS: "--max-semi-space-size=8" });
    expect(result.held).toBe(false);
    expect(result.largest).toBeGreaterThanOrEqual(8 * result.initial);
  });
});
