import { describe, expect, it } from "@jest/globals";
import { encodeJsonBody, goJson } from "./go-json.js";

describe("goJson", () => {
  it.each([
    ["a map, keys in byte order, not integer-first", new Map([["b", "1"], ["10", "x"], ["2", "y"]]), {}, '{"10":"x","2":"y","b":"1"}\n'],
    ["map keys above U+FFFF after U+FFFF, as Go's byte order puts them", new Map([["\u{1F600}", "a"], ["\uFFFF", "b"]]), {}, '{"\uFFFF":"b","\u{1F600}":"a"}\n'],
    ["HTML and line separators escaped", { e: "<a&b>\u2028" }, {}, '{"e":"\\u003ca\\u0026b\\u003e\\u2028"}\n'],
    ["HTML kept with escapeHtml false", ["<a>\u2029"], { escapeHtml: false }, '["<a>\\u2029"]\n'],
    ["undefined fields omitted, field order kept", { z: 1, b: undefined, a: false, list: [true, null] }, {}, '{"z":1,"a":false,"list":[true,null]}\n'],
    ["empty containers when indented", { a: [], m: new Map() }, { indent: "  " }, '{\n  "a": [],\n  "m": {}\n}\n'],
    ["what toJSON returns, as JSON.stringify would", { when: new Date(0), p: { toJSON: () => ({ "a<": 1 }) } }, {}, '{"when":"1970-01-01T00:00:00.000Z","p":{"a\\u003c":1}}\n'],
    ["nested values when indented", { a: [1, { b: "c" }] }, { indent: "  " }, '{\n  "a": [\n    1,\n    {\n      "b": "c"\n    }\n  ]\n}\n'],
  ])("encodes %s", (_name, value, options, text) => {
    expect(goJson(value, options)).toBe(text);
  });

  it("throws a TypeError for values JSON cannot hold", () => {
    expect(() => encodeJsonBody({ n: 1n })).toThrow(TypeError);
    expect(() => encodeJsonBody({ f: [() => 1] })).toThrow("cannot encode a function as JSON");
  });

  it("makes request bodies as UTF-8 bytes", () => {
    expect(encodeJsonBody({ m: new Map([["é", "<"]]) })).toEqual(Buffer.from('{"m":{"é":"\\u003c"}}\n', "utf8"));
  });
});
