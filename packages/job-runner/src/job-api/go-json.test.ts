import { describe, expect, it } from "@jest/globals";
import { goJson } from "./go-json.js";

describe("goJson", () => {
  it.each([
    ["a map, keys in byte order, not integer-first", new Map([["b", "1"], ["10", "x"], ["2", "y"]]), {}, '{"10":"x","2":"y","b":"1"}\n'],
    ["HTML and line separators escaped", { e: "<a&b>\u2028" }, {}, '{"e":"\\u003ca\\u0026b\\u003e\\u2028"}\n'],
    ["HTML kept with escapeHtml false", ["<a>"], { escapeHtml: false }, '["<a>"]\n'],
    ["undefined fields omitted", { a: 1, b: undefined, c: false }, {}, '{"a":1,"c":false}\n'],
    ["empty containers when indented", { a: [], m: new Map() }, { indent: "  " }, '{\n  "a": [],\n  "m": {}\n}\n'],
  ])("encodes %s", (_name, value, options, text) => {
    expect(goJson(value, options)).toBe(text);
  });
});
