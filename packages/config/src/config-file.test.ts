import { ConfigError } from "./errors.js";
import { configSearchPaths, parseConfigFile } from "./config-file.js";

const parse = (text: string) => parseConfigFile(text, "/etc/agent.cfg").entries.map(({ key, value }) => [key, value]);

describe("config file format (our own cases; upstream has no vectors for it)", () => {
  it.each([
    ["key=value", "name", 'name="my-agent"', "my-agent"],
    ["single quotes", "name", "name='my-agent'", "my-agent"],
    ["unquoted", "name", "name=my-agent", "my-agent"],
    ["YAML-ish colon form", "name", "name: my-agent", "my-agent"],
    ["= wins over : when both appear", "endpoint", "endpoint=https://x:8080/v3", "https://x:8080/v3"],
    ["export prefix", "token", 'export token="abc"', "abc"],
    ["space around =", "priority", "  priority =  5  ", "5"],
    ["trailing comment", "tags", 'tags="a=b" # the tags', "a=b"],
    ["# inside quotes is kept", "name", 'name="agent#1"', "agent#1"],
    ["\\\" is unescaped inside single quotes", "name", "name='say \\\"hi'", 'say "hi'],
    // Both quote kinds are trimmed from the ends when either kind counts two.
    ["double quotes inside single quotes lose the closing one", "name", "name='say \"hi\"'", 'say "hi'],
    ["only spaces are trimmed, as in Go", "name", "name=\tx", "\tx"],
    ["a # opening a quoted run keeps the rest", "name", "name='a # b' # c", "a # b"],
    ["\\n becomes a newline", "shell", 'shell="a\\nb"', "a\nb"],
    ["three quotes: left as is", "name", 'name="a"b"', '"a"b"'],
    ["four quotes: left as is", "name", 'name=""x""', '""x""'],
    ["two quotes around nothing", "name", 'name=""', ""],
    ["empty value", "hooks-path", "hooks-path=", ""],
    ["value containing =", "tags", 'tags="queue=default,docker=true"', "queue=default,docker=true"],
  ])("%s", (_, key, line, value) => {
    expect(parse(line)).toEqual([[key, value]]);
  });

  it("skips blank lines and comment lines and keeps file order", () => {
    expect(parse("# comment\n\n  \t# indented comment\na=1\r\nb=2\n")).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
  });

  it("rejects a line that is neither form, naming the line but not its text (it may be a token)", () => {
    expect.assertions(3);
    try {
      parseConfigFile("a=1\nsupersecrettoken\n", "/etc/agent.cfg");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe('parsing config line 2 of /etc/agent.cfg: expected key="value" or key: value');
      expect((error as ConfigError).message).not.toContain("supersecrettoken");
    }
  });

  it("records line numbers for warnings", () => {
    expect(parseConfigFile("\n# x\nname=a\n", "f").entries[0]?.line).toBe(3);
  });
});

describe("config search path", () => {
  it("looks beside the executable, in the home dir, then the system dirs (Linux)", () => {
    expect(configSearchPaths({ executableDir: "/opt/bk", homeDir: "/home/u", platform: "linux", arch: "x64" })).toEqual([
      "/opt/bk/buildkite-agent.cfg",
      "/home/u/.buildkite-agent/buildkite-agent.cfg",
      "/usr/local/etc/buildkite-agent/buildkite-agent.cfg",
      "/etc/buildkite-agent/buildkite-agent.cfg",
    ]);
  });
  it("adds Homebrew's prefix on Apple silicon only", () => {
    expect(configSearchPaths({ homeDir: "/Users/u", platform: "darwin", arch: "arm64" })).toContain(
      "/opt/homebrew/etc/buildkite-agent/buildkite-agent.cfg",
    );
    expect(configSearchPaths({ homeDir: "/Users/u", platform: "darwin", arch: "x64" })).not.toContain(
      "/opt/homebrew/etc/buildkite-agent/buildkite-agent.cfg",
    );
  });
});
