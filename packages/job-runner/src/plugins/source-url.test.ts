import { describe, expect, it } from "@jest/globals";
import { parseSourceUrl } from "./source-url.js";

describe("parseSourceUrl splits as Go's url.Parse", () => {
  it.each([
    ["github.com/org/x#v1", { scheme: "", host: "", path: "github.com/org/x", fragment: "v1", userinfo: undefined }],
    ["HTTPS://Host.example/a%2Fb?q=1#v%201", { scheme: "https", host: "Host.example", path: "/a/b", fragment: "v 1", userinfo: undefined }],
    ["ssh://git:p%40ss@h:22/x", { scheme: "ssh", host: "h:22", path: "/x", userinfo: "git:p%40ss" }],
    ["file:///abs/path", { scheme: "file", host: "", path: "/abs/path" }],
    ["///triple", { scheme: "", host: "", path: "///triple" }],
    ["//host/path", { scheme: "", host: "host", path: "/path" }],
    ["my:plugin", { scheme: "my", host: "", path: "" }],
    ["C:\\x\\y", { scheme: "c", host: "", path: "" }],
    [".\\.buildkite\\plugins\\x", { scheme: "", path: ".\\.buildkite\\plugins\\x" }],
    ["http://[::1]:8080/x", { host: "[::1]:8080", path: "/x" }],
  ])("%s", (source, expected) => {
    expect(parseSourceUrl(source)).toMatchObject(expected);
  });

  it.each([
    [":nothing", 'parse ":nothing": missing protocol scheme'],
    ["a:b/c", undefined],
    ["host:x/y", undefined],
    ["git@github.com:org/x", 'parse "git@github.com:org/x": first path segment in URL cannot contain colon'],
    ["https://h:port/x", 'parse "https://h:port/x": invalid port ":port" after host'],
    ["https://[::1/x", 'parse "https://[::1/x": missing \']\' in host'],
    ["https://h o/x", 'parse "https://h o/x": invalid character " " in host name'],
    ["https://u ser@h/x", 'parse "https://u ser@h/x": net/url: invalid userinfo'],
    ["a/b#%zz", 'parse "a/b#%zz": invalid URL escape "%zz"'],
  ])("%s", (source, message) => {
    if (message === undefined) expect(() => parseSourceUrl(source)).not.toThrow();
    else expect(() => parseSourceUrl(source)).toThrow(message);
  });
});
