import { defineSetting, defineSettings } from "../setting.js";

/** Shared by `start`, `pipeline upload` and `tool sign`, all on BUILDKITE_AGENT_DEBUG_SIGNING. */
export const debugSigningSetting = defineSetting({
  name: "debug-signing",
  type: "bool",
  env: ["BUILDKITE_AGENT_DEBUG_SIGNING"],
  description: "Log each step in full before it is signed (needs debug logging, and may show secrets)",
});

/**
 * The flags that sign pipeline steps, for `pipeline upload` and `tool sign`. Note
 * the env vars differ from `start`'s signing settings (BUILDKITE_AGENT_SIGNING_*),
 * which the agent hands to jobs under these names (agent/job_runner.go).
 */
export const pipelineSigningSettings = defineSettings([
  {
    name: "jwks-file",
    type: "string",
    env: ["BUILDKITE_AGENT_JWKS_FILE"],
    description: "A JSON Web Key Set holding the signing key; giving one turns step signing on",
  },
  {
    name: "jwks-key-id",
    type: "string",
    env: ["BUILDKITE_AGENT_JWKS_KEY_ID"],
    description: "Which key of --jwks-file to sign with; may be left out when the set holds one key",
  },
  {
    name: "signing-aws-kms-key",
    type: "string",
    env: ["BUILDKITE_AGENT_AWS_KMS_KEY"],
    description: "An AWS KMS key ID or alias to sign steps with",
  },
  {
    name: "signing-gcp-kms-key",
    type: "string",
    env: ["BUILDKITE_AGENT_GCP_KMS_KEY"],
    description: "A Google Cloud KMS key version to sign steps with (projects/*/locations/*/keyRings/*/cryptoKeys/*/cryptoKeyVersions/*)",
  },
  debugSigningSetting,
]);
