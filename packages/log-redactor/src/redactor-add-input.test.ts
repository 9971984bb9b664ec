import { parseRedactorAddInput } from "./redactor-add-input.js";

const code = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

it("trims the whole input with Go's TrimSpace in format none", () => {
  expect(parseRedactorAddInput("\u00a0 multi\nline secret \r\n")).toEqual(["multi\nline secret"]);
  expect(parseRedactorAddInput(" \n")).toEqual([]);
});

it("rejects unknown formats and JSON that is not an object of strings", () => {
  expect(code(() => parseRedactorAddInput("x", { format: "yaml" }))).toBe("REDACTOR_ADD_FORMAT");
  expect(code(() => parseRedactorAddInput('["a"]', { format: "json" }))).toBe("REDACTOR_ADD_JSON_TYPE");
  expect(code(() => parseRedactorAddInput('"a"', { format: "json" }))).toBe("REDACTOR_ADD_JSON_TYPE");
  expect(code(() => parseRedactorAddInput('{"a": {"b": "c"}}', { format: "json" }))).toBe("REDACTOR_ADD_JSON_TYPE");
  expect(parseRedactorAddInput("null", { format: "json" })).toEqual([]);
});

it("filters by pattern and length, failing on a malformed pattern", () => {
  const input = '{"DB_PASSWORD": "long-enough", "API_TOKEN": "short", "OTHER": "not-matching"}';
  expect(parseRedactorAddInput(input, { format: "json", applyVarsFilter: true })).toEqual(["long-enough"]);
  expect(code(() => parseRedactorAddInput(input, { format: "json", applyVarsFilter: true, redactedVars: ["[bad"] }))).toBe("REDACTED_VARS_PATTERN");
});
