import { describe, expect, it } from "@jest/globals";
import { PassThrough } from "node:stream";
import { createProcessRunner } from "../src/index.js";

const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin" };

function collecting(pty: boolean) {
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return { runner: createProcessRunner({ output, pty }), text: () => text };
}

// 200 000 bytes of noise, then the line a caller classifies by.
const CHATTY = "head -c 200000 /dev/zero | tr '\\0' a; echo; echo 'fatal: the verdict'; exit 3";

describe("createProcessRunner tail", () => {
  it("streams everything to the job log and returns only the last bytes", async () => {
    const { runner, text } = collecting(false);
    const result = await runner("sh", ["-c", CHATTY], { cwd: process.cwd(), env, tail: 100 });
    expect(result.exitCode).toBe(3);
    expect(text()).toHaveLength(200_000 + "\nfatal: the verdict\n".length);
    expect(result.output).toHaveLength(100);
    expect(text().endsWith(result.output!)).toBe(true);
    expect(result.output).toMatch(/a\nfatal: the verdict\n$/);
  });

  it("returns all of a short output", async () => {
    const { runner, text } = collecting(false);
    const result = await runner("sh", ["-c", "echo short"], { cwd: process.cwd(), env, tail: 1024 });
    expect(result.output).toBe("short\n");
    expect(text()).toBe("short\n");
  });

  it("keeps the runner's PTY, so the tail's lines end in CRLF", async () => {
    const { runner, text } = collecting(true);
    const result = await runner("sh", ["-c", "echo one; echo 'fatal: two'"], { cwd: process.cwd(), env, tail: 1024 });
    expect(result.output).toBe("one\r\nfatal: two\r\n");
    expect(text()).toBe("one\r\nfatal: two\r\n");
  });

  it("is ignored with capture, which keeps the output out of the job log", async () => {
    const { runner, text } = collecting(false);
    const result = await runner("sh", ["-c", "echo data"], { cwd: process.cwd(), env, capture: true, tail: 2 });
    expect(result.output).toBe("data\n");
    expect(text()).toBe("");
  });
});
