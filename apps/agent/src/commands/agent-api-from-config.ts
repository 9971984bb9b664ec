import type { ApiClient } from "@agent/api-client";
import type { CommandContext } from "../command-context.js";
import { COMPATIBLE_AGENT_VERSION } from "../version.js";

/** The API flags (`--agent-access-token`, `--endpoint`) every in-job command takes, as @agent/config resolves them. */
export interface AgentApiSettings {
  readonly agentAccessToken: string;
  readonly endpoint: string;
}

/** What {@link withAgentApi} needs of a command's context. */
export interface AgentApiContext {
  readonly config: AgentApiSettings;
  readonly logger: CommandContext["logger"];
  readonly env: CommandContext["env"];
}

/**
 * Runs `use` with an Agent API client built from the command's flags — the
 * job's `BUILDKITE_AGENT_ACCESS_TOKEN` and `BUILDKITE_AGENT_ENDPOINT` unless
 * given — as the real agent's `loadAPIClientConfig` does, and closes the
 * client's sockets afterwards whatever happens, so the process can exit.
 *
 * The env is passed for `BUILDKITE_REQUEST_HEADER_*`, which the agent exports
 * to jobs so their calls carry the same `Buildkite-*` headers as its own.
 */
export async function withAgentApi<T>(context: AgentApiContext, use: (client: ApiClient) => Promise<T>): Promise<T> {
  // Loaded here so commands that fail before calling Buildkite never pay for it.
  const { ApiClient } = await import("@agent/api-client");
  const client = new ApiClient({
    endpoint: context.config.endpoint,
    token: context.config.agentAccessToken,
    // Dev builds of the Go agent send build `x`: `buildkite-agent/3.137.0.x (linux; amd64)`.
    version: COMPATIBLE_AGENT_VERSION,
    logger: context.logger,
    env: context.env,
  });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
