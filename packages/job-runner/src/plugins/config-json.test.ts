import { describe, expect, it } from "@jest/globals";
import { JsonNumber, goQuote, parseJson, stringifyJson } from "./config-json.js";

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

describe("goQuote", () => {
  it.each([
    ["plain", '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\u0001\t", '"\\x01\\t"'],
    ["é\u2028", '"é\\u2028"'],
  ])("%j", (text, quoted) => {
    expect(goQuote(text)).toBe(quoted);
  });
});
