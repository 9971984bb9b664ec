import { ACTIVE_STATES, TERMINAL_STATES } from "./job-states.js";
import type { ServerCore } from "./server-core.js";
import type { AgentRecord, JobRecord } from "./store.js";

/**
 * The job a ping should hand `agent`, or `undefined`. An agent runs one job at a
 * time, so a busy agent gets nothing; a job already offered to it and not yet
 * accepted is offered again (the first offer's answer may have been lost). Otherwise
 * the highest-priority, oldest scheduled job whose rules match and whose
 * dependencies are done.
 */
export function nextJobFor(core: ServerCore, agent: AgentRecord): JobRecord | undefined {
  let offered: JobRecord | undefined;
  let best: JobRecord | undefined;
  for (const job of core.store.jobs.values()) {
    if (job.agentId === agent.id) {
      if (ACTIVE_STATES.has(job.state)) return undefined;
      if (job.state === "assigned") offered ??= job;
      continue;
    }
    if (job.state !== "scheduled") continue;
    if (best !== undefined && job.priority <= best.priority) continue;
    if (!agentMatchesRules(job.step.agents, agent.metaData)) continue;
    if (!dependenciesSatisfied(core, job)) continue;
    best = job;
  }
  return offered ?? best;
}

/** Whether every job `job` depends on has ended (in any terminal state). */
export function dependenciesSatisfied(core: ServerCore, job: JobRecord): boolean {
  for (const id of job.dependsOn) {
    const dependency = core.store.jobs.get(id);
    if (dependency !== undefined && !TERMINAL_STATES.has(dependency.state)) return false;
  }
  return true;
}

/**
 * Agent query rules against agent tags. Rules and tags are `key=value`; a rule's
 * value may contain `*`. Jobs without a `queue` rule and agents without a `queue`
 * tag are both in the `default` queue, as on Buildkite.
 */
export function agentMatchesRules(rules: readonly string[], tags: readonly string[]): boolean {
  const tagValues = new Map<string, string>();
  for (const tag of tags) {
    const eq = tag.indexOf("=");
    if (eq > 0) tagValues.set(tag.slice(0, eq), tag.slice(eq + 1));
  }
  if (!tagValues.has("queue")) tagValues.set("queue", "default");
  const effective = rules.some((rule) => rule.startsWith("queue=")) ? rules : [...rules, "queue=default"];
  return effective.every((rule) => {
    const eq = rule.indexOf("=");
    const key = eq === -1 ? rule : rule.slice(0, eq);
    const pattern = eq === -1 ? "*" : rule.slice(eq + 1);
    const value = tagValues.get(key);
    return value !== undefined && wildcard(pattern).test(value);
  });
}

function wildcard(pattern: string): RegExp {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`);
}
