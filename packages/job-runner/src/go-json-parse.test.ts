import { describe, expect, it } from "@jest/globals";
import { JsonNumber, parseJson } from "./go-json-parse.js";

describe("parseJson reports errors in Go's words", () => {
  it.each([
    ["", "EOF"],
    ["[", "unexpected EOF"],
    ['["a', "unexpected EOF"],
    ["blah", "invalid character 'b' looking for beginning of value"],
    ["é", "invalid character 'Ã' looking for beginning of value"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ["{1:2}", "invalid character '1' looking for beginning of object key string"],
    ['{"a" 2}', "invalid character '2' after object key"],
    ['{"a":2 "b"}', "invalid character '\"' after object key:value pair"],
    ["[1 2]", "invalid character '2' after array element"],
    ["[01]", "invalid character '1' after array element"],
    ["[-x]", "invalid character 'x' in numeric literal"],
    ["[1.]", "invalid character ']' after decimal point in numeric literal"],
    ["[1e]", "invalid character ']' in exponent of numeric literal"],
    ["[nul]", "invalid character ']' in literal null (expecting 'l')"],
    ['["\\x"]', "invalid character 'x' in string escape code"],
    ['["\\u12g4"]', "invalid character 'g' in \\u hexadecimal character escape"],
    ['["a\nb"]', "invalid character '\\n' in string literal"],
    ["['a']", "invalid character '\\'' looking for beginning of value"],
  ])("%j", (text, message) => {
    expect(() => parseJson(text)).toThrow(message);
    expect(() => parseJson(text)).toThrow(expect.objectContaining({ name: "JsonSyntaxError", message }));
  });

  // Regression: the parser recursed once per level, so a deep body threw a RangeError
  // (stack overflow; a Job API 500) instead of Go's syntax error at depth 10001.
  it("caps nesting at Go's 10000 levels with a syntax error, never a stack overflow", () => {
    expect(parseJson(`${"[".repeat(10_000)}${"]".repeat(10_000)}`)).toHaveLength(1);
    expect(parseJson(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`)).toHaveProperty("a");
    // Go pushes the level before it sees the "]", so even an empty array is too deep.
    expect(() => parseJson(`${"[".repeat(10_000)}[]${"]".repeat(10_000)}`)).toThrow(
      expect.objectContaining({ name: "JsonSyntaxError", message: "invalid character '[' exceeded max depth" }),
    );
    expect(() => parseJson("{".concat('"a":{'.repeat(200_000)))).toThrow("invalid character '{' exceeded max depth");
  });

  it("parses nested arrays and objects", () => {
    expect(parseJson('{"a":[1,{"b":[]},{}],"c":{"d":[[true]]}}')).toEqual({
      a: [new JsonNumber("1"), { b: [] }, {}],
      c: { d: [[true]] },
    });
  });

  it("reads only the first value, as Go's decoder does", () => {
    expect(parseJson('["a"] trailing')).toEqual(["a"]);
  });

  it("decodes escapes and replaces lone surrogates", () => {
    expect(parseJson('["\\u00e9\\ud83d\\ude00\\ud800x\\n\\/"]')).toEqual(["é😀\uFFFDx\n/"]);
  });

  it("keeps the last of repeated keys", () => {
    expect(parseJson('{"a":1,"a":2}')).toEqual({ a: new JsonNumber("2") });
  });
});

describe("parseJson with whole: true reads as json.Unmarshal", () => {
  it.each([
    ["", "unexpected end of JSON input"],
    ["  ", "unexpected end of JSON input"],
    ['{"A":"1"', "unexpected end of JSON input"],
    ['{"A":"1"} x', "invalid character 'x' after top-level value"],
    ['["a"]]', "invalid character ']' after top-level value"],
    // A secret value written without quotes: Go names only its first character.
    ['{"DB_PASSWORD": hunter2secret}', "invalid character 'h' looking for beginning of value"],
  ])("%j", (text, message) => {
    expect(() => parseJson(text, { whole: true })).toThrow(expect.objectContaining({ name: "JsonSyntaxError", message }));
  });

  it("accepts surrounding whitespace", () => {
    expect(parseJson(' {"A":1} \n', { whole: true })).toEqual({ A: new JsonNumber("1") });
  });
});
