import { goJson } from "@agent/api-client";
import type { oidcRequestTokenCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { writeOutput } from "./command-output.js";
import { messageOf } from "./job-api-connection.js";
import { addToJobRedactor } from "./job-api-redaction.js";

/**
 * `buildkite-agent oidc request-token`: asks Buildkite for an OIDC token for
 * the job, adds it to the job log's redactor through the Job API unless
 * `--skip-redaction`, and prints it: `jwt` ⇒ the token and a newline; `gcp` ⇒
 * the JSON Google Cloud's executable-sourced credentials expect
 * (clicommand/oidc_request_token.go).
 */
export async function run(context: CommandContext<typeof oidcRequestTokenCommand>): Promise<number> {
  const { config, logger } = context;

  const token = await withAgentApi(context, async (client) => {
    try {
      return await client.oidcToken(config.job, {
        audience: config.audience,
        lifetime: config.lifetime,
        claims: config.claim,
        awsSessionTags: config.awsSessionTag,
        subjectClaim: config.subjectClaim,
      });
    } catch (error) {
      logger.error(
        config.audience !== ""
          ? `Could not obtain OIDC token for audience ${config.audience}`
          : "Could not obtain OIDC token for default audience",
      );
      throw new Error(messageOf(error), { cause: error });
    }
  });

  if (!config.skipRedaction) {
    await addToJobRedactor(
      context.env,
      [token],
      {
        what: "OIDC token",
        output: "the token",
        outputAnyway: "the token",
        pronoun: "it",
        skipEnv: "BUILDKITE_AGENT_OIDC_REQUEST_TOKEN_SKIP_TOKEN_REDACTION",
        failed: "failed to redact OIDC token",
      },
      config.debug,
    );
  }

  const output =
    config.format === "gcp"
      ? goJson({ id_token: token, token_type: "urn:ietf:params:oauth:token-type:jwt", version: 1, success: true })
      : `${token}\n`;
  await writeOutput(context.stdout, output);
  return 0;
}
