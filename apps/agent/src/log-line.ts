/**
 * The real agent's two log formats (logger/log.go), as pure functions of one
 * entry so they can be tested without a clock or a stream.
 */

/** The agent's log levels, least severe first as the Go agent orders them (NOTICE sits below INFO there). */
export const LOG_LEVELS = ["debug", "notice", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One `key=value` pair attached to a log line, in the order it was added. */
export type LogField = readonly [key: string, value: string];

export interface LogEntry {
  readonly time: Date;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: readonly LogField[];
}

/** Fields shown before the message instead of after it, as the agent does for `agent` and `hook`. */
const PREFIX_FIELDS: ReadonlySet<string> = new Set(["agent", "hook"]);

// SGR colours of logger/log.go.
const RESET = "0";
const RED = "31";
const GREEN = "38;5;48";
const YELLOW = "33";
const GRAY = "38;5;251";
const GRAY_BOLD = "1;38;5;251";
const LIGHT_GRAY = "38;5;243";
const CYAN = "1;36";

const sgr = (code: string, text: string): string => `\x1b[${code}m${text}\x1b[0m`;

/**
 * A line of the `text` format: `2006-01-02 15:04:05 LEVEL  [prefix ]message key=value ...`,
 * local time, the level upper-case and padded to six characters, the values of
 * the `agent` and `hook` fields as a prefix, the other fields appended. With
 * `colors`, the agent's ANSI colours. No trailing newline.
 */
export function formatTextLine(entry: LogEntry, colors: boolean): string {
  const now = formatLocalTime(entry.time);
  const level = entry.level.toUpperCase().padEnd(6);
  const prefix = entry.fields
    .filter(([key]) => PREFIX_FIELDS.has(key))
    .map(([, value]) => value)
    .join("");
  const appended = entry.fields.filter(([key]) => !PREFIX_FIELDS.has(key));

  let line: string;
  let fieldTexts: string[];
  if (colors) {
    const { levelColor, messageColor } = colorsFor(entry.level);
    line = `${sgr(levelColor, `${now} ${level}`)} ${prefix === "" ? "" : `${sgr(LIGHT_GRAY, prefix)} `}${sgr(messageColor, entry.message)}`;
    fieldTexts = appended.map(([key, value]) => `${sgr(GRAY_BOLD, `${key}=`)}${sgr(messageColor, value)}`);
  } else {
    line = `${now} ${level} ${prefix === "" ? "" : `${prefix} `}${entry.message}`;
    fieldTexts = appended.map(([key, value]) => `${key}=${value}`);
  }
  // The agent adds the separating space whenever the entry has fields, even when
  // all of them went into the prefix; kept so lines compare byte for byte.
  return entry.fields.length > 0 ? `${line} ${fieldTexts.join(" ")}` : line;
}

/**
 * A line of the `json` format: `{"ts":"<RFC 3339, local offset>","level":"NOTICE","msg":"…",<fields>}`,
 * every field value a string, in the order added. No trailing newline.
 */
export function formatJsonLine(entry: LogEntry): string {
  const parts = [
    `"ts":${JSON.stringify(formatRfc3339(entry.time))}`,
    `"level":${JSON.stringify(entry.level.toUpperCase())}`,
    `"msg":${JSON.stringify(entry.message)}`,
    ...entry.fields.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`),
  ];
  return `{${parts.join(",")}}`;
}

function colorsFor(level: LogLevel): { levelColor: string; messageColor: string } {
  switch (level) {
    case "debug":
      return { levelColor: GRAY, messageColor: GRAY };
    case "notice":
      return { levelColor: CYAN, messageColor: RESET };
    case "warn":
      return { levelColor: YELLOW, messageColor: RESET };
    case "error":
      return { levelColor: RED, messageColor: RESET };
    case "fatal":
      return { levelColor: RED, messageColor: RED };
    case "info":
      return { levelColor: GREEN, messageColor: RESET };
  }
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Minutes east of UTC of the machine's zone at `time` (`+600` for +10:00). */
const localOffset = (time: Date): number => -time.getTimezoneOffset();

/** Go's `2006-01-02 15:04:05` layout, in local time (or at `offsetMinutes` east of UTC). */
export function formatLocalTime(time: Date, offsetMinutes: number = localOffset(time)): string {
  // Shift the instant by the offset and read it as UTC: the wall-clock time of that zone.
  const wall = new Date(time.getTime() + offsetMinutes * 60_000);
  return (
    `${wall.getUTCFullYear()}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())} ` +
    `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}:${pad2(wall.getUTCSeconds())}`
  );
}

/** Go's `time.RFC3339` in local time (or at `offsetMinutes`): `2006-01-02T15:04:05+10:00`, or `Z` at UTC. */
export function formatRfc3339(time: Date, offsetMinutes: number = localOffset(time)): string {
  const sign = offsetMinutes > 0 ? "+" : "-";
  const abs = Math.abs(offsetMinutes);
  const zone = offsetMinutes === 0 ? "Z" : `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  return formatLocalTime(time, offsetMinutes).replace(" ", "T") + zone;
}
