import { JobRunnerError } from "../errors.js";

const FIELD_SEPARATORS = new Set([" ", "\t", "\n"]);

/**
 * Splits a flags string (`BUILDKITE_GIT_CLONE_FLAGS`, a refspec list) into words
 * as the real agent does (buildkite/shellwords `SplitPosix`): space, tab and
 * newline separate words; `'…'` and `"…"` quote; a backslash escapes the next
 * character outside quotes *and inside both kinds of quotes* (so `'it\'s'` is
 * `it's`, unlike a real POSIX shell); `""` is an empty word. No expansion of any kind.
 *
 * @throws JobRunnerError `CHECKOUT_FLAGS_INVALID` for an unterminated quote.
 */
export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let word = "";
  // A quoted empty string still makes a word, so track "a word has started".
  let started = false;
  let i = 0;
  while (i < input.length) {
    const char = input[i]!;
    i += 1;
    if (FIELD_SEPARATORS.has(char)) {
      if (started) words.push(word);
      word = "";
      started = false;
    } else if (char === "\\") {
      if (i < input.length) word += input[i];
      i += 1;
      started = true;
    } else if (char === "'" || char === '"') {
      const start = i - 1;
      let closed = false;
      while (i < input.length) {
        const inner = input[i]!;
        i += 1;
        if (inner === "\\" && i < input.length) {
          word += input[i];
          i += 1;
        } else if (inner === char) {
          closed = true;
          break;
        } else {
          word += inner;
        }
      }
      if (!closed) {
        throw new JobRunnerError(
          "CHECKOUT_FLAGS_INVALID",
          `Cannot split ${JSON.stringify(input)} into words: the ${char} quote at offset ${start} is never closed; close it or escape it with \\`,
        );
      }
      started = true;
    } else {
      word += char;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

// Characters that are special inside double quotes and so need a backslash there.
const ESCAPED = /[\\$`"]/g;
// Anything a shell would treat specially outside quotes: wrap the word in double quotes.
const NEEDS_QUOTES = /[\s'&;|<>()*?[\]#~!{}]/;

/**
 * Quotes `text` as one POSIX shell word for a script a real shell runs: `'…'`,
 * each `'` written as `'\''`. Unlike {@link quoteShellWord} (for display) it is
 * exact for any text, since nothing inside single quotes is special.
 */
export function singleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Quotes one word for a POSIX shell the way the real agent prints commands
 * (buildkite/shellwords `QuotePosix`): `\`, `$`, `` ` `` and `"` get a backslash,
 * and the word is wrapped in double quotes when it holds whitespace or other
 * shell syntax. `splitShellWords(quoteShellWord(w))` is `[w]`.
 */
export function quoteShellWord(word: string): string {
  if (word === "") return '""';
  const escaped = word.replace(ESCAPED, "\\$&");
  return NEEDS_QUOTES.test(word) ? `"${escaped}"` : escaped;
}
