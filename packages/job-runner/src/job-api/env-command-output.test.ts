import { describe, expect, it } from "@jest/globals";
import { formatEnvGet, formatEnvSetResult, formatEnvUnsetResult } from "./env-command-output.js";

const env = { LLAMA: "Kuzco", ALPACA: "Geronimo the Incredible", A0: "<x>", A: "a" };

describe("formatEnvGet", () => {
  it.each([
    ["all, plain: K=V lines in Go byte order of the whole line", [], "plain", "A0=<x>\nA=a\nALPACA=Geronimo the Incredible\nLLAMA=Kuzco\n", []],
    ["one name, plain: the value", ["LLAMA"], "plain", "Kuzco\n", []],
    ["one missing name, plain: nothing", ["NOPE"], "plain", "", ["NOPE"]],
    ["several names, plain", ["LLAMA", "NOPE", "ALPACA"], "plain", "ALPACA=Geronimo the Incredible\nLLAMA=Kuzco\n", ["NOPE"]],
    // Regression: values were HTML-escaped (\u003c…), so a secret holding & < > printed
    // in a form the redactor does not look for; the real agent sets SetEscapeHTML(false).
    ["json, sorted and not HTML-escaped", ["LLAMA", "A0"], "json", '{"A0":"<x>","LLAMA":"Kuzco"}\n', []],
    ["json-pretty", ["LLAMA", "A"], "json-pretty", '{\n  "A": "a",\n  "LLAMA": "Kuzco"\n}\n', []],
    ["json-pretty, nothing found", ["NOPE"], "json-pretty", "{}\n", ["NOPE"]],
  ])("prints %s", (_name, names, format, output, missing) => {
    expect(formatEnvGet(env, names, format)).toEqual({ output, missing });
  });

  it("refuses an unknown format", () => {
    expect(() => formatEnvGet(env, [], "xml")).toThrow('invalid output format "xml"');
  });
});

describe("formatEnvSetResult", () => {
  it.each([
    ["plain", { added: ["LLAMA"], updated: ["ALPACA"] }, "Added:\n+ LLAMA\nUpdated:\n~ ALPACA\n"],
    ["plain", { added: [], updated: [] }, "No variables added or updated.\n"],
    ["quiet", { added: ["A"], updated: [] }, ""],
    ["json", { added: ["A"], updated: [] }, '{"added":["A"],"updated":[]}\n'],
    // Regression: HTML escaping was on here too (clicommand/env_set.go turns it off).
    ["json", { added: ["<A>"], updated: ["B&"] }, '{"added":["<A>"],"updated":["B&"]}\n'],
    ["json-pretty", { added: ["A"], updated: [] }, '{\n  "added": [\n    "A"\n  ],\n  "updated": []\n}\n'],
  ])("prints %s %j", (format, result, output) => {
    expect(formatEnvSetResult(result, format)).toBe(output);
  });
});

describe("formatEnvUnsetResult", () => {
  it.each([
    ["plain", ["ALPACA", "LLAMA"], "Unset:\n- ALPACA\n- LLAMA\n"],
    ["plain", [], "No variables unset.\n"],
    ["quiet", ["A"], ""],
    // The real agent does not HTML-escape (it could defeat redaction).
    ["json", ["<A>"], '["<A>"]\n'],
    ["json-pretty", ["A", "B"], '[\n  "A",\n  "B"\n]\n'],
  ])("prints %s %j", (format, deleted, output) => {
    expect(formatEnvUnsetResult(deleted, format)).toBe(output);
  });
});
