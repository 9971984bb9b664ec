import { canonicalHeaderKey, requestHeadersFromEnv, requestHeadersToEnv, serverRequestHeaders } from "./request-headers.js";

describe("requestHeadersFromEnv", () => {
  it("keeps only BUILDKITE_REQUEST_HEADER_* that canonicalise to Buildkite-*", () => {
    expect(
      requestHeadersFromEnv({
        BUILDKITE_REQUEST_HEADER_BUILDKITE_AGENT_SESSION: "s",
        BUILDKITE_REQUEST_HEADER_buildkite_lower: "l",
        BUILDKITE_REQUEST_HEADER_X_OTHER: "no",
        BUILDKITE_REQUEST_HEADER_: "no",
        BUILDKITE_REQUEST_HEADER_BUILDKITE_UNSET: undefined,
        BUILDKITE_AGENT_TOKEN: "no",
      }),
    ).toEqual({ "Buildkite-Agent-Session": "s", "Buildkite-Lower": "l" });
  });

  it("round-trips with requestHeadersToEnv", () => {
    const headers = { "Buildkite-Agent-Session": "s", "Buildkite-Foo": "f" };
    expect(requestHeadersFromEnv(requestHeadersToEnv(headers))).toEqual(headers);
  });
});

describe("canonicalHeaderKey", () => {
  it.each([
    ["BUILDKITE-FOO-BAR", "Buildkite-Foo-Bar"],
    ["buildkite-x", "Buildkite-X"],
    ["has space", "has space"],
  ])("%s → %s", (input, expected) => expect(canonicalHeaderKey(input)).toBe(expected));
});

describe("serverRequestHeaders", () => {
  it("keeps names starting with Buildkite- (case-sensitive) and canonicalises them", () => {
    expect(serverRequestHeaders({ "Buildkite-SESSION": "1", "buildkite-lower": "2", Other: "3" })).toEqual({
      "Buildkite-Session": "1",
    });
  });
});
