import { describe, expect, it } from "@jest/globals";
import { startAgentPool } from "../src/index.js";
import { BOOTSTRAP, REGISTRATION_TOKEN, captureLogger, jobFinished, startPool, startRewritingProxy, startServer, stripTimestamps, tempDir } from "./harness.js";

const SIGNATURE = { algorithm: "EdDSA", signed_fields: ["command", "env"], value: "eyJhbGciOiJFZERTQSJ9..c2lnbmF0dXJl" };
const UNVERIFIABLE =
  "+++ ⛔ Job signature verification failed\nerror: cannot verify signature. JWK for pipeline verification is not configured\n";

/** An endpoint in front of `server` whose accept answers carry a step signature. */
function signingProxy(server: Awaited<ReturnType<typeof startServer>>): Promise<string> {
  return startRewritingProxy(server, (url, json) => {
    if (url.endsWith("/accept")) json["step"] = { ...(json["step"] as object), signature: SIGNATURE };
  });
}

describe("signed jobs (lifecycle.md §4 step 9)", () => {
  // Regression: the signature was ignored and a signed job ran unverified.
  it("refuses a signed job by default, as Go does without a verification key", async () => {
    const server = await startServer();
    const endpoint = await signingProxy(server);
    const job = server.createJob(server.createBuild().id, { command: "echo should-not-run" });
    const { logger, lines } = captureLogger();
    startPool(server, { endpoint, logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "signature_rejected" });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(UNVERIFIABLE);
    expect(lines).toContain(
      `warn: Job verification failed {"job":"${job.id}","error":"cannot verify signature. JWK for pipeline verification is not configured"}`,
    );
  });

  it("runs it after the same lines with verificationFailureBehavior warn", async () => {
    const server = await startServer();
    const endpoint = await signingProxy(server);
    const job = server.createJob(server.createBuild().id, { command: "echo ran" });
    startPool(server, { endpoint, verificationFailureBehavior: "warn" });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, signalReason: undefined });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(`${UNVERIFIABLE}ran\n`);
  });

  it("runs an unsigned job as before", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "echo ran" });
    startPool(server);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe("ran\n");
  });

  it("refuses to start with a verification JWKS, which it could not honour", () => {
    const options = {
      token: REGISTRATION_TOKEN,
      buildPath: tempDir(),
      executor: { command: BOOTSTRAP, args: [] },
      verificationJwksFile: "/etc/buildkite-agent/jwks.json",
    };
    expect(() => startAgentPool(options)).toThrow(
      expect.objectContaining({
        code: "AGENT_INVALID_OPTION",
        message:
          "agent option verificationJwksFile is set, but job signature verification is not supported yet: unset it, or use an agent that verifies signatures",
      }),
    );
    expect(() => startAgentPool({ ...options, verificationJwksFile: "", verificationFailureBehavior: "allow" as "warn" })).toThrow(
      /^agent option verificationFailureBehavior must be "block" or "warn", got "allow"$/,
    );
  });
});
