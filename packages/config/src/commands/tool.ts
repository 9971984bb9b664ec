import { defineCommand, defineSettings } from "../setting.js";
import { globalSettings } from "./shared.js";
import { pipelineSigningSettings } from "./signing-settings.js";

export const toolKeygenCommand = defineCommand({
  path: ["tool", "keygen"],
  summary: "Create a key pair for signing and verifying jobs",
  description: `Generates a JWS key pair and writes it as two JSON Web Key Sets: the private one
for signing pipelines (\`pipeline upload --jwks-file\`, \`start
--signing-jwks-file\`) and the public one for agents to verify jobs with
(\`start --verification-jwks-file\`).

Example:

    $ buildkite-agent tool keygen --alg ES256 --key-id 2024-ci`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "alg",
      type: "string",
      env: ["BUILDKITE_AGENT_KEYGEN_ALG"],
      // Empty: the command uses EdDSA.
      description: "The JWS signing algorithm of the key pair; EdDSA when empty",
    },
    {
      name: "key-id",
      type: "string",
      env: ["BUILDKITE_AGENT_KEYGEN_KEY_ID"],
      description: "The ID to give the keys; a random one when empty",
    },
    {
      name: "private-jwks-file",
      type: "string",
      env: ["BUILDKITE_AGENT_KEYGEN_PRIVATE_JWKS_FILE"],
      path: true,
      description: "Where to write the private key set; a file named after the key ID in the current directory when empty",
    },
    {
      name: "public-jwks-file",
      type: "string",
      env: ["BUILDKITE_AGENT_KEYGEN_PUBLIC_JWKS_FILE"],
      path: true,
      description: "Where to write the public key set; a file named after the key ID in the current directory when empty",
    },
  ]),
});

export const toolSignCommand = defineCommand({
  path: ["tool", "sign"],
  summary: "Sign a pipeline's steps",
  description: `Adds signatures to the steps of a YAML pipeline and prints the result, ready to
paste into the pipeline's settings. The pipeline comes from the file given (or
stdin) with --repo, or, given --graphql-token, from Buildkite itself, which
--update then saves the signed version back to.

Example:

    $ buildkite-agent tool sign .buildkite/pipeline.yml --jwks-file private.json --repo git@github.com:acme/app.git`,
  args: [{ name: "pipeline-file", description: "The pipeline to sign; stdin when omitted" }],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "graphql-token",
      type: "string",
      env: ["BUILDKITE_GRAPHQL_TOKEN"],
      secret: true,
      description: "A Buildkite GraphQL API token, to fetch the pipeline and its repository instead of using the file and --repo",
    },
    {
      name: "update",
      type: "bool",
      env: ["BUILDKITE_TOOL_SIGN_UPDATE"],
      description: "Save the signed pipeline to Buildkite (needs --graphql-token)",
    },
    {
      name: "no-confirm",
      type: "bool",
      env: ["BUILDKITE_TOOL_SIGN_NO_CONFIRM"],
      description: "Don't ask before saving the pipeline with --update",
    },
    ...pipelineSigningSettings,
    {
      name: "organization-slug",
      type: "string",
      env: ["BUILDKITE_ORGANIZATION_SLUG"],
      description: "The organization's slug, for the GraphQL API",
    },
    {
      name: "pipeline-slug",
      type: "string",
      env: ["BUILDKITE_PIPELINE_SLUG"],
      description: "The pipeline's slug, for the GraphQL API",
    },
    {
      name: "graphql-endpoint",
      type: "string",
      env: ["BUILDKITE_GRAPHQL_ENDPOINT"],
      default: "https://graphql.buildkite.com/v1",
      description: "The Buildkite GraphQL API endpoint",
    },
    {
      name: "repo",
      type: "string",
      env: ["BUILDKITE_REPO"],
      description: "The pipeline's repository URL, which the signatures cover (ignored with --graphql-token)",
    },
  ]),
});
