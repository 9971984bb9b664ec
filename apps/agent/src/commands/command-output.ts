/**
 * Writes a command's output and waits until the stream has taken it, so a large
 * answer (`env get` of a big environment) is not queued without bound and a
 * closed reader surfaces as an error here.
 */
export function writeOutput(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === "") return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.write(text, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}
