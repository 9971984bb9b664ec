import fs from "node:fs";

/** Reads a conformance file from /work/shared/conformance at run time (never copied into the repo). */
export function conformanceUrl(path: string): URL {
  return new URL(`../../../../shared/conformance/${path}`, import.meta.url);
}

/** Parses a conformance JSON file. */
export function readConformanceJson<T>(path: string): T {
  return JSON.parse(fs.readFileSync(conformanceUrl(path), "utf8")) as T;
}
