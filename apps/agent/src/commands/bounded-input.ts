/**
 * Reads a whole stream into one buffer, for the small inputs a command takes
 * whole (`redactor add`'s secrets), refusing more than `limit` bytes so a
 * runaway producer cannot exhaust memory.
 *
 * @throws Error `<what> is larger than <limit> bytes` past the limit; the
 * stream's own error otherwise.
 */
export async function readBounded(stream: NodeJS.ReadableStream, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > limit) throw new Error(`${what} is larger than ${limit} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}
