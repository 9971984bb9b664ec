import { Readable } from "node:stream";
import { describe, expect, it } from "@jest/globals";
import { readEnvSetInput, readEnvUnsetInput } from "./env-command-input.js";

const stdin = (text: string) => Readable.from([text]);

describe("readEnvSetInput", () => {
  it.each([
    ["KEY=VALUE args, split at the first =", ["A=1", "B=x=y", "C="], {}, { A: "1", B: "x=y", C: "" }],
    ["stdin lines for -, CRLF tolerated", ["A=1", "-"], { stdin: stdin("B=2\r\nC=3\n") }, { A: "1", B: "2", C: "3" }],
    ["JSON objects, merged, null as empty", ['{"A":"1","B":null}', '{"C":"<3>"}'], { format: "json" }, { A: "1", B: "", C: "<3>" }],
    ["JSON null ignored", ["null"], { format: "json" }, {}],
  ])("reads %s", async (_name, args, options, expected) => {
    expect(await readEnvSetInput(args, options)).toEqual(expected);
  });

  it.each([
    ["an argument without =", ["A=1", "NOPE"], {}, 'couldn\'t parse the command-line argument "NOPE": "NOPE" is not in key=value format'],
    // Regression: "=x" set a variable named "" (Go's env.Split refuses an empty name).
    ["an argument with an empty name", ["=x"], {}, 'couldn\'t parse the command-line argument "=x": "=x" is not in key=value format'],
    ["a stdin line without =", ["-"], { stdin: stdin("A=1\nBAD\n") }, 'couldn\'t parse input line 2: "BAD" is not in key=value format'],
    ["a JSON array", ["[1]"], { format: "json" }, 'couldn\'t parse the command-line argument "[1]": json: cannot unmarshal array into Go value of type map[string]string'],
    ["a JSON number value", ['{"A":1}'], { format: "json" }, 'couldn\'t parse the command-line argument "{\\"A\\":1}": json: cannot unmarshal number into Go value of type string'],
    ["an unknown format", ["A=1"], { format: "yaml" }, 'invalid input format "yaml"'],
    // json.Unmarshal's messages: one character named, never the text around it.
    ["a JSON stdin line with an unquoted value", ["-"], { format: "json", stdin: stdin('{"A": hunter2}\n') }, "couldn't parse input line 1: invalid character 'h' looking for beginning of value"],
    ["JSON with trailing text", ['{"A":"1"} x'], { format: "json" }, 'couldn\'t parse the command-line argument "{\\"A\\":\\"1\\"} x": invalid character \'x\' after top-level value'],
    ["truncated JSON", ["-"], { format: "json", stdin: stdin('{"A":\n') }, "couldn't parse input line 1: unexpected end of JSON input"],
  ])("refuses %s", async (_name, args, options, message) => {
    await expect(readEnvSetInput(args, options)).rejects.toMatchObject({ code: "JOB_API_INPUT", message });
  });
});

describe("readEnvUnsetInput", () => {
  it.each([
    ["names and stdin lines", ["A", "-"], { stdin: stdin("B\nC\n") }, ["A", "B", "C"]],
    ["JSON arrays, accumulated", ['["A","B"]', '["C"]'], { format: "json" }, ["A", "B", "C"]],
  ])("reads %s", async (_name, args, options, expected) => {
    expect(await readEnvUnsetInput(args, options)).toEqual(expected);
  });

  it("refuses a JSON object", async () => {
    await expect(readEnvUnsetInput(['{"A":1}'], { format: "json" })).rejects.toMatchObject({
      code: "JOB_API_INPUT",
      message: expect.stringContaining("cannot unmarshal object into Go value of type []string"),
    });
  });
});
