import { LogRedactorError, MIN_BASE64_FORM_LENGTH, Redactor, type Logger } from "../src/index.js";

function redactAll(redactor: Redactor, ...writes: (string | Buffer)[]): Buffer {
  return Buffer.concat([...writes.map((w) => redactor.write(typeof w === "string" ? Buffer.from(w) : w)), redactor.flush()]);
}

describe("forms beyond the raw value", () => {
  it("redacts the Go-escaped form by default, and not with escapedForms off", () => {
    const text = 'value: "line one\\nline two"';
    expect(redactAll(new Redactor({ secrets: ["line one\nline two"] }), text).toString()).toBe('value: "[REDACTED]"');
    expect(redactAll(new Redactor({ secrets: ["line one\nline two"], escapedForms: false }), text).toString()).toBe(text);
  });

  it.each([0, 1, 2, 3, 4, 5])("redacts the base64 of a secret embedded at offset %i of a base64 blob", (offset) => {
    const secret = "hunter2-is-my-password";
    const blob = Buffer.concat([Buffer.from("user:".slice(0, offset)), Buffer.from(secret), Buffer.from("@tail")]).toString("base64");
    const line = `Authorization: Basic ${blob}\n`;
    const out = redactAll(new Redactor({ secrets: [secret] }), line).toString();
    expect(out).toContain("[REDACTED]");
    expect(out.startsWith("Authorization: Basic ")).toBe(true);
    // Off: the real agent's behaviour, the blob passes through.
    expect(redactAll(new Redactor({ secrets: [secret], encodedForms: false }), line).toString()).toBe(line);
  });

  it(`skips base64 forms shorter than ${MIN_BASE64_FORM_LENGTH} characters`, () => {
    // "abc" encodes to "YWJj" (4 characters): too short to be meaningful.
    expect(redactAll(new Redactor({ secrets: ["abc"] }), "YWJjZGVm").toString()).toBe("YWJjZGVm");
    // 6 bytes gives an 8-character aligned form.
    expect(redactAll(new Redactor({ secrets: ["abcdef"] }), "x YWJjZGVm y").toString()).toBe("x [REDACTED] y");
  });

  it("redacts the URL-encoded forms (%20 and +)", () => {
    const secret = "p@ss w/rd&x";
    const out = redactAll(new Redactor({ secrets: [secret] }), "a=p%40ss%20w%2Frd%26x b=p%40ss+w%2Frd%26x\n").toString();
    expect(out).toBe("a=[REDACTED] b=[REDACTED]\n");
  });
});

describe("bytes, not strings", () => {
  it("passes invalid UTF-8 and NUL bytes through unchanged and matches binary secrets", () => {
    const input = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x00, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xfe, 0x00]);
    const out = redactAll(new Redactor({ secrets: [Buffer.from([0xc3, 0x28, 0x00])] }), input);
    expect(out).toEqual(Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from("[REDACTED]"), input.subarray(5)]));
  });

  it("does not depend on the caller keeping its buffer after write", () => {
    const redactor = new Redactor({ secrets: ["secret-value"] });
    const buf = Buffer.from("a secret-va");
    const out: Buffer[] = [Buffer.from(redactor.write(buf))];
    buf.fill(0x21);
    out.push(redactor.write(Buffer.from("lue b")), redactor.flush());
    expect(Buffer.concat(out).toString()).toBe("a [REDACTED] b");
  });
});

describe("bounded memory", () => {
  it("redacts a 50 MB line of one repeated secret into one placeholder, holding almost nothing", () => {
    const redactor = new Redactor({ secrets: ["0000"], encodedForms: false });
    const write = Buffer.alloc(64 * 1024, "0");
    let out = 0;
    for (let written = 0; written < 50 * 1024 * 1024; written += write.length) {
      out += redactor.write(write).length;
      expect(redactor.heldBytes).toBeLessThan(4);
    }
    out += redactor.flush().length;
    expect(out).toBe("[REDACTED]".length);
  });

  it("caps the whitespace run a multi-line secret's line break matches", () => {
    const redactor = new Redactor({ secrets: ["begin\nend"], maxWhitespaceRun: 100, encodedForms: false });
    const out = [redactor.write(Buffer.from("begin"))];
    for (let i = 0; i < 1000; i++) {
      out.push(redactor.write(Buffer.alloc(1000, " ")));
      expect(redactor.heldBytes).toBeLessThanOrEqual(redactor.maxMatchLength);
    }
    out.push(redactor.write(Buffer.from("end begin \r\n end")), redactor.flush());
    const text = Buffer.concat(out).toString();
    expect(text.startsWith("begin ")).toBe(true);
    expect(text.endsWith("end [REDACTED]")).toBe(true);
    expect(text.length).toBe(5 + 1_000_000 + 4 + "[REDACTED]".length);
  });

  it("passes a 50 MB line with no newline through in near-constant memory", () => {
    const redactor = new Redactor({ secrets: Array.from({ length: 20 }, (_, i) => `secret-${i}-abcdef`) });
    const write = Buffer.alloc(64 * 1024, "x");
    const before = process.memoryUsage().rss;
    let out = 0;
    for (let written = 0; written < 50 * 1024 * 1024; written += write.length) out += redactor.write(write).length;
    out += redactor.flush().length;
    expect(out).toBe(50 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("secret set", () => {
  it("ignores empty secrets and de-duplicates, listing secrets sorted", () => {
    const redactor = new Redactor({ secrets: ["b-secret", "", "a-secret", "b-secret"] });
    expect(redactor.secrets()).toEqual(["a-secret", "b-secret"]);
    redactor.add(["", "a-secret"]);
    expect(redactor.secrets()).toEqual(["a-secret", "b-secret"]);
  });

  it("logs secret-set changes at debug with counts only", () => {
    const lines: string[] = [];
    const logger: Logger = { debug: (m, f) => lines.push(m + JSON.stringify(f)), info: () => {}, warn: () => {}, error: () => {} };
    const redactor = new Redactor({ secrets: ["super-secret-1"], logger });
    redactor.add(["super-secret-2"]);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain("super-secret");
  });

  it("rejects nonsensical options with INVALID_OPTION", () => {
    expect.assertions(2);
    try {
      new Redactor({ maxWhitespaceRun: 0 });
    } catch (error) {
      expect(error).toBeInstanceOf(LogRedactorError);
      expect((error as LogRedactorError).code).toBe("INVALID_OPTION");
    }
  });

  it("keeps working when the matcher's state cache is rebuilt", () => {
    // 4 cached states force many rebuilds on varied input.
    const secrets = ["abcdef", "bcdefg", "a b c\nd e f", "zzzz"];
    const tiny = new Redactor({ secrets, maxMatcherStates: 4, encodedForms: false });
    const roomy = new Redactor({ secrets, encodedForms: false });
    const input = Buffer.from("xx abcdefg a b c \r\n d e f zzzzz bcdefg abcde".repeat(50));
    expect(redactAll(tiny, input)).toEqual(redactAll(roomy, input));
    expect(redactAll(new Redactor({ secrets, encodedForms: false }), input).toString()).not.toMatch(/abcdef|zzzz/);
  });
});

describe("adding secrets mid-stream", () => {
  // Regression: a secret released as [REDACTED] at the end of a write, then an
  // added secret that extends it, made the redactor hold bytes it did not have;
  // the next short writes lost up to that secret's length of ordinary log text.
  it("loses no log bytes when the added secret extends one just redacted", () => {
    const redactor = new Redactor({ secrets: ["my-token"], encodedForms: false });
    const out = [redactor.write(Buffer.from("token: my-token"))];
    redactor.add(["my-token-extended-value"]);
    out.push(redactor.write(Buffer.from("-")), redactor.write(Buffer.from(" is what we printed\n")), redactor.flush());
    expect(Buffer.concat(out).toString()).toBe("token: [REDACTED]- is what we printed\n");
  });

  it("keeps every non-secret byte over random adds of extending secrets", () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let run = 0; run < 500; run++) {
      const base = `tok${next(1000)}`;
      const redactor = new Redactor({ secrets: [base], encodedForms: false, escapedForms: false });
      const out = [redactor.write(Buffer.from(`x ${base}`))];
      redactor.add([`${base}-more${next(100)}`]);
      // The tail starts like the added secret, then leaves it: the bytes that
      // continued the restored partial match are the ones that went missing.
      const tail = `${"-more".slice(0, 1 + next(5))}!plain text that must survive\n`;
      let offset = 0;
      while (offset < tail.length) {
        const size = 1 + next(4);
        out.push(redactor.write(Buffer.from(tail.slice(offset, offset + size))));
        offset += size;
      }
      out.push(redactor.flush());
      expect(Buffer.concat(out).toString()).toBe(`x [REDACTED]${tail}`);
    }
  });
});

describe("long multi-line secrets", () => {
  // Regression: a cache of trie paths grew with the square of a multi-line secret's
  // length when it was printed in small writes (425 MB for a 20 KB key, 1-byte writes).
  it("redacts a 20 KB wrapped key printed in 8-byte writes without growing the heap", () => {
    const body = Buffer.alloc(15_000, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=").toString();
    const key = body.match(/.{1,64}/g)!.join("\n");
    const redactor = new Redactor({ secrets: [key], encodedForms: false });
    const printed = Buffer.from(`key:\n${key.replaceAll("\n", "\r\n")}\r\ndone\n`);
    // Without a collection first the measure includes garbage (18-55 MB seen), so
    // collect when the run exposes gc (--expose-gc); otherwise bound it far below
    // the bug's 425 MB and far above any garbage.
    const gc = (globalThis as { gc?: () => void }).gc;
    const used = () => {
      gc?.();
      return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    };
    const before = used();
    const out: Buffer[] = [];
    for (let i = 0; i < printed.length; i += 8) out.push(redactor.write(printed.subarray(i, i + 8)));
    out.push(redactor.flush());
    const grown = used() - before;
    expect(Buffer.concat(out).toString()).toBe("key:\n[REDACTED]\r\ndone\n");
    expect(grown).toBeLessThan((gc ? 40 : 200) * 1024 * 1024);
  });

  // Regression: every write copied the whole held partial match twice (joining it
  // with the new bytes, then keeping the tail), so a long key printed in tiny writes
  // cost time quadratic in its length: ~32 MB copied for this 8 KB key.
  it("does not copy the held partial match again on every small write", () => {
    const key = Buffer.alloc(8_000, "abcdefghijklmnopqrstuvwxyz0123456789").toString();
    const redactor = new Redactor({ secrets: [key], encodedForms: false });
    const printed = Buffer.from(`key: ${key} done\n`);
    const concat = Buffer.concat;
    let joined = 0;
    Buffer.concat = (list: readonly Uint8Array[], totalLength?: number) => {
      const result = concat(list, totalLength);
      joined += result.length;
      return result;
    };
    const out: Buffer[] = [];
    try {
      for (let i = 0; i < printed.length; i++) out.push(redactor.write(printed.subarray(i, i + 1)));
      out.push(redactor.flush());
    } finally {
      Buffer.concat = concat;
    }
    expect(Buffer.concat(out).toString()).toBe("key: [REDACTED] done\n");
    expect(joined).toBeLessThan(10 * printed.length);
  });

  it("returns output that later writes do not change, while a partial match is held in place", () => {
    const redactor = new Redactor({ secrets: ["abcdefghij"], encodedForms: false });
    const out: Buffer[] = [];
    // Near misses keep a partial match held and grown in place, then released.
    const printed = Buffer.from("abcdefghiX abcdefgh abcdefghij abcdeY ".repeat(50));
    for (let i = 0; i < printed.length; i += 3) out.push(redactor.write(printed.subarray(i, i + 3)));
    out.push(redactor.flush());
    expect(Buffer.concat(out).toString()).toBe("abcdefghiX abcdefgh [REDACTED] abcdeY ".repeat(50));
  });
});
