import { describe, expect, it } from "@jest/globals";
import { checkSchema, object, optInteger, optStringMap, type JsonSchema } from "./response-schema.js";

describe("checkSchema", () => {
  const job: JsonSchema = object(
    {
      id: { type: "string", minLength: 1 },
      size: { type: "integer", minimum: 1 },
      ratio: { type: "number" },
      env: optStringMap,
      tags: { type: ["array", "null"], items: { type: "string" } },
      timeout: optInteger,
    },
    ["id"],
    false,
  );

  it.each<[string, unknown, string | undefined]>([
    ["a usable body", { id: "j", size: 2, ratio: 0.5, env: { A: "x" }, tags: ["a"], timeout: null, extra: [1] }, undefined],
    ["null for optional fields", { id: "j", env: null, tags: null }, undefined],
    ["a body that is not an object", [], "(body) must be object"],
    ["null for a body that may not be null", null, "(body) must be object"],
    ["a missing required field", { size: 1 }, "id is missing"],
    ["an empty string below minLength", { id: "" }, "id must NOT have fewer than 1 characters"],
    ["a number below minimum", { id: "j", size: 0 }, "size must be >= 1"],
    ["a fraction where an integer is expected", { id: "j", size: 1.5 }, "size must be integer"],
    ["an integer where a number is expected", { id: "j", ratio: 2 }, undefined],
    ["a map value of the wrong type", { id: "j", env: { A: "x", B: 2 } }, "env.B must be string"],
    ["an array item of the wrong type", { id: "j", tags: ["a", false] }, "tags.1 must be string"],
    ["a union type named in full", { id: "j", timeout: "5" }, "timeout must be integer,null"],
  ])("%s", (_name, json, expected) => {
    const found = checkSchema(job, json);
    expect(found && `${found.field} ${found.problem}`).toBe(expected);
  });

  it("counts characters, not UTF-16 units, for minLength", () => {
    const two: JsonSchema = { type: "string", minLength: 2 };
    expect(checkSchema(two, "😀")?.problem).toBe("must NOT have fewer than 2 characters");
    expect(checkSchema(two, "😀😀")).toBeUndefined();
  });

  it("applies additionalProperties only to properties the schema does not name", () => {
    const schema: JsonSchema = { type: "object", properties: { n: { type: "integer" } }, additionalProperties: { type: "string" } };
    expect(checkSchema(schema, { n: 1, other: "x" })).toBeUndefined();
    expect(checkSchema(schema, { n: "1" })).toEqual({ field: "n", problem: "must be integer" });
    expect(checkSchema(schema, { other: 1 })).toEqual({ field: "other", problem: "must be string" });
  });

  it("does not take inherited names for properties", () => {
    expect(checkSchema(object({ id: { type: "string" } }, ["id"], false), JSON.parse('{"__proto__": {"id": "x"}}'))).toEqual({
      field: "id",
      problem: "is missing",
    });
  });
});
