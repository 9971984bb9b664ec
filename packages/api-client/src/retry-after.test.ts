import { parseRetryAfter } from "./retry-after.js";

describe("parseRetryAfter (Go duration of value + 's')", () => {
  it.each<[string | undefined, number | undefined]>([
    ["3", 3000],
    ["1.5", 1500],
    [".5", 500],
    ["0", 0],
    ["-1", -1000],
    ["2m", 2], // "2ms": a quirk of appending "s"
    ["1h30m", 3_600_030],
    ["", undefined],
    [undefined, undefined],
    ["Wed, 21 Oct 2015 07:28:00 GMT", undefined],
    ["3 ", undefined],
    ["abc", undefined],
    [".", undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseRetryAfter(value)).toBe(expected);
  });
});
