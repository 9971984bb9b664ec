import { systemClock } from "./clock.js";
import { createBuild } from "./job-creation.js";
import { silentLogger } from "./logger.js";
import { MemoryStore } from "./memory-store.js";
import { applyPipeline } from "./pipeline-apply.js";
import { createPipelineValidator } from "./pipeline-validator.js";
import { ServerCore, type ServerSettings } from "./server-core.js";
import type { PipelineUploadRecord } from "./store.js";

// Only what building and applying read; the rest of the settings play no part here.
const settings = { organizationSlug: "local", maxLogEntries: 100 } as ServerSettings;

function apply(pipeline: unknown): string[] {
  const core = new ServerCore(settings, new MemoryStore(), systemClock, silentLogger, createPipelineValidator(undefined));
  const build = createBuild(core, {});
  const upload: PipelineUploadRecord = {
    uuid: "u",
    jobId: "j",
    buildId: build.id,
    pipeline,
    replace: false,
    async: false,
    state: "pending",
    message: "",
    polls: 0,
    jobIds: [],
    createdAt: 0,
  };
  return applyPipeline(core, upload, build);
}

describe("applyPipeline errors", () => {
  // Regression: an oversized matrix threw SERVER_UNKNOWN, the code for a build, job or
  // agent that does not exist, not the one for an upload that cannot be applied.
  it.each([
    ["too many dimensions", { setup: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`d${i}`, ["x"]])) }],
    ["too many elements", Array.from({ length: 21 }, (_, i) => i)],
  ])("an oversized matrix (%s) is SERVER_PIPELINE", (_name, matrix) => {
    expect(() => apply({ steps: [{ command: "x", matrix }] })).toThrow(
      expect.objectContaining({ code: "SERVER_PIPELINE", message: expect.stringMatching(/at most 6 dimensions of at most 20 elements/) }),
    );
  });

  it("a secret with no key is SERVER_PIPELINE", () => {
    expect(() => apply({ steps: [{ command: "x", secrets: [{ key: "" }] }] })).toThrow(expect.objectContaining({ code: "SERVER_PIPELINE" }));
  });
});
