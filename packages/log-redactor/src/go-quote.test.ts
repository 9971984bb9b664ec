import { goQuote } from "./go-quote.js";

describe("goQuote (Go strconv.Quote without the quotes)", () => {
  it.each([
    ["plain", "plain"],
    ["secret\n1", "secret\\n1"],
    ['say "hi"\\', 'say \\"hi\\"\\\\'],
    ["\x07\b\f\r\t\v", "\\a\\b\\f\\r\\t\\v"],
    ["\x00\x1b\x7f", "\\x00\\x1b\\x7f"],
    ["ÿ é 日本", "ÿ é 日本"],
    ["nbsp\u00a0", "nbsp\\u00a0"],
    ["c1\u0085", "c1\\u0085"],
    ["\u{1F600}", "\u{1F600}"],
    ["\u{E0001}", "\\U000e0001"],
    ["\ufffd", "\ufffd"],
  ])("%j → %j", (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });

  it("escapes each byte that is not valid UTF-8 as \\xNN", () => {
    expect(goQuote(Buffer.from([0x61, 0xc6, 0x20, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xc0, 0xaf]))).toBe(
      "a\\xc6 \\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xc0\\xaf",
    );
  });
});
