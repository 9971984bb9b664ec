import { base64Forms, needlePattern, percentEncode, secretForms, WHITESPACE_RUN } from "./needle-forms.js";

describe("needlePattern", () => {
  it("normalises multi-line needles: trims lines (Unicode spaces too), drops blanks, joins with a run", () => {
    const pattern = needlePattern(Buffer.from("  first \r\n\n\t\u00a0second\u2003\n \n"));
    expect(Array.from(pattern!)).toEqual([...Buffer.from("first"), WHITESPACE_RUN, ...Buffer.from("second")]);
  });

  it("keeps single-line needles as they are, spaces included, and drops empty ones", () => {
    expect(Array.from(needlePattern(Buffer.from(" a b "))!)).toEqual([...Buffer.from(" a b ")]);
    expect(needlePattern(Buffer.alloc(0))).toBeUndefined();
    expect(needlePattern(Buffer.from(" \n \r\n"))).toBeUndefined();
  });
});

describe("base64Forms", () => {
  it("finds the secret inside base64 at every alignment, whatever surrounds it", () => {
    const secret = Buffer.from("correct horse battery");
    const forms = base64Forms(secret);
    expect(forms).toHaveLength(3);
    for (let before = 0; before < 6; before++) {
      for (const fill of [0x00, 0xff, 0x41]) {
        const blob = Buffer.concat([Buffer.alloc(before, fill), secret, Buffer.alloc(2, fill)]).toString("base64");
        expect(forms.some((form) => blob.includes(form))).toBe(true);
      }
    }
  });

  it("drops forms under 8 characters", () => {
    expect(base64Forms(Buffer.from("abcde"))).toEqual([]);
    expect(base64Forms(Buffer.from("abcdef"))).toEqual(["YWJjZGVm"]);
    expect(base64Forms(Buffer.from("abcdefg")).map((f) => f.length)).toEqual([9, 8, 9]);
  });
});

it("percent-encodes bytes as encodeURIComponent does", () => {
  const text = "a b/c?d=é&!*'()~";
  expect(percentEncode(Buffer.from(text))).toBe(encodeURIComponent(text));
  expect(percentEncode(Buffer.from([0xff]))).toBe("%FF");
});

it("lists each form once, only when enabled", () => {
  const secret = Buffer.from("pass word\n");
  const text = (forms: Uint8Array[]) => forms.map((f) => Buffer.from(f).toString());
  expect(text(secretForms(secret, { escapedForms: false, encodedForms: false }))).toEqual(["pass word\n"]);
  expect(text(secretForms(secret, { escapedForms: true, encodedForms: false }))).toEqual(["pass word\n", "pass word\\n"]);
  const all = text(secretForms(secret, { escapedForms: true, encodedForms: true }));
  expect(all).toContain("pass%20word%0A");
  expect(all).toContain("pass+word%0A");
  expect(new Set(all).size).toBe(all.length);
});
