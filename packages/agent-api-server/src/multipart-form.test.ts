import { parseMultipartForm, type MultipartFileSink } from "./multipart-form.js";

const BOUNDARY = "b0undary";

function form(fileBytes: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`preamble\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\n\r\njob/a.txt\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n`),
    fileBytes,
    Buffer.from(`\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="after"\r\n\r\nlate\r\n--${BOUNDARY}--\r\n`),
  ]);
}

function collectingSink() {
  const got = { fields: new Map<string, string>(), filename: "", parts: [] as Buffer[], ended: false };
  const sink: MultipartFileSink = {
    async start(fields, filename) {
      got.fields = new Map(fields);
      got.filename = filename;
    },
    async write(data) {
      got.parts.push(Buffer.from(data));
    },
    async end() {
      got.ended = true;
    },
  };
  return { got, sink };
}

async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

describe("parseMultipartForm", () => {
  // The file holds CRLF and a near-miss of the delimiter, so a parser that matches
  // the boundary too eagerly, or loses bytes held back at a piece edge, corrupts it.
  const file = Buffer.from(`line 1\r\n--${BOUNDARY.slice(0, 4)}\r\n\r\n-- not it\r\nend`);
  const body = form(file);

  it.each(Array.from({ length: body.length }, (_, i) => i + 1))("streams the file intact when the body arrives in %i-byte pieces", async (size) => {
    const { got, sink } = collectingSink();
    const fields = await parseMultipartForm(pieces(body, size), BOUNDARY, "file", sink);
    expect(Buffer.concat(got.parts).equals(file)).toBe(true);
    expect(got.fields).toEqual(new Map([["key", "job/a.txt"]]));
    expect(got.filename).toBe("a.txt");
    expect(got.ended).toBe(true);
    expect(fields.get("after")).toBe("late");
  });

  it.each([
    ["no closing boundary", body.subarray(0, body.length - 10)],
    ["no file part", Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\n\r\nv\r\n--${BOUNDARY}--\r\n`)],
    ["a part without a name", Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--${BOUNDARY}--\r\n`)],
  ])("answers 400 for %s", async (_name, bad) => {
    const { sink } = collectingSink();
    await expect(parseMultipartForm(pieces(bad, 7), BOUNDARY, "file", sink)).rejects.toMatchObject({ status: 400 });
  });

  // Regression: every chunk after the closing boundary was still appended to the
  // parser's pending buffer, so an unauthenticated client could make it hold (and
  // copy, quadratically) anything it sent after a tiny valid form.
  it("reads and drops what follows the closing boundary without keeping it", async () => {
    const junk = Buffer.alloc(16 * 1024, "j");
    const pieceCount = 512; // 8 MiB in all
    let peakGrowth = 0;
    async function* formThenJunk(): AsyncGenerator<Buffer> {
      yield body;
      const before = process.memoryUsage().arrayBuffers;
      // The same buffer every time, so any growth is the parser keeping pieces.
      for (let i = 0; i < pieceCount; i++) {
        yield junk;
        if (i % 64 === 63) peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - before);
      }
    }
    const { got, sink } = collectingSink();
    const fields = await parseMultipartForm(formThenJunk(), BOUNDARY, "file", sink);
    expect(fields.get("after")).toBe("late");
    expect(Buffer.concat(got.parts).equals(file)).toBe(true);
    expect(peakGrowth).toBeLessThan(4 * 1024 * 1024);
  });
});
