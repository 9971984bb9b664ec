import { normaliseList, parseGoBool, parseGoDuration, parseGoInt, splitEnvList } from "./parse-value.js";

describe("parseGoBool (strconv.ParseBool)", () => {
  it.each(["1", "t", "T", "TRUE", "true", "True"])("%s is true", (text) => expect(parseGoBool(text)).toBe(true));
  it.each(["0", "f", "F", "FALSE", "false", "False"])("%s is false", (text) => expect(parseGoBool(text)).toBe(false));
  // Go rejects these, so the agent turns them into false (file) or a usage error (flag/env).
  it.each(["yes", "no", "on", "tRUE", "", " true", "2"])("%j is not a bool", (text) => expect(parseGoBool(text)).toBeUndefined());
});

describe("parseGoInt (strconv.Atoi)", () => {
  it.each([
    ["0", 0],
    ["10", 10],
    ["-1", -1],
    ["+7", 7],
    ["007", 7],
  ])("%s is %d", (text, value) => expect(parseGoInt(text)).toBe(value));
  it.each(["", "banana", "1.5", "1e3", " 1", "0x10", "99999999999999999999"])("%j is not an int", (text) =>
    expect(parseGoInt(text)).toBeUndefined(),
  );
});

describe("parseGoDuration (time.ParseDuration), in ms", () => {
  it.each([
    ["0", 0],
    ["10s", 10_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["300ms", 300],
    ["-10s", -10_000],
    [".5s", 500],
    ["1500us", 1.5],
  ])("%s is %d ms", (text, value) => expect(parseGoDuration(text)).toBeCloseTo(value));
  // A bare number needs a unit in Go, except 0.
  it.each(["", "10", "s", "10x", "1h 30m", "banana", "-"])("%j is not a duration", (text) =>
    expect(parseGoDuration(text)).toBeUndefined(),
  );
});

describe("list normalisation", () => {
  it("splits every item on commas, drops empty pieces and trims the rest", () => {
    expect(normaliseList(["a, b", "c,,d", ""])).toEqual(["a", "b", "c", "d"]);
  });
  it("keeps a whitespace-only piece as an empty string, because emptiness is tested before trimming", () => {
    expect(normaliseList(["a, ,b"])).toEqual(["a", "", "b"]);
  });
  it("reads env lists like urfave/cli: split on commas, each piece trimmed", () => {
    expect(splitEnvList(" a , b ")).toEqual(["a", "b"]);
    expect(normaliseList(splitEnvList("a, ,b"))).toEqual(["a", "b"]);
  });
});
