import { HttpError } from "./errors.js";

/** Receives the one file part of a form upload, in pieces, with backpressure. */
export interface MultipartFileSink {
  /** The file part begins; `fields` are the text fields that came before it. */
  start(fields: ReadonlyMap<string, string>, filename: string): Promise<void>;
  /** The next piece of the file; the parser reads no more until this settles. */
  write(data: Buffer): Promise<void>;
  /** The file part ended. */
  end(): Promise<void>;
}

/** Limits that keep a hostile form from filling memory. */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_FIELDS = 100;

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * Streams a `multipart/form-data` body: text fields are collected (bounded), the
 * file part (the one with a `filename`, named `fileField`) goes to `sink` as it
 * arrives, never whole in memory. Only the last few bytes that might begin the next
 * boundary are held back. Returns all text fields. Answers 400 on a malformed form.
 */
export async function parseMultipartForm(
  body: AsyncIterable<Buffer>,
  boundary: string,
  fileField: string,
  sink: MultipartFileSink,
): Promise<Map<string, string>> {
  const opening = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields = new Map<string, string>();
  let state: "preamble" | "after-boundary" | "headers" | "body" | "done" = "preamble";
  let part: { name: string; isFile: boolean; ignored: boolean } | undefined;
  let fieldParts: Buffer[] = [];
  let fieldSize = 0;
  let sawFile = false;
  let pending: Buffer = Buffer.alloc(0);

  const deliver = async (data: Buffer) => {
    if (data.length === 0 || part === undefined) return;
    if (part.isFile) {
      await sink.write(data);
      return;
    }
    fieldSize += data.length;
    if (fieldSize > MAX_FIELD_BYTES) throw new HttpError(400, `Form field "${part.name}" is larger than ${MAX_FIELD_BYTES} bytes`);
    fieldParts.push(data);
  };

  const endPart = async () => {
    if (part === undefined) return;
    if (part.isFile) {
      await sink.end();
    } else {
      if (fields.size >= MAX_FIELDS) throw new HttpError(400, `Form has more than ${MAX_FIELDS} fields`);
      fields.set(part.name, Buffer.concat(fieldParts).toString("utf8"));
    }
    part = undefined;
    fieldParts = [];
    fieldSize = 0;
  };

  for await (const chunk of body) {
    // After the closing boundary the rest (an epilogue, or junk) is read and dropped,
    // never kept: it could be any size, and nobody has checked who sent it.
    if (state === "done") continue;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (state === "preamble") {
        const at = pending.indexOf(opening);
        if (at === -1) {
          pending = pending.subarray(Math.max(0, pending.length - opening.length + 1));
          break;
        }
        pending = pending.subarray(at + opening.length);
        state = "after-boundary";
      } else if (state === "after-boundary") {
        if (pending.length < 2) break;
        if (pending[0] === 0x2d && pending[1] === 0x2d) {
          state = "done";
          pending = Buffer.alloc(0);
          break;
        }
        if (!pending.subarray(0, 2).equals(CRLF)) throw new HttpError(400, "Malformed multipart body: bad boundary line");
        pending = pending.subarray(2);
        state = "headers";
      } else if (state === "headers") {
        const at = pending.indexOf(HEADER_END);
        if (at === -1) {
          if (pending.length > MAX_HEADER_BYTES) throw new HttpError(400, "Malformed multipart body: part headers too long");
          break;
        }
        const headers = pending.subarray(0, at).toString("utf8");
        pending = pending.subarray(at + HEADER_END.length);
        const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? "";
        const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
        const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
        if (name === undefined) throw new HttpError(400, "Malformed multipart body: a part has no name");
        const isFile = filename !== undefined && name === fileField && !sawFile;
        // Any other file part is not ours to store: read past it.
        part = { name, isFile, ignored: filename !== undefined && !isFile };
        if (isFile) {
          sawFile = true;
          await sink.start(fields, filename);
        }
        state = "body";
      } else if (state === "body") {
        const at = pending.indexOf(delimiter);
        if (at === -1) {
          const safe = pending.length - (delimiter.length - 1);
          if (safe > 0) {
            if (part?.ignored !== true) await deliver(pending.subarray(0, safe));
            pending = pending.subarray(safe);
          }
          break;
        }
        if (part?.ignored === true) {
          part = undefined;
        } else {
          await deliver(pending.subarray(0, at));
          await endPart();
        }
        pending = pending.subarray(at + delimiter.length);
        state = "after-boundary";
      } else {
        break;
      }
    }
  }
  if (state !== "done") throw new HttpError(400, "Malformed multipart body: it ended before the closing boundary");
  if (!sawFile) throw new HttpError(400, `Form has no file part named "${fileField}"`);
  return fields;
}
