/** UTC RFC 3339 with second precision, as Go's `time.RFC3339` prints it: `2024-01-01T00:00:00Z`. */
export function rfc3339Seconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19) + "Z";
}

/**
 * UTC RFC 3339 with fractional seconds, as Go's `time.RFC3339Nano` prints it:
 * trailing zeros of the fraction (and a bare `.`) are dropped. JavaScript clocks give
 * milliseconds, so at most three fraction digits appear.
 */
export function rfc3339Nano(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs)).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, "");
  return iso.slice(0, 19) + (fraction === "" ? "" : "." + fraction) + "Z";
}
