import { rfc3339Nano } from "@agent/log-redactor";
import { formatRfc3339NanoLocal } from "./go-time.js";

// Job start/finish times are sent in the log redactor's Go RFC3339Nano form.
describe("rfc3339Nano (job times)", () => {
  it.each([
    [Date.UTC(2026, 7, 20, 1, 2, 3, 456), "2026-08-20T01:02:03.456Z"],
    [Date.UTC(2026, 7, 20, 1, 2, 3, 450), "2026-08-20T01:02:03.45Z"],
    [Date.UTC(2026, 7, 20, 1, 2, 3, 400), "2026-08-20T01:02:03.4Z"],
    [Date.UTC(2026, 7, 20, 1, 2, 3, 0), "2026-08-20T01:02:03Z"],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 5), "2026-01-01T00:00:00.005Z"],
  ])("%s → %s", (ms, expected) => {
    expect(rfc3339Nano(new Date(ms).getTime())).toBe(expected);
  });
});

describe("formatRfc3339NanoLocal", () => {
  it("prints local wall time with the zone offset, Z for UTC", () => {
    const date = new Date(Date.UTC(2026, 7, 20, 1, 2, 3, 120));
    const text = formatRfc3339NanoLocal(date);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.12(Z|[+-]\d\d:\d\d)$/);
    // Parsing it back gives the same instant.
    expect(new Date(text).getTime()).toBe(date.getTime());
  });
});
