const UNITS: ReadonlyArray<readonly [bigint, string]> = [
  [1_000_000_000n, "s"],
  [1_000_000n, "ms"],
  [1_000n, "µs"],
];

/**
 * A duration as Go's `time.Duration.String` prints one below a minute (`812ns`,
 * `152.3µs`, `1.5ms`, `2.000001s`), for the debug request lines the real agent
 * writes; longer ones are printed in seconds.
 */
export function goDuration(nanoseconds: bigint): string {
  if (nanoseconds < 1_000n) return `${nanoseconds}ns`;
  for (const [unit, suffix] of UNITS) {
    if (nanoseconds < unit) continue;
    const whole = nanoseconds / unit;
    const fraction = (nanoseconds % unit).toString().padStart(unit.toString().length - 1, "0").replace(/0+$/, "");
    return `${whole}${fraction === "" ? "" : `.${fraction}`}${suffix}`;
  }
  return `${nanoseconds}ns`;
}
