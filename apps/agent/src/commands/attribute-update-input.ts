import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { envRedactor } from "./env-redaction.js";
import { readStdinText } from "./stdin-input.js";

/**
 * The `<attribute> [value]` of `job update` and `step update`: the value is the
 * second argument, or all of stdin when there is none (read even from a
 * terminal, as the real agent does, so an empty value needs `''`). Secrets from
 * the environment are redacted from it first, with the real agent's warning
 * naming `<kind> "<id>"`.
 */
export async function attributeUpdateInput(
  context: CommandContext,
  redactedVars: readonly string[],
  target: { readonly kind: "job" | "step"; readonly id: string },
): Promise<{ attribute: string; value: string }> {
  const { logger } = context;
  const attribute = context.args[0] ?? "";
  let value = context.args[1] ?? "";
  if (context.args.length < 2) {
    logger.info("Reading value from STDIN");
    value = await readStdinText(context.stdin);
  }
  const redact = await envRedactor(redactedVars, context.env, logger);
  return { attribute, value: redact(value, `New value for ${target.kind} "${goQuote(target.id)}" attribute "${goQuote(attribute)}"`) };
}
