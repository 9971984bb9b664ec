const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** Go trims trailing zeros from RFC3339Nano fractions and drops an all-zero one. */
function fraction(ms: number): string {
  return ms === 0 ? "" : `.${pad(ms, 3).replace(/0+$/, "")}`;
}

/**
 * `date` in this process's local time zone with its offset, as Go's
 * `time.Now().Format(time.RFC3339Nano)` prints it for heartbeats:
 * `2026-08-20T11:02:03.456+10:00` (`Z` when the offset is zero).
 */
export function formatRfc3339NanoLocal(date: Date): string {
  const offsetMinutes = -date.getTimezoneOffset();
  const abs = Math.abs(offsetMinutes);
  const zone =
    offsetMinutes === 0 ? "Z" : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${fraction(date.getMilliseconds())}${zone}`
  );
}
