import { defineCommand, defineSetting, defineSettings } from "../setting.js";
import { jobSetting } from "./job-flags.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { apiSettings, globalSettings } from "./shared.js";

/** Where an annotation lives; the same for adding and removing one. */
const scopeSetting = defineSetting({
  name: "scope",
  type: "string",
  env: ["BUILDKITE_ANNOTATION_SCOPE"],
  default: "build",
  // No choices: Buildkite checks the value, not the agent.
  description: "Where the annotation is shown: on the `build` or on the `job`",
});

export const annotateCommand = defineCommand({
  path: ["annotate"],
  summary: "Add or change an annotation on the build page",
  description: `Shows Markdown (CommonMark with GitHub extensions) on the build's page, for
example test summaries or links to artifacts. The body is the argument, or stdin
when something is piped in; it may be at most 1 MiB. Running it again with the
same --context replaces that annotation (or adds to it with --append); with no
body, only its style changes. Secrets from the environment are redacted from the
body first.

Example:

    $ buildkite-agent annotate "All 1,024 tests passed :rocket:" --style success --context tests
    $ ./bin/coverage-report | buildkite-agent annotate --style info --context coverage`,
  args: [{ name: "body", description: "The annotation's Markdown; read from stdin when omitted and piped" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "context",
      type: "string",
      env: ["BUILDKITE_ANNOTATION_CONTEXT"],
      description: "A name that tells this annotation apart from the build's others (at most 100 characters)",
    },
    {
      name: "style",
      type: "string",
      env: ["BUILDKITE_ANNOTATION_STYLE"],
      description: "How the annotation looks: `success`, `info`, `warning` or `error`",
    },
    {
      name: "append",
      type: "bool",
      env: ["BUILDKITE_ANNOTATION_APPEND"],
      description: "Add the body to the end of the existing annotation instead of replacing it",
    },
    {
      name: "priority",
      type: "int",
      env: ["BUILDKITE_ANNOTATION_PRIORITY"],
      default: 3,
      description: "Ordering from 1 to 10; annotations with a higher priority are shown first",
    },
    jobSetting({ required: true, description: "The job the annotation comes from" }),
    scopeSetting,
    redactedVarsSetting,
  ]),
});

export const annotationRemoveCommand = defineCommand({
  path: ["annotation", "remove"],
  summary: "Remove an annotation from the build page",
  description: `Deletes an annotation made earlier with \`buildkite-agent annotate\`, found by
its context (\`default\` when not given) and scope.

Example:

    $ buildkite-agent annotation remove --context coverage`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "context",
      type: "string",
      env: ["BUILDKITE_ANNOTATION_CONTEXT"],
      default: "default",
      required: true,
      description: "The context of the annotation to remove",
    },
    scopeSetting,
    jobSetting({ required: true, description: "The job removing the annotation" }),
  ]),
});
