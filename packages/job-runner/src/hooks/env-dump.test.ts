import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { parseEnvDump, parseExportDump } from "./env-dump.js";

const NASTY: Readonly<Record<string, string>> = {
  NEWLINES: "a\nb\n\n",
  QUOTES: `it's "q" '\\'' \\"`,
  DOLLAR: "$HOME ${X} `id` \\$",
  UNICODE: "ünï ✓ 日本 🚀",
  EQUALS: "=a=b=",
  EMPTY: "",
  CONTROL: "\t\r\x1b[0m\x07\x7f",
  INJECT: "x'\nexport EVIL='1",
};

// Each shell's own `export -p`, as the wrapper uses for every shell but bash
// (bash --posix and ksh/zsh print $'…' strings, which the parser must read too).
const shells: [string, string[]][] = [
  ["dash", ["/bin/sh", "-c", "export -p"]],
  ["bash --posix", ["bash", "--posix", "-c", "export -p"]],
  ["bash", ["bash", "-c", "export -p"]],
  ...(["/bin/zsh", "/usr/bin/zsh"].some(existsSync) ? [["zsh", ["zsh", "-c", "export -p"]] as [string, string[]]] : []),
  ...(["/bin/ksh", "/usr/bin/ksh"].some(existsSync) ? [["ksh", ["ksh", "-c", "export -p"]] as [string, string[]]] : []),
];

describe("parseExportDump", () => {
  it.each(shells)("reads %s's export -p exactly", (_, [command, ...args]) => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...NASTY };
    // stdin ignored: Node's default stdin pipe is a socket, and bash -c on one reads ~/.bashrc (the rshd rule).
    const output = execFileSync(command!, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const parsed = parseExportDump(output);
    for (const [name, value] of Object.entries(NASTY)) expect([name, parsed[name]]).toEqual([name, value]);
    expect(parsed).not.toHaveProperty("EVIL");
  });

  it("skips a name exported without a value", () => {
    expect(parseExportDump("export A='1'\nexport UNSET\ndeclare -x ALSO\nexport B=''\n")).toEqual({ A: "1", B: "" });
  });

  it("reads $'…' escapes: octal, hex and \\u spelling UTF-8", () => {
    expect(parseExportDump("export A=$'\\303\\274 \\xc3\\xbc \\u00fc \\U0001F680 \\cA \\q'\n")).toEqual({
      A: "ü ü ü 🚀 \x01 \\q",
    });
  });

  it("reads typeset -x and unquoted words with backslashes", () => {
    expect(parseExportDump("typeset -x A=plain\\ word\ndeclare -rx B=\"x\\\\y\"\n")).toEqual({ A: "plain word", B: "x\\y" });
  });

  it.each([
    ["garbage", "not an export line\n"],
    ["an unterminated quote", "export A='oops\n"],
    ["text after a bare name", "export A B\n"],
  ])("rejects %s", (_, dump) => {
    expect(() => parseExportDump(dump)).toThrow(expect.objectContaining({ code: "HOOK_ENV_DUMP_INVALID" }));
  });
});

describe("parseEnvDump", () => {
  it("reads NUL-separated records, splitting at the first =", () => {
    expect(parseEnvDump("nul\0A=1=2\0EMPTY=\0NL=a\nb\0")).toEqual({ A: "1=2", EMPTY: "", NL: "a\nb" });
  });

  it("reads an export -p dump after its mark", () => {
    expect(parseEnvDump("export-p\nexport A='1'\n")).toEqual({ A: "1" });
  });

  it("rejects a dump with no format mark", () => {
    expect(() => parseEnvDump("A=1\n")).toThrow(expect.objectContaining({ code: "HOOK_ENV_DUMP_INVALID" }));
  });
});
