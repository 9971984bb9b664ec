import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import { bool, object, optBoolean, optString, str, type ResponseSchema } from "./response-schema.js";

/** Whose meta-data to read: a job's (`jobs/{id}`) or, with `--build`, a build's (`builds/{id}`). */
export interface MetaDataTarget {
  readonly scope: "job" | "build";
  readonly id: string;
}

/** One meta-data item. */
export interface MetaDataItem {
  readonly key: string;
  readonly value: string;
}

const itemJson = (item: MetaDataItem) => ({ key: item.key || undefined, value: item.value || undefined });

const getResponse: ResponseSchema<MetaDataItem> = {
  schema: object({ key: optString, value: optString }),
  map: (json) => ({ key: str(json, "key"), value: str(json, "value") }),
};

const existsResponse: ResponseSchema<boolean> = {
  schema: object({ exists: optBoolean }),
  map: (json) => bool(json, "exists"),
};

const keysResponse: ResponseSchema<string[]> = {
  schema: { type: ["array", "null"], items: { type: "string" } },
  map: (json) => (Array.isArray(json) ? (json as string[]) : []),
};

const targetPath = (target: MetaDataTarget, action: string): string =>
  `${target.scope}s/${railsPathEscape(target.id)}/data/${action}`;

/** `POST jobs/{job}/data/set` with `{"key","value"}` (each omitted when empty); 10 × ExponentialSubsecond(2 s). */
export async function setMetaData(
  core: ClientCore,
  jobId: string,
  item: MetaDataItem,
  options: CallOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "setMetaData",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/data/set`,
    json: itemJson(item),
    signal: options.signal,
  });
}

/**
 * `POST jobs/{job}/data/set-batch` with `{"items": […]}`; 10 × ExponentialSubsecond(2 s),
 * stopping early only on 401 or 404 (every other error, other 4xx included, is retried).
 */
export async function setMetaDataBatch(
  core: ClientCore,
  jobId: string,
  items: readonly MetaDataItem[],
  options: CallOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "setMetaDataBatch",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/data/set-batch`,
    json: { items: items.map(itemJson) },
    signal: options.signal,
  });
}

/**
 * `POST {jobs|builds}/{id}/data/get` with `{"key"}`; the server answers 404 when
 * the key is unset (an `API_HTTP_STATUS` error with `status` 404). 10 attempts 5 s apart.
 */
export async function getMetaData(
  core: ClientCore,
  target: MetaDataTarget,
  key: string,
  options: CallOptions = {},
): Promise<MetaDataItem> {
  const { data } = await exchange(core, {
    call: "getMetaData",
    method: "POST",
    path: targetPath(target, "get"),
    json: { key: key || undefined },
    response: getResponse,
    signal: options.signal,
  });
  return data;
}

/** `POST {jobs|builds}/{id}/data/exists` with `{"key"}` → `exists`; 10 attempts 5 s apart. */
export async function metaDataExists(
  core: ClientCore,
  target: MetaDataTarget,
  key: string,
  options: CallOptions = {},
): Promise<boolean> {
  const { data } = await exchange(core, {
    call: "metaDataExists",
    method: "POST",
    path: targetPath(target, "exists"),
    json: { key: key || undefined },
    response: existsResponse,
    signal: options.signal,
  });
  return data;
}

/** `POST {jobs|builds}/{id}/data/keys`, no body → the keys; 10 attempts 5 s apart. */
export async function metaDataKeys(
  core: ClientCore,
  target: MetaDataTarget,
  options: CallOptions = {},
): Promise<string[]> {
  const { data } = await exchange(core, {
    call: "metaDataKeys",
    method: "POST",
    path: targetPath(target, "keys"),
    response: keysResponse,
    signal: options.signal,
  });
  return data;
}
