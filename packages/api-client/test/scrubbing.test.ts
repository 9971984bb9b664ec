import { inspect } from "node:util";
import type { Reply } from "./recording-server.js";
import { harness, rejection, TOKEN } from "./harness.js";

/** Everything an error and the logs expose, for "never contains" checks. */
function exposed(error: unknown, logs: unknown): string {
  return inspect(error, { depth: Infinity, showHidden: true }) + JSON.stringify(logs);
}

const PEM = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  "QyNTUxOQAAACBzZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlAAAAlM2",
  "-----END OPENSSH PRIVATE KEY-----",
].join("\n");

describe("server text is scrubbed before it is collapsed or cut", () => {
  // Regression: whitespace was collapsed before scrubbing, so a remembered
  // multi-line secret echoed by the server no longer matched and reached the
  // retry warnings and the error; its Go-escaped form was never scrubbed at all.
  it("a 500 then a 422 echoing a multi-line secret from getSecret leak no line of it", async () => {
    const echo = `refused: ${PEM.replaceAll("\n", "\r\n")} (as sent: "${PEM.replaceAll("\n", "\\n")}")`;
    const { client, logs } = await harness((_request, index): Reply => {
      if (index === 0) return { body: { key: "SSH_KEY", value: PEM, uuid: "u" } };
      if (index === 1) return { status: 500, body: { message: echo } };
      return { status: 422, body: { message: echo } };
    });
    expect((await client.getSecret("job-1", "SSH_KEY")).value).toBe(PEM);
    const error = await rejection(client.getSecret("job-1", "OTHER"));
    expect(error).toMatchObject({ code: "API_HTTP_STATUS", status: 422 });
    expect(error.serverMessage).toBe("refused: [REDACTED] (as sent: \"[REDACTED]\")");
    expect(logs.filter((l) => l.level === "warn")).toHaveLength(1);
    const dump = exposed(error, logs);
    for (const line of PEM.split("\n")) expect(dump).not.toContain(line.slice(6, 30));
  });

  // Regression: the message was cut to 500 characters before scrubbing, so a token
  // straddling the cut was no longer a whole match and its first half leaked.
  it("a token straddling the 500-character cut leaks no part of it", async () => {
    const { client, logs } = await harness([{ status: 401, body: { message: `${"x".repeat(490)}${TOKEN} trailing` } }]);
    const error = await rejection(client.ping());
    expect(error.serverMessage).toBe(`${"x".repeat(490)}[REDACTED]`);
    expect(exposed(error, logs)).not.toContain(TOKEN.slice(0, 8));
  });

  // Regression: only the first 64 KiB of a message are scrubbed; a token straddling
  // that window's edge was no whole match there, and collapsing the whitespace
  // before it brought its start into the 500 quoted characters. A pipeline
  // rejection carries it: an error status's body is read only up to 64 KiB.
  it.each([
    ["after newlines and text", `${"\n".repeat(65516)}invalid token: ${TOKEN}`],
    ["after spaces", `${" ".repeat(65516)}${TOKEN}`],
  ])("a token straddling the scrub window's edge %s leaks no part of it", async (_, message) => {
    const { client, logs } = await harness((_request, index): Reply =>
      index === 0
        ? { status: 202, headers: { Location: "jobs/job-1/pipelines/u-1" } }
        : { body: { state: "rejected", message } },
    );
    const error = await rejection(client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} }));
    expect(error.code).toBe("PIPELINE_REJECTED");
    expect(exposed(error, logs)).not.toContain(TOKEN.slice(0, 4));
  });

  // Regression: pipeline secrets under 6 bytes were never remembered (§4.1: they
  // are redacted regardless of length).
  it("a short pipeline secret is scrubbed too", async () => {
    const { client } = await harness((_request, index): Reply =>
      index === 0 ? { body: { key: "PIN", value: "4711", uuid: "u" } } : { status: 422, body: { message: "pin 4711 refused" } },
    );
    await client.getSecret("job-1", "PIN");
    const error = await rejection(client.getSecret("job-1", "OTHER"));
    expect(error.serverMessage).toBe("pin [REDACTED] refused");
  });

  // Regression: the client's own token lived in the same 1000-entry LRU as job
  // tokens and secrets, so a long-running agent forgot it and a 401 echoing it
  // leaked it.
  it("the client's own token is scrubbed after 1001 other values were remembered", async () => {
    const { client, logs } = await harness([{ status: 401, body: { message: `token ${TOKEN} is revoked` } }]);
    for (let i = 0; i < 1001; i++) client.withToken(`bkaj_job_token_${String(i).padStart(6, "0")}`);
    const error = await rejection(client.ping());
    expect(error.serverMessage).toBe("token [REDACTED] is revoked");
    expect(exposed(error, logs)).not.toContain(TOKEN);
  });

  it("a derived client scrubs its own token and its parent's", async () => {
    const jobToken = "bkaj_derived_job_token_1";
    const { client } = await harness([{ status: 401, body: { message: `${jobToken} / ${TOKEN}` } }]);
    const jobClient = client.withToken(jobToken);
    for (let i = 0; i < 1001; i++) client.withToken(`bkaj_job_token_${String(i).padStart(6, "0")}`);
    const error = await rejection(jobClient.ping());
    expect(error.serverMessage).toBe("[REDACTED] / [REDACTED]");
  });

  // Regression: an async upload's rejection message was quoted whole and unscrubbed.
  it("a pipeline rejection message is scrubbed and bounded", async () => {
    const { client, logs } = await harness((_request, index): Reply =>
      index === 0
        ? { status: 202, headers: { Location: "jobs/job-1/pipelines/u-1" } }
        : { body: { state: "rejected", message: `bad\n\nstep: ${TOKEN} ${"y".repeat(100_000)}` } },
    );
    const error = await rejection(client.uploadPipeline("job-1", { uuid: "u-1", pipeline: {} }));
    expect(error.code).toBe("PIPELINE_REJECTED");
    expect(error.serverMessage).toBe(`bad step: [REDACTED] ${"y".repeat(500 - "bad step: [REDACTED] ".length)}`);
    expect(error.message).toMatch(new RegExp(`pipeline upload rejected: bad step: \\[REDACTED\\] y{${500 - "bad step: [REDACTED] ".length}}$`));
    expect(exposed(error, logs)).not.toContain(TOKEN);
  });
});
