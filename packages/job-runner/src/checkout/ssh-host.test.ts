import { describe, expect, it } from "@jest/globals";
import { hostFromSshConfig, parseRepositorySshHost, stripHostAlias } from "./ssh-host.js";

describe("parseRepositorySshHost", () => {
  it.each([
    ["git@github.com:acme/app.git", { host: "github.com" }],
    ["github.com:acme/app.git", { host: "github.com" }],
    ["git@github.com-custom-key:acme/app.git", { host: "github.com-custom-key" }],
    ["ssh://git@example.com/acme/app.git", { host: "example.com" }],
    ["ssh://git@example.com:2222/acme/app.git", { host: "example.com", port: 2222 }],
    ["git+ssh://example.com:22/app.git", { host: "example.com" }],
    ["ssh://git@[::1]:2222/app.git", { host: "::1", port: 2222 }],
  ])("%s ⇒ %j", (url, host) => {
    // Node drops a scheme's default port (22 is not one for ssh, so it stays): both are fine for known_hosts.
    const parsed = parseRepositorySshHost(url);
    expect({ host: parsed?.host, ...(parsed?.port === undefined || parsed.port === 22 ? {} : { port: parsed.port }) }).toEqual(host);
  });

  it.each(["https://github.com/acme/app.git", "http://x/y", "file:///srv/repo.git", "/srv/repo.git", "C:\\repos\\app", "./relative", "not a url"])(
    "%s needs no keyscan",
    (url) => {
      expect(parseRepositorySshHost(url)).toBeUndefined();
    },
  );
});

describe("hostFromSshConfig", () => {
  it("reads hostname and port from ssh -G", () => {
    expect(hostFromSshConfig("user git\nhostname github.com\nport 22\n")).toEqual({ host: "github.com" });
    expect(hostFromSshConfig("hostname ssh.example.com\nport 2222\nidentityfile ~/.ssh/id\n")).toEqual({ host: "ssh.example.com", port: 2222 });
  });

  it("has nothing without a hostname line", () => {
    expect(hostFromSshConfig("usage: ssh [-46AaCf…]\n")).toBeUndefined();
  });
});

describe("stripHostAlias", () => {
  it.each([
    ["github.com-custom-key", "github.com"],
    ["github.com", "github.com"],
    ["my-host.example.com", "my-host.example.com"],
  ])("%s ⇒ %s", (alias, host) => {
    expect(stripHostAlias(alias)).toBe(host);
  });
});
