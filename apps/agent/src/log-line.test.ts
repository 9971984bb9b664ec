import { describe, expect, it } from "@jest/globals";
import { formatJsonLine, formatRfc3339, formatTextLine, type LogEntry } from "./log-line.js";

// Local time, so the expected text does not depend on the machine's zone.
const time = new Date(2024, 0, 2, 3, 4, 5);
const entry = (overrides: Partial<LogEntry> = {}): LogEntry => ({ time, level: "notice", message: "Starting", fields: [], ...overrides });

describe("formatTextLine without colours", () => {
  it.each([
    ["debug", "2024-01-02 03:04:05 DEBUG  Starting"],
    ["info", "2024-01-02 03:04:05 INFO   Starting"],
    ["notice", "2024-01-02 03:04:05 NOTICE Starting"],
    ["warn", "2024-01-02 03:04:05 WARN   Starting"],
    ["error", "2024-01-02 03:04:05 ERROR  Starting"],
    ["fatal", "2024-01-02 03:04:05 FATAL  Starting"],
  ] as const)("pads the %s level to six characters", (level, expected) => {
    expect(formatTextLine(entry({ level }), false)).toBe(expected);
  });

  it("appends fields as key=value in the order added", () => {
    const line = formatTextLine(entry({ fields: [["job", "abc"], ["attempt", "2"]] }), false);
    expect(line).toBe("2024-01-02 03:04:05 NOTICE Starting job=abc attempt=2");
  });

  it("shows the agent and hook fields as a prefix before the message", () => {
    const line = formatTextLine(entry({ fields: [["agent", "my-agent-1"], ["job", "abc"]] }), false);
    expect(line).toBe("2024-01-02 03:04:05 NOTICE my-agent-1 Starting job=abc");
  });

  // The Go printer adds the separator whenever there are fields, even if all
  // of them became the prefix; byte-for-byte logs keep that trailing space.
  it("keeps the Go agent's trailing space when every field went into the prefix", () => {
    expect(formatTextLine(entry({ fields: [["agent", "a1"]] }), false)).toBe("2024-01-02 03:04:05 NOTICE a1 Starting ");
  });
});

describe("formatTextLine with colours", () => {
  it("colours the time and level by level, the message and fields as logger/log.go does", () => {
    const line = formatTextLine(entry({ level: "warn", fields: [["job", "abc"]] }), true);
    expect(line).toBe(
      "\x1b[33m2024-01-02 03:04:05 WARN  \x1b[0m \x1b[0mStarting\x1b[0m \x1b[1;38;5;251mjob=\x1b[0m\x1b[0mabc\x1b[0m",
    );
  });

  it("greys DEBUG lines and reddens FATAL messages", () => {
    expect(formatTextLine(entry({ level: "debug" }), true)).toBe("\x1b[38;5;251m2024-01-02 03:04:05 DEBUG \x1b[0m \x1b[38;5;251mStarting\x1b[0m");
    expect(formatTextLine(entry({ level: "fatal" }), true)).toBe("\x1b[31m2024-01-02 03:04:05 FATAL \x1b[0m \x1b[31mStarting\x1b[0m");
  });

  it("shows the prefix in light grey", () => {
    expect(formatTextLine(entry({ level: "info", fields: [["agent", "a1"]] }), true)).toBe(
      "\x1b[38;5;48m2024-01-02 03:04:05 INFO  \x1b[0m \x1b[38;5;243ma1\x1b[0m \x1b[0mStarting\x1b[0m ",
    );
  });
});

describe("formatJsonLine", () => {
  it("writes ts, level and msg, then every field as a string, in order", () => {
    const line = formatJsonLine(entry({ message: 'say "hi"\n', fields: [["agent", "a1"], ["n", "2"]] }));
    const parsed = JSON.parse(line) as Record<string, string>;
    expect(Object.keys(parsed)).toEqual(["ts", "level", "msg", "agent", "n"]);
    expect(parsed).toMatchObject({ level: "NOTICE", msg: 'say "hi"\n', agent: "a1", n: "2" });
    expect(line).not.toContain("\n");
  });
});

describe("formatRfc3339", () => {
  const instant = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

  it.each([
    [0, "2024-01-02T03:04:05Z"],
    [330, "2024-01-02T08:34:05+05:30"],
    [-300, "2024-01-01T22:04:05-05:00"],
  ])("writes the wall-clock time at offset %i with the offset", (offset, expected) => {
    expect(formatRfc3339(instant, offset)).toBe(expected);
  });

  it("uses the machine's zone by default, as the text format does", () => {
    expect(formatRfc3339(time).startsWith("2024-01-02T03:04:05")).toBe(true);
  });
});
