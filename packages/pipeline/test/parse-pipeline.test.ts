import { formatPipeline, interpolatePipeline, parsePipeline, PipelineError } from "../src/index.js";

function parseError(text: string, filename?: string): PipelineError {
  try {
    parsePipeline(text, filename === undefined ? undefined : { filename });
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return error as PipelineError;
  }
  throw new Error("expected a parse error");
}

describe("parsePipeline: bad input", () => {
  it("refuses empty input with the agent's message", () => {
    const error = parseError("", "pipeline.yml");
    expect(error.code).toBe("PIPELINE_EMPTY");
    expect(error.message).toBe('pipeline file "pipeline.yml" is empty');
  });

  it("gives invalid YAML one line with the line and column", () => {
    const error = parseError("steps:\n  - command: echo\n    env: [unclosed\n", "pipeline.yml");
    expect(error.code).toBe("PIPELINE_YAML");
    expect(error.message).toMatch(/^pipeline parsing of "pipeline.yml" failed: line \d+, column \d+: \S/);
    expect(error.message).not.toContain("\n");
  });

  it("rejects a document that is a scalar, as go-pipeline does", () => {
    const error = parseError("just a string\n");
    expect(error.code).toBe("PIPELINE_INVALID");
    expect(error.message).toBe(
      'pipeline parsing of "(stdin)" failed: unmarshaling Pipeline: unsupported type string, want either *ordered.Map[string, any] or []any',
    );
  });

  it("rejects a step that is a number", () => {
    expect(parseError("steps: [5]\n").message).toBe('pipeline parsing of "(stdin)" failed: unmarshaling Pipeline: unmarshaling step: unsupported type int');
  });

  it("rejects a top-level env value that is a mapping", () => {
    expect(parseError("env: {A: {B: 1}}\nsteps: []\n").code).toBe("PIPELINE_INVALID");
  });

  // Each level names the one before ten times: 10^depth values from a few hundred bytes.
  const laughs = (depth: number) => {
    let yaml = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i <= depth; i++) yaml += `l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]\n`;
    return `${yaml}steps:\n  - command: echo\n    env: {}\n    laughs: *l${depth}\n`;
  };

  it("refuses a document whose aliases expand far beyond its size (billion laughs)", () => {
    const error = parseError(laughs(6));
    expect(error.code).toBe("PIPELINE_YAML");
    expect(error.message).toBe('pipeline parsing of "(stdin)" failed: document contains excessive aliasing');
  });

  it("still expands aliases within the budget", () => {
    const { pipeline } = parsePipeline(laughs(3)).documents[0]!;
    expect(JSON.stringify(pipeline.steps[0]).split("lol")).toHaveLength(10 ** 4 + 1);
  });

  // Regression: the yaml library composes recursively, so ~800 levels overflowed the
  // stack and far deeper input crashed Node (RegExpCompiler allocation failed).
  // Nesting is now checked on the parser's CST first and refused past 500 levels.
  const deep = {
    flow: (depth: number) => `steps:\n  - command: echo\n    deep: ${"[".repeat(depth)}${"]".repeat(depth)}\n`,
    block: (depth: number) =>
      `steps:\n  - command: echo\n    deep:\n${Array.from({ length: depth }, (_, i) => `${" ".repeat(6 + i)}k:`).join("\n")} x\n`,
  };
  // The steps list, the step and `deep` add three levels to the written ones.
  it.each([
    ["flow", deep.flow, 100_000],
    ["block", deep.block, 3000],
  ])("refuses %s nesting past 500 levels with PIPELINE_YAML, without crashing", (_, make, depth) => {
    const error = parseError(make(depth));
    expect(error.code).toBe("PIPELINE_YAML");
    expect(error.message).toMatch(
      /^pipeline parsing of "\(stdin\)" failed: line \d+, column \d+: collections nested more than 500 levels deep \(the most a pipeline may have\)$/,
    );
  });

  it.each([
    ["flow", deep.flow],
    ["block", deep.block],
  ])("still parses, interpolates and formats %s nesting of 500 levels", (_, make) => {
    const { pipeline } = parsePipeline(make(500 - 3)).documents[0]!;
    const interpolated = interpolatePipeline(pipeline, {});
    expect(formatPipeline(interpolated, "json")).toContain("echo");
    expect(parsePipeline(formatPipeline(interpolated, "yaml")).documents[0]!.pipeline).toEqual(interpolated);
    expect(parseError(make(500 - 2)).code).toBe("PIPELINE_YAML");
  });

  it("refuses nesting built from aliases past 500 levels", () => {
    const chain = Array.from({ length: 600 }, (_, i) => (i === 0 ? "a0: &a0 [x]" : `a${i}: &a${i} [*a${i - 1}]`));
    expect(parseError(`${chain.join("\n")}\nsteps: []\n`).message).toMatch(/collections nested more than 500 levels deep/);
  });

  it("refuses a chain of merges past 500 links", () => {
    const chain = Array.from({ length: 600 }, (_, i) => (i === 0 ? "m0: &m0 {k0: 1}" : `m${i}: &m${i} {<<: *m${i - 1}}`));
    expect(parseError(`${chain.join("\n")}\nsteps: []\n`).message).toMatch(/merges nested more than 500 levels deep/);
  });

  it("gives no documents for comments only, as upstream uploads nothing", () => {
    expect(parsePipeline("# nothing here\n").documents).toEqual([]);
  });
});

describe("parsePipeline: normalisation", () => {
  it("warns when there is no steps key", () => {
    const { documents } = parsePipeline("env: {A: b}\n");
    expect(documents[0]!.pipeline.steps).toEqual([]);
    expect(documents[0]!.warnings.map((w) => w.code)).toEqual(["NoSteps"]);
  });

  it("resolves scalars as yaml.v3 does", () => {
    const { documents } = parsePipeline("steps:\n  - trigger: t\n    a: 0x1F\n    b: 1_000\n    c: 0o17\n    d: '42'\n    e: ~\n    f: yes\n    g: 2002-08-15\n");
    expect(documents[0]!.pipeline.steps[0]).toEqual({ a: 31, b: 1000, c: 15, d: "42", e: null, f: "yes", g: "2002-08-15T00:00:00Z", trigger: "t" });
  });

  it("maps id/identifier to key and name to label, keeping an unused alias", () => {
    const { documents } = parsePipeline("steps:\n  - command: x\n    identifier: k\n    name: n\n    label: l\n");
    expect(documents[0]!.pipeline.steps[0]).toEqual({ command: "x", key: "k", label: "l", name: "n" });
  });

  it("keeps a command step with a mistyped field as written, with a warning", () => {
    const { documents } = parsePipeline("steps:\n  - commands: [a, [b]]\n");
    expect(documents[0]!.pipeline.steps[0]).toEqual({ commands: ["a", ["b"]] });
    expect(documents[0]!.warnings[0]).toMatchObject({ code: "ErrIncompatibleTypes", path: "steps[0]" });
  });

  it("turns step env values into strings and drops an empty env", () => {
    const { documents } = parsePipeline("steps:\n  - command: x\n    env: {N: 1, B: true, E: ~}\n  - command: y\n    env: {}\n");
    expect(documents[0]!.pipeline.steps).toEqual([{ command: "x", env: { B: "true", E: "", N: "1" } }, { command: "y" }]);
  });

  it("writes step keys sorted and the env block in written order, as the agent sends them", () => {
    const { documents } = parsePipeline("env:\n  Z: 1\n  A: 2\nsteps:\n  - label: l\n    command: c\n    agents: {queue: q}\n");
    expect(formatPipeline(documents[0]!.pipeline, "json")).toBe(
      '{\n  "env": {\n    "Z": "1",\n    "A": "2"\n  },\n  "steps": [\n    {\n      "agents": {\n        "queue": "q"\n      },\n      "command": "c",\n      "label": "l"\n    }\n  ]\n}\n',
    );
  });

  it("never lets a key reach a prototype", () => {
    const { documents } = parsePipeline('steps:\n  - trigger: t\n    "__proto__": {polluted: true}\n');
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.keys(documents[0]!.pipeline.steps[0] as object)).toContain("__proto__");
  });
});

describe("interpolatePipeline", () => {
  it("names the field of a command step in errors, like go-pipeline", () => {
    const { documents } = parsePipeline("steps:\n  - command: echo ${NEEDED?}\n");
    expect(() => interpolatePipeline(documents[0]!.pipeline, {})).toThrow("interpolating command: $NEEDED: not set");
  });

  it("leaves top-level secrets, step signatures and matrix skip alone", () => {
    const { documents } = parsePipeline(
      "secrets: [$A]\nsteps:\n  - command: $A\n    signature: {algorithm: x, value: $A}\n    matrix:\n      setup: [a]\n      adjustments:\n        - with: b\n          skip: $A\n",
    );
    const out = JSON.parse(JSON.stringify(interpolatePipeline(documents[0]!.pipeline, { A: "v" }))) as Record<string, unknown>;
    expect(out["secrets"]).toEqual(["$A"]);
    expect(out["steps"]).toEqual([
      {
        command: "v",
        matrix: { adjustments: [{ skip: "$A", with: "b" }], setup: ["a"] },
        signature: { algorithm: "x", signed_fields: null, value: "$A" },
      },
    ]);
  });

  it("does not modify its input", () => {
    const { documents } = parsePipeline("env: {A: $X}\nsteps:\n  - command: $A\n");
    const before = JSON.stringify(documents[0]!.pipeline);
    interpolatePipeline(documents[0]!.pipeline, { X: "1" });
    expect(JSON.stringify(documents[0]!.pipeline)).toBe(before);
  });
});

describe("formatPipeline", () => {
  const pipeline = parsePipeline("steps:\n  - command: echo <a&b>\n    plugins: [docker#v1]\n").documents[0]!.pipeline;

  it("prints JSON indented by two, without HTML escapes, plugin sources expanded", () => {
    expect(formatPipeline(pipeline, "json")).toBe(
      '{\n  "steps": [\n    {\n      "command": "echo <a&b>",\n      "plugins": [\n        {\n          "github.com/buildkite-plugins/docker-buildkite-plugin#v1": null\n        }\n      ]\n    }\n  ]\n}\n',
    );
  });

  it("prints YAML that parses back to the same pipeline", () => {
    const yaml = formatPipeline(pipeline, "yaml");
    expect(JSON.parse(JSON.stringify(parsePipeline(yaml).documents[0]!.pipeline))).toEqual(JSON.parse(JSON.stringify(pipeline)));
  });

  it("refuses another format with the agent's message", () => {
    expect(() => formatPipeline(pipeline, "xml" as "json")).toThrow('unknown output format "xml"');
  });
});
