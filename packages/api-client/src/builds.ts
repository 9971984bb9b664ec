import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import { object, optString, str, type ResponseSchema } from "./response-schema.js";

const buildResponse: ResponseSchema<string> = {
  schema: object({ uuid: optString }),
  map: (json) => str(json, "uuid"),
};

/** `POST builds/{uuid}/cancel`, no body → the build's `uuid`; 5 attempts 1 s apart plus jitter. */
export async function cancelBuild(core: ClientCore, buildId: string, options: CallOptions = {}): Promise<string> {
  const { data } = await exchange(core, {
    call: "cancelBuild",
    method: "POST",
    path: `builds/${railsPathEscape(buildId)}/cancel`,
    response: buildResponse,
    signal: options.signal,
  });
  return data;
}
