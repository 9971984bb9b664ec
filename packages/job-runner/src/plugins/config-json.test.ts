import { describe, expect, it } from "@jest/globals";
import { goQuote } from "@agent/log-redactor";
import { JsonNumber } from "../go-json-parse.js";
import { stringifyJson } from "./config-json.js";

describe("stringifyJson writes as Go's json.Marshal", () => {
  it.each([
    [{ b: "x", a: null, c: [true, false] }, '{"a":null,"b":"x","c":[true,false]}'],
    [{ "\u{1F600}": 1, "\uFFFF": 2 }, '{"\uFFFF":2,"\u{1F600}":1}'],
    [["\b\f\u0001\u007f"], '["\\b\\f\\u0001\u007f"]'],
    [[{}, []], "[{},[]]"],
  ])("%j", (value, expected) => {
    const withNumbers = JSON.parse(JSON.stringify(value), (_, v: unknown) => (typeof v === "number" ? new JsonNumber(String(v)) : v));
    expect(stringifyJson(withNumbers)).toBe(expected);
  });
});

// The plugin code quotes names and paths with @agent/log-redactor's goQuote (no
// surrounding quotes); these are the vectors its own Go-style quoting passed.
describe("goQuote", () => {
  it.each([
    ["plain", '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\u0001\t", '"\\x01\\t"'],
    ["é\u2028", '"é\\u2028"'],
  ])("%j", (text, quoted) => {
    expect(`"${goQuote(text)}"`).toBe(quoted);
  });
});
