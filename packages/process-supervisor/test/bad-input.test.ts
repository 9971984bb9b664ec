import fs from "node:fs";
import path from "node:path";
import { startProcess, type StartProcessOptions } from "../src/index.js";
import { BASE_ENV, fixture, makeTempDir, MODES } from "./helpers.js";

describe.each(MODES)("bad input is a typed error, never a crash or a hang ($mode)", ({ pty }) => {
  const options = (extra: Partial<StartProcessOptions> = {}): StartProcessOptions => ({ cwd: "/tmp", env: BASE_ENV, pty, ...extra });

  it.each([
    ["a bare name not on PATH", "no-such-command-xyz", "PROCESS_COMMAND_NOT_FOUND", "command no-such-command-xyz not found"],
    ["a path that does not exist", "/no/such/dir/tool", "PROCESS_COMMAND_NOT_FOUND", "command /no/such/dir/tool not found"],
    ["a directory", "/tmp", "PROCESS_COMMAND_NOT_EXECUTABLE", "command /tmp is not an executable file"],
  ])("command that cannot run (%s)", async (_, command, code, message) => {
    const error = await startProcess(command, [], options()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ProcessError", code });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("a file without execute permission", async () => {
    const dir = makeTempDir();
    const script = path.join(dir, "not-executable.sh");
    fs.writeFileSync(script, "#!/bin/sh\necho hi\n", { mode: 0o644 });
    // Root may execute... only files with some x bit: 0644 is refused even for root.
    await expect(startProcess(script, [], options())).rejects.toMatchObject({ code: "PROCESS_COMMAND_NOT_EXECUTABLE" });
  });

  it("a command found only through the env's PATH, not this process's", async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, "only-here"), "#!/bin/sh\necho found\n", { mode: 0o755 });
    await expect(startProcess("only-here", [], options())).rejects.toMatchObject({ code: "PROCESS_COMMAND_NOT_FOUND" });
    const child = await startProcess("only-here", [], options({ env: { PATH: `${dir}:/usr/bin:/bin` } }));
    const chunks: Buffer[] = [];
    for await (const chunk of child.output) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toContain("found");
    expect(await child.exited).toEqual({ exitCode: 0, strayProcesses: 0 });
  });

  it("a working directory that does not exist names it", async () => {
    await expect(startProcess("/bin/sh", [fixture("exit-with.sh"), "0"], options({ cwd: "/no/such/dir" }))).rejects.toMatchObject({
      code: "PROCESS_CWD_NOT_FOUND",
      message: expect.stringContaining("/no/such/dir"),
    });
  });

  it("a working directory that is a file", async () => {
    await expect(startProcess("/bin/sh", [], options({ cwd: fixture("exit-with.sh") }))).rejects.toMatchObject({
      code: "PROCESS_CWD_NOT_FOUND",
    });
  });

  it.each([
    ["a number", { PATH: "/usr/bin:/bin", COUNT: 3 }, "env COUNT is a number"],
    ["undefined", { PATH: "/usr/bin:/bin", MISSING: undefined }, "env MISSING is a undefined"],
    ["null", { PATH: "/usr/bin:/bin", NOTHING: null }, "env NOTHING is a null"],
    ["a name with =", { "A=B": "x" }, 'env name "A=B"'],
    ["an empty name", { "": "x" }, 'env name ""'],
    ["a NUL in a value", { SECRET: "abc\0def" }, "env SECRET contains a NUL"],
  ])("an env with %s", async (_, env, message) => {
    const error = await startProcess("/bin/sh", [], options({ env: env as unknown as Record<string, string> })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PROCESS_INVALID_ENV" });
    expect((error as Error).message).toContain(message);
    // Values can be secrets: they never appear in the message.
    expect((error as Error).message).not.toContain("abc");
  });

  it.each([
    ["args that are not strings", { args: [1] }, "PROCESS_INVALID_OPTION"],
    ["a cancel signal that is not a signal", { cancelSignal: "SIGNOPE" }, "PROCESS_INVALID_OPTION"],
    ["a negative grace period", { signalGracePeriodMs: -1 }, "PROCESS_INVALID_OPTION"],
    ["a cancel grace period not above the signal grace period", { signalGracePeriodMs: 10_000 }, "PROCESS_INVALID_OPTION"],
    ["zero columns", { columns: 0 }, "PROCESS_INVALID_OPTION"],
  ])("%s", async (_, extra, code) => {
    const { args = [], ...rest } = extra as { args?: unknown[] } & Partial<StartProcessOptions>;
    await expect(startProcess("/bin/sh", args as string[], options(rest))).rejects.toMatchObject({ code });
  });
});
