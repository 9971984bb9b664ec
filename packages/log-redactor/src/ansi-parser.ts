const GROUND = 0;
const ESCAPE = 1;
const CSI_PARAMS = 2;
const CSI_INTERMEDIATES = 3;
const STRING = 4;
const STRING_ESCAPE = 5;

const ESC = 0x1b;

/**
 * The small ANSI state machine the timestamper uses so it never inserts a timestamp
 * inside an escape sequence (upstream internal/process/ansi.go). It knows CSI
 * (`ESC [`, parameter bytes 0x30–0x3F, then intermediate bytes 0x20–0x2F, and any
 * other byte is the final byte) and the string sequences OSC, DCS, SOS, PM and APC
 * (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _`), which end with BEL or `ESC \`.
 * `ESC` followed by anything else is a complete two-byte sequence; a lone trailing
 * `ESC` is "inside".
 */
export class AnsiParser {
  private state = GROUND;
  private params = 0;
  private firstParam = 0;
  private lineEnded = false;

  /** True when the bytes fed so far stop inside an escape sequence. */
  get insideCode(): boolean {
    return this.state !== GROUND;
  }

  /** Feeds bytes; afterwards `insideCode` tells whether a sequence is still open. */
  feed(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.state === GROUND) {
        const esc = bytes.indexOf(ESC, i);
        if (esc < 0) return;
        this.state = ESCAPE;
        i = esc + 1;
      } else {
        i = this.consume(bytes, i, bytes.length);
      }
    }
  }

  /** Starts a sequence: the caller saw `ESC` in plain text. */
  enterEscape(): void {
    this.state = ESCAPE;
  }

  /**
   * Returns and clears whether the bytes consumed since the last call ended a line:
   * a `\n` (even inside a sequence), or an erase-in-line `ESC [K`, `ESC [0K`,
   * `ESC [1K` or `ESC [2K` (other CSI sequences such as `ESC [1B` do not).
   */
  takeLineEnded(): boolean {
    const ended = this.lineEnded;
    this.lineEnded = false;
    return ended;
  }

  /**
   * Consumes bytes from `i` while inside a sequence; returns the index just after the
   * sequence's last byte, or `to` if it is still open there.
   */
  consume(bytes: Uint8Array, i: number, to: number): number {
    while (i < to && this.state !== GROUND) {
      const byte = bytes[i++]!;
      if (byte === 0x0a) this.lineEnded = true;
      switch (this.state) {
        case ESCAPE:
          if (byte === 0x5b) {
            this.state = CSI_PARAMS;
            this.params = 0;
          } else if (byte === 0x5d || byte === 0x50 || byte === 0x58 || byte === 0x5e || byte === 0x5f) {
            this.state = STRING;
          } else if (byte !== ESC) {
            this.state = GROUND;
          }
          break;
        case CSI_PARAMS:
          if (byte >= 0x30 && byte <= 0x3f) {
            if (this.params++ === 0) this.firstParam = byte;
          } else if (byte >= 0x20 && byte <= 0x2f) {
            this.state = CSI_INTERMEDIATES;
          } else {
            this.state = GROUND;
            if (byte === 0x4b && (this.params === 0 || (this.params === 1 && this.firstParam >= 0x30 && this.firstParam <= 0x32))) {
              this.lineEnded = true;
            }
          }
          break;
        case CSI_INTERMEDIATES:
          if (byte < 0x20 || byte > 0x2f) this.state = GROUND;
          break;
        case STRING:
          if (byte === 0x07) this.state = GROUND;
          else if (byte === ESC) this.state = STRING_ESCAPE;
          break;
        default:
          // STRING_ESCAPE: only `ESC \` ends the string; `ESC ESC` may still precede it.
          if (byte === 0x5c) this.state = GROUND;
          else if (byte !== ESC) this.state = STRING;
      }
    }
    return i;
  }
}
