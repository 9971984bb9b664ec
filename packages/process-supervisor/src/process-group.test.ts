import { readFileSync } from "node:fs";
import { familyIn, groupMembers, type ProcessEntry } from "./process-group.js";

// Regression for the supervisor remembering bare pids forever: once a remembered
// process had exited, an unrelated process reusing its pid (pids wrap at
// pid_max) counted as a member and was SIGKILLed with the job's group.
describe("familyIn", () => {
  const GROUP = 100;
  const table = new Map<number, ProcessEntry>([
    [100, { ppid: 1, pgid: 100, session: 100, startTime: "500" }],
    [200, { ppid: 1, pgid: 200, session: 200, startTime: "900" }], // orphaned earlier, own session
    [201, { ppid: 200, pgid: 200, session: 200, startTime: "901" }], // its child
    [300, { ppid: 1, pgid: 300, session: 300, startTime: "700" }], // unrelated
  ]);

  it.each([
    ["a remembered pid with its start time is a member, with its descendants", new Map([[200, "900"]]), [100, 200, 201]],
    ["a remembered pid with a stale start time (the pid was reused) is not", new Map([[200, "650"]]), [100]],
    ["a pid never remembered is not", new Map<number, string>(), [100]],
  ])("%s", (_, known, expected) => {
    expect(familyIn(GROUP, table, known).map((member) => member.pid)).toEqual(expected);
  });

  it("reports each member's start time, so the caller remembers it", () => {
    expect(familyIn(GROUP, table, new Map())).toEqual([{ pid: 100, pgid: 100, startTime: "500" }]);
  });
});

describe("groupMembers on the real /proc", () => {
  // No process can lead a group above pid_max, so this test process is found
  // only through `known`.
  const NO_GROUP = Number(readFileSync("/proc/sys/kernel/pid_max", "latin1")) + 1;
  const stat = readFileSync("/proc/self/stat", "latin1");
  const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;

  it("counts a remembered process whose start time matches", async () => {
    const members = await groupMembers(NO_GROUP, new Map([[process.pid, startTime]]));
    expect(members.map((member) => member.pid)).toContain(process.pid);
    expect(members.find((member) => member.pid === process.pid)?.startTime).toBe(startTime);
  });

  it("ignores a remembered pid whose start time differs", async () => {
    const members = await groupMembers(NO_GROUP, new Map([[process.pid, String(Number(startTime) + 1)]]));
    expect(members.map((member) => member.pid)).not.toContain(process.pid);
  });
});
