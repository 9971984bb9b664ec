import { Redactor } from "../src/index.js";
import { prng } from "./prng.js";
import { referenceNeedles, referencePattern, referenceRedact } from "./reference-redactor.js";

// Seeded random streams checked against a simple non-streaming reference. Small
// alphabets make overlaps, prefixes, repeats ("aaaa"), nested and multi-line
// secrets common. None of the characters used appear in "[REDACTED]", so "the
// output never contains a secret" holds exactly (as in upstream's fuzz test).

const SECRET_CHARS = ["a", "b", "c", "a", "a", " ", "\n", "\\", "n"];
const TEXT_CHARS = ["a", "b", "c", "x", " ", "\n", "\r", "\t", "\\", "n", "\r\n"];

type Random = ReturnType<typeof prng>;

function randomSecret(random: Random): Buffer {
  for (;;) {
    const length = 1 + random.int(random.next() < 0.2 ? 12 : 5);
    const secret = Array.from({ length }, () => random.pick(SECRET_CHARS)).join("");
    if (/[^\s]/.test(secret)) return Buffer.from(secret);
  }
}

function randomText(random: Random, max: number, secrets: Buffer[]): Buffer {
  const parts: string[] = [];
  const length = random.int(max);
  while (parts.join("").length < length) {
    // Plant secrets (and their prefixes) often enough that most streams have matches.
    if (secrets.length > 0 && random.next() < 0.15) {
      const secret = random.pick(secrets).toString("latin1");
      parts.push(random.next() < 0.7 ? secret : secret.slice(0, random.int(secret.length + 1)));
    } else {
      parts.push(random.pick(TEXT_CHARS));
    }
  }
  return Buffer.from(parts.join(""), "latin1");
}

function randomSplits(random: Random, length: number): number[] {
  const cuts = new Set<number>();
  const count = random.int(6);
  for (let i = 0; i < count; i++) cuts.add(random.int(length + 1));
  return [...cuts].sort((a, b) => a - b);
}

function streamThrough(redactor: Redactor, input: Buffer, cuts: number[], onWrite?: () => void): Buffer {
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(redactor.write(input.subarray(from, cut)));
    onWrite?.();
    from = cut;
  }
  out.push(redactor.flush());
  return Buffer.concat(out);
}

/** The longest span one needle can match: lines plus `maxRun` per line break. */
function longestMatch(needles: Buffer[], maxRun: number): number {
  return Math.max(0, ...needles.map((n) => referencePattern(n).reduce((sum, s) => sum + (s < 0 ? maxRun : 1), 0)));
}

describe.each([
  ["raw needles", { escapedForms: false, encodedForms: false }],
  ["with Go-escaped forms", { escapedForms: true, encodedForms: false }],
  ["with every form (default)", { escapedForms: true, encodedForms: true }],
] as const)("%s", (_, forms) => {
  it("matches the reference on 4000 random streams, holding back less than one match", () => {
    const random = prng(forms.escapedForms ? (forms.encodedForms ? 3 : 2) : 1);
    const maxRun = 8;
    for (let iteration = 0; iteration < 4000; iteration++) {
      const secrets = Array.from({ length: 1 + random.int(4) }, () => randomSecret(random));
      const input = randomText(random, 60, secrets);
      const needles = referenceNeedles(secrets, forms);
      const redactor = new Redactor({ secrets, ...forms, maxWhitespaceRun: maxRun });
      const bound = longestMatch(needles, maxRun);
      expect(redactor.maxMatchLength).toBe(bound);
      const out = streamThrough(redactor, input, randomSplits(random, input.length), () => {
        if (redactor.heldBytes > Math.max(0, bound - 1)) throw new Error(`held ${redactor.heldBytes} > ${bound - 1} at iteration ${iteration}`);
      });
      const expected = referenceRedact(input, needles, maxRun);
      if (!out.equals(expected)) {
        throw new Error(
          `iteration ${iteration}: secrets ${JSON.stringify(secrets.map(String))} input ${JSON.stringify(String(input))}\n` +
            `got      ${JSON.stringify(String(out))}\nexpected ${JSON.stringify(String(expected))}`,
        );
      }
      for (const secret of secrets) expect(out.includes(secret)).toBe(false);
    }
  });
});

it("gives the same output for every split point and for one byte per write", () => {
  const random = prng(7);
  for (let iteration = 0; iteration < 150; iteration++) {
    const secrets = Array.from({ length: 1 + random.int(3) }, () => randomSecret(random));
    const input = randomText(random, 24, secrets);
    const expected = referenceRedact(input, secrets);
    const options = { secrets, escapedForms: false, encodedForms: false };
    for (let cut = 0; cut <= input.length; cut++) {
      expect(streamThrough(new Redactor(options), input, [cut])).toEqual(expected);
    }
    const everyByte = Array.from({ length: input.length }, (_, i) => i);
    expect(streamThrough(new Redactor(options), input, everyByte)).toEqual(expected);
  }
});

it("applies a secret added mid-stream to later bytes only", () => {
  const random = prng(11);
  for (let iteration = 0; iteration < 1000; iteration++) {
    const before = Array.from({ length: 1 + random.int(2) }, () => randomSecret(random));
    const added = Array.from({ length: 1 + random.int(2) }, () => randomSecret(random));
    const all = [...before, ...added];
    // `|` is in no secret, so it ends every partial match: the add point is clean.
    const first = Buffer.concat([randomText(random, 30, all), Buffer.from("|")]);
    const second = randomText(random, 30, all);
    const redactor = new Redactor({ secrets: before, escapedForms: false, encodedForms: false });
    const out1 = streamThrough(redactor, first, randomSplits(random, first.length));
    redactor.add(added);
    const out2 = streamThrough(redactor, second, randomSplits(random, second.length));
    expect(out1).toEqual(referenceRedact(first, before));
    expect(out2).toEqual(referenceRedact(second, all));
  }
});

it("keeps a partial match of an existing secret across an add", () => {
  const redactor = new Redactor({ secrets: ["secret-one"], escapedForms: false, encodedForms: false });
  const out = [redactor.write(Buffer.from("x secret-"))];
  redactor.add(["other-secret"]);
  out.push(redactor.write(Buffer.from("one other-secret")), redactor.flush());
  expect(Buffer.concat(out).toString()).toBe("x [REDACTED] [REDACTED]");
});

it("releases a partial match whose secret a reset removed", () => {
  const redactor = new Redactor({ secrets: ["secret-one"], escapedForms: false, encodedForms: false });
  const out = [redactor.write(Buffer.from("x secret-"))];
  expect(redactor.heldBytes).toBe(7);
  redactor.reset(["other"]);
  out.push(redactor.write(Buffer.from("one")), redactor.flush());
  expect(Buffer.concat(out).toString()).toBe("x secret-one");
});
