import { defineSettings } from "../setting.js";

/**
 * `start`'s settings for the agent's tags: given ones and those read from the
 * host or its cloud (lifecycle.md §8, clicommand/agent_start.go).
 */
export const tagSettings = defineSettings([
  {
    name: "queue",
    type: "string",
    env: ["BUILDKITE_AGENT_QUEUE"],
    description: "The queue to take jobs from, added to the tags as `queue=<value>` (an error when --tags already names a queue)",
  },
  {
    name: "tags",
    type: "list",
    env: ["BUILDKITE_AGENT_TAGS"],
    description: "The agent's tags as `key=value` pairs, comma-separated or one per flag (e.g. `docker=true,os=linux`)",
  },
  {
    name: "tags-from-host",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_HOST"],
    description: "Add tags describing the host: hostname, OS, architecture and machine ID",
  },
  {
    name: "tags-from-ec2-meta-data",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_EC2_META_DATA"],
    description: "Add tags from the EC2 instance meta-data (instance ID and type, AMI, zone, region, life cycle, …)",
  },
  {
    name: "tags-from-ec2-meta-data-paths",
    type: "list",
    env: ["BUILDKITE_AGENT_TAGS_FROM_EC2_META_DATA_PATHS"],
    description: "Add tags read from EC2 meta-data paths, given as `tag=path/to/value` pairs",
  },
  {
    name: "tags-from-ec2-tags",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_EC2_TAGS"],
    description: "Add the EC2 instance's own tags",
  },
  {
    name: "tags-from-ecs-meta-data",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_ECS_META_DATA"],
    description: "Add tags from the ECS task meta-data (container name, image, task ARN)",
  },
  {
    name: "tags-from-gcp-meta-data",
    // A list-type flag in the real agent that is read as a bool; it only works
    // with the single value `true`, so it is a bool here.
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_GCP_META_DATA"],
    description: "Add tags from the Google Cloud instance meta-data (instance ID and name, machine type, project, zone, region, preemptible)",
  },
  {
    name: "tags-from-gcp-meta-data-paths",
    type: "list",
    env: ["BUILDKITE_AGENT_TAGS_FROM_GCP_META_DATA_PATHS"],
    description: "Add tags read from Google Cloud meta-data paths, given as `tag=path/to/value` pairs",
  },
  {
    name: "tags-from-gcp-labels",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_GCP_LABELS"],
    description: "Add the Google Cloud instance's labels",
  },
  {
    name: "wait-for-ec2-tags-timeout",
    type: "duration",
    env: ["BUILDKITE_AGENT_WAIT_FOR_EC2_TAGS_TIMEOUT"],
    default: "10s",
    description: "How long to keep trying to read the EC2 tags before going on without them",
  },
  {
    name: "wait-for-ec2-meta-data-timeout",
    type: "duration",
    env: ["BUILDKITE_AGENT_WAIT_FOR_EC2_META_DATA_TIMEOUT"],
    default: "10s",
    description: "How long to keep trying to read the EC2 meta-data before going on without it",
  },
  {
    name: "wait-for-ecs-meta-data-timeout",
    type: "duration",
    env: ["BUILDKITE_AGENT_WAIT_FOR_ECS_META_DATA_TIMEOUT"],
    default: "10s",
    description: "How long to keep trying to read the ECS meta-data before going on without it",
  },
  {
    name: "wait-for-gcp-labels-timeout",
    type: "duration",
    env: ["BUILDKITE_AGENT_WAIT_FOR_GCP_LABELS_TIMEOUT"],
    default: "10s",
    description: "How long to keep trying to read the Google Cloud labels before going on without them",
  },
  {
    name: "fail-on-missing-tags",
    type: "bool",
    env: ["BUILDKITE_AGENT_FAIL_ON_MISSING_TAGS"],
    description: "Exit with an error, instead of logging it, when an enabled cloud tag source returns nothing",
  },
]);

/**
 * Old names of the tag settings, still read with a warning. Two are chains:
 * meta-data-ec2 → tags-from-ec2 → tags-from-ec2-meta-data and
 * meta-data-gcp → tags-from-gcp → tags-from-gcp-meta-data.
 */
export const deprecatedTagSettings = defineSettings([
  {
    name: "meta-data",
    type: "list",
    env: ["BUILDKITE_AGENT_META_DATA"],
    hidden: true,
    renamedTo: "tags",
    description: "Deprecated: use --tags",
  },
  {
    name: "meta-data-ec2",
    type: "bool",
    env: ["BUILDKITE_AGENT_META_DATA_EC2"],
    hidden: true,
    renamedTo: "tags-from-ec2",
    description: "Deprecated: use --tags-from-ec2-meta-data",
  },
  {
    name: "meta-data-ec2-tags",
    type: "bool",
    env: ["BUILDKITE_AGENT_META_DATA_EC2_TAGS"],
    hidden: true,
    renamedTo: "tags-from-ec2-tags",
    description: "Deprecated: use --tags-from-ec2-tags",
  },
  {
    name: "meta-data-gcp",
    type: "bool",
    env: ["BUILDKITE_AGENT_META_DATA_GCP"],
    hidden: true,
    renamedTo: "tags-from-gcp",
    description: "Deprecated: use --tags-from-gcp-meta-data",
  },
  {
    name: "tags-from-ec2",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_EC2"],
    hidden: true,
    renamedTo: "tags-from-ec2-meta-data",
    description: "Deprecated: use --tags-from-ec2-meta-data",
  },
  {
    name: "tags-from-gcp",
    type: "bool",
    env: ["BUILDKITE_AGENT_TAGS_FROM_GCP"],
    hidden: true,
    renamedTo: "tags-from-gcp-meta-data",
    description: "Deprecated: use --tags-from-gcp-meta-data",
  },
]);
