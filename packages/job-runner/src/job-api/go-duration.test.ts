import { describe, expect, it } from "@jest/globals";
import { goDuration } from "./go-duration.js";

describe("goDuration", () => {
  it.each([
    [0n, "0ns"],
    [812n, "812ns"],
    [1_000n, "1µs"],
    [152_300n, "152.3µs"],
    [1_500_000n, "1.5ms"],
    [2_000_001_000n, "2.000001s"],
  ])("prints %s ns as Go does: %s", (ns, text) => {
    expect(goDuration(ns)).toBe(text);
  });
});
