import { startProcess } from "../src/index.js";
import { BASE_ENV, fixture, liveMembers, MODES, Recorder, track, within } from "./helpers.js";

describe.each(MODES)("exit status ($mode)", ({ pty }) => {
  const start = (script: string, args: string[]) =>
    startProcess("/bin/sh", [fixture(script), ...args], { cwd: "/tmp", env: BASE_ENV, pty }).then(track);

  it.each([0, 1, 42])("reports exit code %d", async (code) => {
    const child = await start("exit-with.sh", [String(code)]);
    new Recorder(child.output);
    expect(await within(child.exited, 5000, "exit")).toEqual({ exitCode: code, strayProcesses: 0 });
  });

  it.each([
    ["TERM", "SIGTERM"],
    ["KILL", "SIGKILL"],
    ["INT", "SIGINT"],
    // Signal death through a PTY arrives as a number with exit code 0; it must
    // still read -1 plus the name, never "exit 0".
    ["SEGV", "SIGSEGV"],
  ])("a process killed by SIG%s reports -1 and %s, without a reason", async (name, expected) => {
    const child = await start("kill-self.sh", [name]);
    new Recorder(child.output);
    expect(await within(child.exited, 5000, "exit")).toEqual({ exitCode: -1, signal: expected, strayProcesses: 0 });
  });

  it("pid is the process group and session id, and nothing is left after exit", async () => {
    const child = await start("sleeper.sh", []);
    const output = new Recorder(child.output);
    await output.waitFor("ready");
    expect(liveMembers(child.pid)).toContain(child.pid);
    await child.cancel();
    await within(child.exited, 5000, "exit");
    expect(liveMembers(child.pid)).toEqual([]);
  });
});
