import { encodeJsonBody, GoMap } from "./json-body.js";

describe("encodeJsonBody", () => {
  it("writes compact JSON with Go's HTML escaping and a trailing newline", () => {
    expect(encodeJsonBody({ a: "<b> & \u2028", n: 1, skip: undefined, list: [true, null] }).toString()).toBe(
      '{"a":"\\u003cb\\u003e \\u0026 \\u2028","n":1,"list":[true,null]}\n',
    );
  });

  it("sorts GoMap keys as strings, unlike a JavaScript object", () => {
    expect(encodeJsonBody({ m: new GoMap({ "2": "b", "10": "c", "1": "a", x: "d" }) }).toString()).toBe(
      '{"m":{"1":"a","10":"c","2":"b","x":"d"}}\n',
    );
  });

  it("throws for values JSON cannot hold", () => {
    expect(() => encodeJsonBody({ n: 1n })).toThrow(TypeError);
  });
});
