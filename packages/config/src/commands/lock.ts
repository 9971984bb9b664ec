import { defineCommand, defineSetting, defineSettings } from "../setting.js";
import { socketsPathSetting } from "./executor-settings.js";
import { globalSettings } from "./shared.js";

/** The flags of every `lock` command: G plus where to find the agents' leader. */
const lockSettings = defineSettings([
  ...globalSettings,
  {
    name: "lock-scope",
    type: "string",
    env: ["BUILDKITE_LOCK_SCOPE"],
    default: "machine",
    // No choices: the command refuses other scopes with its own message (lock/lock.go).
    description: "Which processes share the locks; only `machine` is supported",
  },
  socketsPathSetting,
]);

const lockWaitTimeoutSetting = defineSetting({
  name: "lock-wait-timeout",
  type: "duration",
  env: ["BUILDKITE_LOCK_WAIT_TIMEOUT"],
  description: "The longest to wait for the lock (e.g. `5m`); 0 waits forever",
});

const needsAgentApi = `Needs an agent on this machine started with \`--experiment agent-api\`.`;

export const lockAcquireCommand = defineCommand({
  path: ["lock", "acquire"],
  summary: "Wait for a lock and take it",
  description: `Waits until the lock named by the key is free, takes it, and prints a token that
\`lock release\` needs, so that only its holder can release it. Waiters are not
served in any particular order. ${needsAgentApi}

Example:

    $ token=$(buildkite-agent lock acquire deploy-db)
    $ ./bin/migrate && buildkite-agent lock release deploy-db "$token"`,
  args: [{ name: "key", required: true, description: "The name of the lock" }],
  settings: defineSettings([...lockSettings, lockWaitTimeoutSetting]),
});

export const lockDoCommand = defineCommand({
  path: ["lock", "do"],
  summary: "Start work that only one process should do",
  description: `Begins a do-once lock: prints \`do\` to exactly one caller, which should do the
work and then run \`lock done\`; every other caller waits until then and prints
\`done\`. ${needsAgentApi}

Example:

    $ if [ "$(buildkite-agent lock do npm-cache)" = do ]; then npm ci; buildkite-agent lock done npm-cache; fi`,
  args: [{ name: "key", required: true, description: "The name of the do-once lock" }],
  settings: defineSettings([...lockSettings, lockWaitTimeoutSetting]),
});

export const lockDoneCommand = defineCommand({
  path: ["lock", "done"],
  summary: "Finish work started with `lock do`",
  description: `Marks a do-once lock as done, releasing everyone waiting in \`lock do\`. Only the
process that was told \`do\` should run it. ${needsAgentApi}

Example:

    $ buildkite-agent lock done npm-cache`,
  args: [{ name: "key", required: true, description: "The name of the do-once lock" }],
  settings: lockSettings,
});

export const lockGetCommand = defineCommand({
  path: ["lock", "get"],
  summary: "Print the current value of a lock",
  description: `Prints a lock's current value, or an empty line when nobody holds it. The value
may change straight away, so this is for looking, not for locking.
${needsAgentApi}

Example:

    $ buildkite-agent lock get deploy-db`,
  args: [{ name: "key", required: true, description: "The name of the lock" }],
  settings: lockSettings,
});

export const lockReleaseCommand = defineCommand({
  path: ["lock", "release"],
  summary: "Release a lock taken with `lock acquire`",
  description: `Releases the lock, given the token \`lock acquire\` printed. Fails when the lock is
not held with that token. ${needsAgentApi}

Example:

    $ buildkite-agent lock release deploy-db "$token"`,
  args: [
    { name: "key", required: true, description: "The name of the lock" },
    { name: "token", required: true, description: "The token `lock acquire` printed" },
  ],
  settings: lockSettings,
});
