import type { annotateCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { envRedactor } from "./env-redaction.js";
import { messageOf } from "./job-api-connection.js";
import { readStdinText, stdinIsReadable } from "./stdin-input.js";

/** Buildkite's limit on an annotation body, checked after redaction (clicommand/annotate.go `maxBodySize`). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * `buildkite-agent annotate [body]`: adds or replaces (or with `--append`
 * extends) the annotation of `--context` on the build page. The body is the
 * argument, else stdin when it is piped; with neither, only the style changes.
 * Secrets from the environment are redacted from the body (with a warning)
 * before its size is checked and it is sent (clicommand/annotate.go).
 */
export async function run(context: CommandContext<typeof annotateCommand>): Promise<number> {
  const { config, logger } = context;
  let body = context.args[0] ?? "";
  if (body === "" && stdinIsReadable(context.stdin)) {
    logger.info("Reading annotation body from STDIN");
    body = await readStdinText(context.stdin);
  }

  const redact = await envRedactor(config.redactedVars, context.env, logger);
  body = redact(body, "Annotation body");
  const size = Buffer.byteLength(body);
  if (size > MAX_BODY_BYTES) throw new Error(`annotation body size (${size}B) exceeds maximum (${MAX_BODY_BYTES}B)`);

  await withAgentApi(context, async (client) => {
    try {
      await client.createAnnotation(config.job, {
        body,
        style: config.style,
        context: config.context,
        append: config.append,
        priority: config.priority,
        scope: config.scope,
      });
    } catch (error) {
      throw new Error(`failed to annotate build: ${messageOf(error)}`, { cause: error });
    }
  });
  logger.debug("Successfully annotated build");
  return 0;
}
