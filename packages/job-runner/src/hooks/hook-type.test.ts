import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectHookType, interpreterOf, isPosixShell, readShebang } from "./hook-type.js";

interface ShebangLineCase {
  readonly name: string;
  readonly fileContents?: string;
  readonly path?: string;
  readonly expected?: string;
  readonly error?: boolean;
}
interface IsPosixShellCase {
  readonly name: string;
  readonly line: string;
  readonly expected: boolean;
}
const vectors = JSON.parse(
  await readFile(new URL("../../../../../shared/conformance/shellwords/cases.json", import.meta.url), "utf8"),
) as { shebangLineCases: ShebangLineCase[]; isPOSIXShellCases: IsPosixShellCase[] };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hook-type-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(contents: string | Buffer): Promise<string> {
  const path = join(dir, "hook");
  await writeFile(path, contents);
  return path;
}

describe("conformance: shellwords shebang and POSIX-shell vectors", () => {
  it.each(vectors.shebangLineCases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    if (c.error === true) {
      await expect(readShebang(c.path!)).rejects.toMatchObject({ code: "HOOK_UNREADABLE" });
    } else {
      expect(await readShebang(await file(c.fileContents!))).toBe(c.expected);
    }
  });

  it.each(vectors.isPOSIXShellCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(isPosixShell(c.line)).toBe(c.expected);
  });
});

describe("detectHookType", () => {
  it.each([
    ["ELF", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])],
    ["PE (MZ)", Buffer.from("MZ\x90\x00\x03\x00", "latin1")],
    ["Mach-O fat", Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0])],
    ["Mach-O 64-bit", Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0])],
    ["Mach-O 32-bit big-endian", Buffer.from([0xfe, 0xed, 0xfa, 0xce, 0, 0])],
  ])("knows a %s binary", async (_, bytes) => {
    expect(await detectHookType(await file(bytes))).toBe("binary");
  });

  it("knows a real binary", async () => {
    const path = join(dir, "true");
    await copyFile("/bin/true", path);
    expect(await detectHookType(path)).toBe("binary");
  });

  it.each([
    ["no shebang", "export A=1\n", "shell"],
    ["an empty file", "", "shell"],
    ["three bytes", "MZ\n", "shell"],
    ["#!/bin/bash", "#!/bin/bash\n", "shell"],
    ["#!/bin/sh -e", "#!/bin/sh -e\n", "shell"],
    ["#!/usr/bin/env zsh", "#!/usr/bin/env zsh\n", "shell"],
    ["#!/bin/ksh with CRLF", "#!/bin/ksh\r\necho\r\n", "shell"],
    ["#!/usr/bin/env -S bash -e", "#!/usr/bin/env -S bash -e\n", "shell"],
    ["#!/usr/bin/env -Sbash", "#!/usr/bin/env -Sbash\n", "shell"],
    ["#!/usr/bin/env -u FOO dash", "#!/usr/bin/env -u FOO dash\n", "shell"],
    ["#!/usr/bin/env LANG=C bash", "#!/usr/bin/env LANG=C bash\n", "shell"],
    ["#!/usr/bin/env python3", "#!/usr/bin/env python3\n", "script"],
    ["#!/usr/bin/env -S python3 -u", "#!/usr/bin/env -S python3 -u\n", "script"],
    ["#!/usr/bin/perl -w", "#!/usr/bin/perl -w\n", "script"],
    ["#!/usr/bin/env fish", "#!/usr/bin/env fish\n", "script"],
    ["#!/usr/bin/env with nothing after", "#!/usr/bin/env\n", "script"],
    ["a shebang on the second line", "echo\n#!/usr/bin/python3\n", "shell"],
  ])("knows %s", async (_, contents, type) => {
    expect(await detectHookType(await file(contents))).toBe(type);
  });

  it("fails clearly for a file it cannot read", async () => {
    await expect(detectHookType(join(dir, "missing"))).rejects.toMatchObject({
      code: "HOOK_UNREADABLE",
      message: expect.stringContaining(join(dir, "missing")),
    });
  });
});

describe("interpreterOf", () => {
  it.each([
    ["#!/bin/bash -e", "bash"],
    ["#!/usr/bin/env -i -S zsh -f", "zsh"],
    ["#!/usr/bin/env --chdir /tmp python3", "python3"],
    ["#!", ""],
    ["#!'unterminated", ""],
  ])("%s names %j", (line, interpreter) => {
    expect(interpreterOf(line)).toBe(interpreter);
  });
});
