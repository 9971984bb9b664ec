import fs from "node:fs";
import {
  DEFAULT_REDACTED_VARS,
  LogRedactorError,
  Redactor,
  matchRedactedVars,
  parseRedactorAddInput,
  redactString,
  redactUrlCredentials,
  shortRedactedVarsWarning,
} from "../src/index.js";
import { conformanceUrl, readConformanceJson } from "./conformance.js";
import { corpusValues } from "./go-literal.js";

// Buildkite's own vectors (../shared/conformance/redaction, from buildkite/agent
// v3.137.0). They describe the real agent, so the stream cases run with our extra
// forms off: escapedForms off too, because upstream's replacer takes needles as given
// (the Go-escaped forms are added one level up, as redactString does).

type Op = { write: string } | { reset: string[] } | { add: string[] } | { flush: true };
interface StreamCase {
  name: string;
  needles: string[];
  writes?: string[];
  ops?: Op[];
  expected: string;
  expectedNeedlesInitially?: string[];
  expectedNeedlesAfterAdd?: string[];
}
interface Cases {
  replacement: string;
  defaultRedactedVars: string[];
  streamCases: StreamCase[];
  redactStringCases: { name: string; needles: string[]; input: string; expected: string }[];
  urlCredentialCases: { name: string; input: string; expected: string }[];
  redactedVarsCases: {
    name: string;
    patterns: string[];
    environment: { name: string; value: string }[];
    expectedMatched: { name: string; value: string }[];
    expectedShort: string[];
  }[];
  redactorAddParseCases: {
    name: string;
    format: string;
    applyVarsFilter: boolean;
    redactedVars?: string;
    input: string;
    expectedSecretsSorted?: string[];
    error?: boolean;
    errorKind?: string;
  }[];
}
interface HexText {
  hex: string;
}
interface FuzzEntry {
  file: string;
  plaintext: HexText;
  split: number;
  rawSecrets: HexText[];
  effectiveSecrets: HexText[];
  writes: HexText[];
  computedOutput: HexText;
}

const cases = readConformanceJson<Cases>("redaction/cases.json");
const fuzzIndex = readConformanceJson<{ entries: FuzzEntry[] }>("redaction/fuzz-corpus/index.json");
const RAW = { escapedForms: false, encodedForms: false } as const;

function runStreamCase(c: StreamCase, redactor: Redactor): string {
  const out: Buffer[] = [];
  if (c.writes) {
    for (const write of c.writes) out.push(redactor.write(Buffer.from(write)));
    out.push(redactor.flush());
  } else {
    for (const op of c.ops!) {
      if ("write" in op) out.push(redactor.write(Buffer.from(op.write)));
      else if ("reset" in op) redactor.reset(op.reset);
      else if ("add" in op) redactor.add(op.add);
      else out.push(redactor.flush());
    }
  }
  return Buffer.concat(out).toString("utf8");
}

it("uses the upstream replacement and default redacted-vars", () => {
  expect(cases.replacement).toBe("[REDACTED]");
  expect(DEFAULT_REDACTED_VARS).toEqual(cases.defaultRedactedVars);
});

describe("streamCases (raw replacer)", () => {
  it.each(cases.streamCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const redactor = new Redactor({ secrets: c.needles, ...RAW });
    if (c.expectedNeedlesInitially) expect(redactor.secrets()).toEqual(c.expectedNeedlesInitially);
    expect(runStreamCase(c, redactor)).toBe(c.expected);
    if (c.expectedNeedlesAfterAdd) expect(redactor.secrets()).toEqual(c.expectedNeedlesAfterAdd);
  });
});

describe("streamCases, every write split into single bytes", () => {
  // Upstream's "Many writes" cases do this for ASCII; doing it for every case also
  // splits the PEM key and multi-byte characters at every byte boundary.
  it.each(cases.streamCases.filter((c) => c.writes).map((c) => [c.name, c] as const))("%s", (_, c) => {
    const bytes = [...Buffer.from(c.writes!.join(""))].map((b) => String.fromCharCode(b));
    const redactor = new Redactor({ secrets: c.needles, ...RAW });
    const out = Buffer.concat([...bytes.map((b) => redactor.write(Buffer.from(b, "latin1"))), redactor.flush()]);
    expect(out.toString("utf8")).toBe(c.expected);
  });
});

describe("redactStringCases", () => {
  it.each(cases.redactStringCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(redactString(c.input, c.needles, { encodedForms: false })).toBe(c.expected);
    expect(redactString(c.input, c.needles)).toBe(c.expected);
  });
});

describe("urlCredentialCases", () => {
  it.each(cases.urlCredentialCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(redactUrlCredentials(c.input)).toBe(c.expected);
  });
});

describe("redactedVarsCases", () => {
  it.each(cases.redactedVarsCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const result = matchRedactedVars(c.patterns, c.environment);
    expect(result.matched).toEqual(c.expectedMatched);
    expect(result.short).toEqual(c.expectedShort);
    expect(result.warning).toBe(c.expectedShort.length > 0 ? shortRedactedVarsWarning(c.expectedShort) : undefined);
  });
});

describe("redactorAddParseCases", () => {
  const codes: Record<string, string> = { "json-type-mismatch": "REDACTOR_ADD_JSON_TYPE", "json-syntax": "REDACTOR_ADD_JSON_SYNTAX" };
  it.each(cases.redactorAddParseCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const options = {
      format: c.format,
      applyVarsFilter: c.applyVarsFilter,
      redactedVars: c.redactedVars === "default" || c.redactedVars === undefined ? DEFAULT_REDACTED_VARS : [c.redactedVars],
    };
    if (c.error) {
      expect.assertions(3);
      try {
        parseRedactorAddInput(c.input, options);
      } catch (error) {
        expect(error).toBeInstanceOf(LogRedactorError);
        expect((error as LogRedactorError).code).toBe(codes[c.errorKind!]);
        // The input is secret: the message must not echo any of it.
        expect((error as Error).message).not.toContain("hun");
      }
    } else {
      expect(parseRedactorAddInput(c.input, options).sort()).toEqual(c.expectedSecretsSorted);
    }
  });
});

describe("fuzz corpus (FuzzReplacer)", () => {
  const dir = conformanceUrl("redaction/fuzz-corpus/FuzzReplacer/");
  const files = fs.readdirSync(dir).sort();
  const byFile = new Map(fuzzIndex.entries.map((e) => [e.file, e]));
  const forbidden = /[[\]REDACT]/;

  it("indexes every corpus file", () => {
    expect(files).toHaveLength(226);
    expect([...byFile.keys()].sort()).toEqual(files);
  });

  // Decodes the Go literals ourselves, applies upstream's secret filter, and checks
  // the decoding against index.json before using it.
  function decode(file: string): { plaintext: Buffer; split: number; secrets: Buffer[] } {
    const [plaintext, split, ...raw] = corpusValues(fs.readFileSync(new URL(file, dir))) as [Buffer, number, ...Buffer[]];
    const entry = byFile.get(file)!;
    expect(plaintext.toString("hex")).toBe(entry.plaintext.hex);
    expect(split).toBe(entry.split);
    expect(raw.map((s) => s.toString("hex"))).toEqual(entry.rawSecrets.map((s) => s.hex));
    const secrets = entry.effectiveSecrets.map((s) => Buffer.from(s.hex, "hex"));
    for (const secret of secrets) expect(forbidden.test(secret.toString("latin1"))).toBe(false);
    return { plaintext, split, secrets };
  }

  function run(plaintext: Buffer, split: number, secrets: Buffer[], options: object): Buffer {
    const redactor = new Redactor({ secrets, ...options });
    const writes = split >= 0 && split < plaintext.length ? [plaintext.subarray(0, split), plaintext.subarray(split)] : [plaintext];
    return Buffer.concat([...writes.map((w) => redactor.write(w)), redactor.flush()]);
  }

  it.each(files.map((f) => [f] as const))("%s", (file) => {
    const { plaintext, split, secrets } = decode(file);
    const raw = run(plaintext, split, secrets, RAW);
    expect(raw.toString("hex")).toBe(byFile.get(file)!.computedOutput.hex);
    // Upstream's property, with and without our extra forms.
    const full = run(plaintext, split, secrets, {});
    for (const out of [raw, full]) for (const secret of secrets) expect(out.includes(secret)).toBe(false);
  });
});
