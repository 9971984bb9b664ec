import { describe, expect, it } from "@jest/globals";
import { call, startServer } from "./harness.js";

describe("GET /env", () => {
  it("answers the whole live environment, keys sorted, Go-escaped", async () => {
    const started = await startServer({ env: { ZED: "z", A: "<b>&", "1": "one" } });
    const response = await call(started, "GET", "/env");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    // Go sorts map keys by bytes ("1" first as a byte, not because it is integer-like) and escapes <, >, &.
    expect(response.body).toBe('{"env":{"1":"one","A":"\\u003cb\\u003e\\u0026","ZED":"z"}}\n');
  });

  it("sees changes made to the Environment object at once (same object)", async () => {
    const started = await startServer({ env: {} });
    started.environment.set("LATER", "yes");
    expect(JSON.parse((await call(started, "GET", "/env")).body)).toEqual({ env: { LATER: "yes" } });
  });
});

describe("PATCH /env", () => {
  it("adds and updates, sorting both lists; 'updated' includes an unchanged value", async () => {
    const started = await startServer({ env: { FOO: "bar", SAME: "s" } });
    const response = await call(started, "PATCH", "/env", { env: { ZZ: "1", FOO: "new", AA: "2", SAME: "s" } });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.body).toBe('{"added":["AA","ZZ"],"updated":["FOO","SAME"]}\n');
    expect(started.environment.toObject()).toEqual({ FOO: "new", SAME: "s", ZZ: "1", AA: "2" });
  });

  it("answers empty lists as [] for an empty or null env", async () => {
    const started = await startServer();
    expect((await call(started, "PATCH", "/env", { env: {} })).body).toBe('{"added":[],"updated":[]}\n');
    expect((await call(started, "PATCH", "/env", { env: null })).body).toBe('{"added":[],"updated":[]}\n');
    expect((await call(started, "PATCH", "/env", {})).body).toBe('{"added":[],"updated":[]}\n');
  });

  it("matches the example of the spec", async () => {
    const started = await startServer({ env: { BUILDKITE_REPO: "git@github.com:acme/app.git" } });
    const response = await call(started, "PATCH", "/env", {
      env: { FOO: "bar", BUILDKITE_REPO: "git@github.com:acme/fork.git" },
    });
    expect(response.body).toBe('{"added":["FOO"],"updated":["BUILDKITE_REPO"]}\n');
  });

  it.each([
    ["always-protected", "from-job", { A: "1", BUILDKITE_AGENT_ACCESS_TOKEN: "x" }, "[BUILDKITE_AGENT_ACCESS_TOKEN]", ""],
    ["several, in request order", "from-job", { BUILDKITE_SHELL: "sh", B: "1", BUILDKITE_BIN_PATH: "/x" }, "[BUILDKITE_SHELL BUILDKITE_BIN_PATH]", ""],
    [
      "checkout-scoped in strict mode",
      "strict",
      { BUILDKITE_GIT_CLONE_FLAGS: "-v", A: "1" },
      "[BUILDKITE_GIT_CLONE_FLAGS]",
      ". Checkout-related variables are locked because BUILDKITE_CHECKOUT_OVERRIDE_MODE=strict",
    ],
    [
      "protected and checkout-scoped together in strict mode",
      "strict",
      { BUILDKITE_HOOKS_PATH: "/h", BUILDKITE_SKIP_CHECKOUT: "true" },
      "[BUILDKITE_HOOKS_PATH BUILDKITE_SKIP_CHECKOUT]",
      ". Checkout-related variables are locked because BUILDKITE_CHECKOUT_OVERRIDE_MODE=strict",
    ],
  ] as const)("refuses %s with 422 and changes nothing", async (_name, mode, env, list, suffix) => {
    const started = await startServer({ mode, env: { A: "0" } });
    const response = await call(started, "PATCH", "/env", { env });
    expect(response.status).toBe(422);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.body).toBe(
      JSON.stringify({ error: `the following environment variables are protected, and cannot be modified: ${list}${suffix}` }) + "\n",
    );
    // All-or-nothing: the allowed names in the same request were not applied either.
    expect(started.environment.toObject()).toEqual({ A: "0" });
    expect(started.server.takeChangedNames()).toEqual([]);
  });

  it.each(["from-job", "none"] as const)("allows checkout-scoped vars in mode %s", async (mode) => {
    const started = await startServer({ mode, env: {} });
    const response = await call(started, "PATCH", "/env", { env: { BUILDKITE_GIT_CLONE_FLAGS: "-v --depth=1" } });
    expect(response.status).toBe(200);
    expect(started.environment.get("BUILDKITE_GIT_CLONE_FLAGS")).toBe("-v --depth=1");
  });

  it("refuses null values with 422, all-or-nothing", async () => {
    const started = await startServer({ env: { KEEP: "k" } });
    const response = await call(started, "PATCH", "/env", { env: { NEW: "n", KEEP: null } });
    expect(response.status).toBe(422);
    expect(JSON.parse(response.body)).toEqual({
      error:
        "removing environment variables (ie setting them to null) is not permitted on this endpoint. The following keys were set to null: [KEEP]",
    });
    expect(started.environment.toObject()).toEqual({ KEEP: "k" });
  });

  it("checks protected names before nulls, as the real agent does", async () => {
    const started = await startServer();
    const response = await call(started, "PATCH", "/env", { env: { X: null, BUILDKITE_SHELL: "sh" } });
    expect(JSON.parse(response.body).error).toMatch(/^the following environment variables are protected/);
  });

  it.each([
    ["not JSON", "{nope", /^failed to decode request body: /],
    ["empty", "", /^failed to decode request body: EOF$/],
    ["a list", "[]", /^failed to decode request body: json: cannot unmarshal array into Go value of type jobapi\.EnvUpdateRequestPayload$/],
    ["a number value", '{"env":{"A":1}}', /^failed to decode request body: json: cannot unmarshal number into Go struct field EnvUpdateRequestPayload\.env of type string$/],
    ["env as a string", '{"env":"A=1"}', /cannot unmarshal string into Go struct field EnvUpdateRequestPayload\.env/],
  ])("answers 400 for a body that is %s", async (_name, body, message) => {
    const started = await startServer({ env: {} });
    const response = await call(started, "PATCH", "/env", body);
    expect(response.status).toBe(400);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body).error).toMatch(message);
    expect(started.environment.toObject()).toEqual({});
  });

  // Regression: JSON.parse's message quotes the body around the error, so an
  // unquoted secret value came back in the 400 (and in whatever logs it).
  it("answers 400 for an unquoted secret value with Go's message, naming one character only", async () => {
    const started = await startServer({ env: {} });
    const response = await call(started, "PATCH", "/env", '{"env":{"DB_PASSWORD": hunter2secret}}');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe("failed to decode request body: invalid character 'h' looking for beginning of value");
    expect(response.body).not.toContain("hunter2");
  });

  // Regression: a deeply nested body overflowed the parser's stack and the server answered 500.
  it("answers 400 with Go's max-depth message for a body nested too deep", async () => {
    const started = await startServer({ env: {} });
    const response = await call(started, "PATCH", "/env", `{"env":${"[".repeat(20_000)}`);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe("failed to decode request body: invalid character '[' exceeded max depth");
  });

  it("reads only the first JSON value of the body, as Go's decoder does", async () => {
    const started = await startServer({ env: {} });
    const response = await call(started, "PATCH", "/env", '{"env":{"A":"1"}} trailing');
    expect(response.status).toBe(200);
    expect(started.environment.toObject()).toEqual({ A: "1" });
  });

  it("takes field names case-insensitively, as Go's decoder does", async () => {
    const started = await startServer({ env: {} });
    expect((await call(started, "PATCH", "/env", { ENV: { A: "1" } })).body).toBe('{"added":["A"],"updated":[]}\n');
  });
});

describe("DELETE /env", () => {
  it("deletes the keys that exist and lists them sorted", async () => {
    const started = await startServer({ env: { B: "1", A: "2", C: "3" } });
    const response = await call(started, "DELETE", "/env", { keys: ["B", "MISSING", "A"] });
    expect(response.status).toBe(200);
    expect(response.body).toBe('{"deleted":["A","B"]}\n');
    expect(started.environment.toObject()).toEqual({ C: "3" });
  });

  it("answers [] when nothing existed", async () => {
    const started = await startServer({ env: {} });
    expect((await call(started, "DELETE", "/env", { keys: ["NOPE"] })).body).toBe('{"deleted":[]}\n');
  });

  it("refuses protected names in request order, deleting nothing", async () => {
    const started = await startServer({ env: { A: "1", BUILDKITE_SHELL: "bash", BUILDKITE_AGENT_PID: "1" } });
    const response = await call(started, "DELETE", "/env", { keys: ["BUILDKITE_SHELL", "A", "BUILDKITE_AGENT_PID"] });
    expect(response.status).toBe(422);
    expect(response.body).toBe(
      '{"error":"the following environment variables are protected, and cannot be modified: [BUILDKITE_SHELL BUILDKITE_AGENT_PID]"}\n',
    );
    expect(started.environment.toObject()).toEqual({ A: "1", BUILDKITE_SHELL: "bash", BUILDKITE_AGENT_PID: "1" });
  });

  it("refuses checkout-scoped names in strict mode with the suffix", async () => {
    const started = await startServer({ mode: "strict", env: { BUILDKITE_GIT_SUBMODULES: "true" } });
    const response = await call(started, "DELETE", "/env", { keys: ["BUILDKITE_GIT_SUBMODULES"] });
    expect(response.status).toBe(422);
    expect(JSON.parse(response.body).error).toBe(
      "the following environment variables are protected, and cannot be modified: [BUILDKITE_GIT_SUBMODULES]. Checkout-related variables are locked because BUILDKITE_CHECKOUT_OVERRIDE_MODE=strict",
    );
    expect(started.environment.get("BUILDKITE_GIT_SUBMODULES")).toBe("true");
  });

  it.each([
    ["not JSON", "nope"],
    ["keys not a list", '{"keys":"A"}'],
    ["a number key", '{"keys":["A",1]}'],
  ])("answers 400 for %s", async (_name, body) => {
    const started = await startServer({ env: { A: "1" } });
    const response = await call(started, "DELETE", "/env", body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(/^failed to decode request body: /);
    expect(started.environment.get("A")).toBe("1");
  });
});

describe("takeChangedNames", () => {
  it("reports names whose value PATCH/DELETE changed since the last call, then forgets them", async () => {
    const started = await startServer({ env: { BUILDKITE_REPO: "a", SAME: "s", GONE: "g" } });
    await call(started, "PATCH", "/env", { env: { BUILDKITE_REPO: "b", SAME: "s", NEW: "n" } });
    await call(started, "DELETE", "/env", { keys: ["GONE", "NEVER"] });
    // SAME was "updated" but not changed; NEVER did not exist.
    expect(started.server.takeChangedNames()).toEqual(["BUILDKITE_REPO", "GONE", "NEW"]);
    expect(started.server.takeChangedNames()).toEqual([]);
  });
});
