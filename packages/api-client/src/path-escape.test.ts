import { goQueryString, joinUrlPath, railsPathEscape } from "./path-escape.js";

describe("railsPathEscape", () => {
  it.each([
    ["0191c600-abcd", "0191c600-abcd"],
    ["a.b", "a%2Eb"],
    ["..", "%2E%2E"],
    ["a/b", "a%2Fb"],
    ["a b", "a%20b"],
    ["a?b;c,d", "a%3Fb%3Bc%2Cd"],
    ["$&+:=@~_-", "$&+:=@~_-"],
    ["é", "%C3%A9"],
    ["(x)*!'", "%28x%29%2A%21%27"],
    ["100%", "100%25"],
  ])("%j → %j", (input, expected) => {
    expect(railsPathEscape(input)).toBe(expected);
  });
});

describe("goQueryString", () => {
  it("sorts keys and escapes like url.QueryEscape", () => {
    expect(goQueryString({ state: "finished", query: "a b/*.~", include_duplicates: "true" })).toBe(
      "include_duplicates=true&query=a+b%2F%2A.~&state=finished",
    );
  });
});

describe("joinUrlPath", () => {
  it.each([
    ["https://a/v3", "ping", "https://a/v3/ping"],
    ["https://a/v3/", "/ping", "https://a/v3/ping"],
    ["https://a/v3//", "//jobs/x", "https://a/v3/jobs/x"],
    ["https://a", "ping", "https://a/ping"],
  ])("%s + %s", (endpoint, path, expected) => {
    expect(joinUrlPath(endpoint, path)).toBe(expected);
  });
});
