/** Where job-log text goes: the executor's redacted output stream. */
export interface LogSink {
  write(text: string): unknown;
}

/** Options for {@link JobLog}. */
export interface JobLogOptions {
  /** Colour comments, prompts, warnings and errors, as the real agent does in a job log. @default true */
  readonly ansi?: boolean;
  /** Optional-warning ids printed plainly (`--disable-warnings-for`). @default [] */
  readonly disabledWarnings?: readonly string[];
}

const colour = (text: string, attributes: string): string => `\x1b[${attributes}m${text}\x1b[0m`;

/**
 * The executor's own lines in the job log, byte for byte as the real agent prints
 * them (internal/shell/logger.go), so Buildkite's UI groups and colours them the same.
 */
export class JobLog {
  readonly #sink: LogSink;
  readonly #ansi: boolean;
  readonly #disabled: ReadonlySet<string>;

  constructor(sink: LogSink, options: JobLogOptions = {}) {
    this.#sink = sink;
    this.#ansi = options.ansi ?? true;
    this.#disabled = new Set(options.disabledWarnings ?? []);
  }

  /** A plain line. */
  line(text: string): void {
    this.#sink.write(`${text}\n`);
  }

  /** `~~~ text`: a collapsed group. */
  header(text: string): void {
    this.line(`~~~ ${text}`);
  }

  /** `# text`, grey. */
  comment(text: string): void {
    this.line(this.#ansi ? colour(`# ${text}`, "90") : `# ${text}`);
  }

  /** `$ command`, the `$` grey. */
  prompt(command: string): void {
    this.line(`${this.#ansi ? colour("$", "90") : "$"} ${command}`);
  }

  /** `⚠️ Warning: text` in yellow, then `^^^ +++` to expand the group it is in. */
  warning(text: string): void {
    const body = `⚠️ Warning: ${text}`;
    this.line(`${this.#ansi ? colour(body, "33") : body}\n^^^ +++`);
  }

  /** `🚨 Error: text` in red, then `^^^ +++`. */
  error(text: string): void {
    const body = `🚨 Error: ${text}`;
    this.line(`${this.#ansi ? colour(body, "31") : body}\n^^^ +++`);
  }

  /** A warning the user may switch off with `--disable-warnings-for <id>`; then printed plainly. */
  optionalWarning(id: string, text: string): void {
    if (this.#disabled.has(id)) this.line(text);
    else this.warning(`${text}. You can disable this warning by passing the \`--disable-warnings-for ${id}\` flag`);
  }
}
