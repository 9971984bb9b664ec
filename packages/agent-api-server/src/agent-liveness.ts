import { releaseLostAgentJobs } from "./job-transitions.js";
import type { ServerCore } from "./server-core.js";

/**
 * Marks lost every connected agent whose last heartbeat (or register/connect) is
 * `lostAgentTimeoutMs` old or more by the server's clock, revokes its token and ends
 * or re-queues its jobs. Buildkite's public rule is "no heartbeats for ~3 min"; the
 * ~1 min of extra cleanup it mentions is folded into the same moment here so a test
 * needs to move the clock only once. Returns the agents newly marked lost.
 */
export function sweepLostAgents(core: ServerCore): string[] {
  const now = core.now();
  const lost: string[] = [];
  for (const agent of core.store.agents.values()) {
    if (agent.connectionState !== "connected" && agent.connectionState !== "registered") continue;
    if (now - agent.lastHeartbeatAt < core.settings.lostAgentTimeoutMs) continue;
    agent.connectionState = "lost";
    core.store.agents.set(agent.id, agent);
    const token = core.store.tokens.get(agent.accessToken);
    if (token !== undefined) core.store.tokens.set(token.token, { ...token, revoked: true });
    const jobIds = releaseLostAgentJobs(core, agent);
    core.logger.info("agent lost: no heartbeat in time", { agentId: agent.id, jobIds });
    core.emit("agent.lost", { agentId: agent.id, jobIds });
    lost.push(agent.id);
  }
  return lost;
}
