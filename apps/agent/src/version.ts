import { readFileSync } from "node:fs";

/** The Go agent release whose behaviour this implementation follows. */
export const COMPATIBLE_AGENT_VERSION = "3.137.0";

let cached: string | undefined;

/**
 * The full version, `3.137.0+ts.<package version>`: the Go agent version we are
 * compatible with, then this package's own version as build metadata (the Go
 * agent puts its build number and commit there).
 *
 * The package version is read from this package's package.json on first use —
 * one small synchronous read, cheaper than a JSON module import (which Node 20
 * still flags as experimental) and never stale the way a generated constant can
 * be. dist/ sits beside package.json in every layout we ship (`files`).
 */
export function fullVersion(): string {
  if (cached === undefined) {
    const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    cached = `${COMPATIBLE_AGENT_VERSION}+ts.${packageJson.version}`;
  }
  return cached;
}
