import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { object, optString, str, type ResponseSchema } from "./response-schema.js";

/** `GET token` answer: what the token in use belongs to. */
export interface TokenIdentity {
  readonly uuid: string;
  readonly description: string;
  readonly tokenType: string;
  readonly organizationSlug: string;
  readonly organizationUuid: string;
  readonly clusterUuid: string;
  readonly clusterName: string;
  readonly organizationQueueUuid: string;
  readonly organizationQueueKey: string;
}

const FIELDS = {
  uuid: "uuid",
  description: "description",
  tokenType: "token_type",
  organizationSlug: "organization_slug",
  organizationUuid: "organization_uuid",
  clusterUuid: "cluster_uuid",
  clusterName: "cluster_name",
  organizationQueueUuid: "organization_queue_uuid",
  organizationQueueKey: "organization_queue_key",
} as const satisfies Record<keyof TokenIdentity, string>;

const tokenResponse: ResponseSchema<TokenIdentity> = {
  schema: object(Object.fromEntries(Object.values(FIELDS).map((name) => [name, optString]))),
  map: (json) =>
    Object.fromEntries(Object.entries(FIELDS).map(([key, name]) => [key, str(json, name)])) as unknown as TokenIdentity,
};

/** `GET token`, one attempt: the identity of the token in use. */
export async function tokenIdentity(core: ClientCore, options: CallOptions = {}): Promise<TokenIdentity> {
  const { data } = await exchange(core, {
    call: "tokenIdentity",
    method: "GET",
    path: "token",
    response: tokenResponse,
    signal: options.signal,
  });
  return data;
}
