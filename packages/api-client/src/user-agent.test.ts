import { goArch, goOs, userAgent } from "./user-agent.js";

describe("userAgent", () => {
  it.each([
    ["linux", "x64", "buildkite-agent/3.137.0.42 (linux; amd64)"],
    ["darwin", "arm64", "buildkite-agent/3.137.0.42 (darwin; arm64)"],
    ["win32", "ia32", "buildkite-agent/3.137.0.42 (windows; 386)"],
    ["freebsd", "arm", "buildkite-agent/3.137.0.42 (freebsd; arm)"],
  ])("%s/%s", (platform, arch, expected) => {
    expect(userAgent("3.137.0", "42", platform, arch)).toBe(expected);
  });

  it("defaults to this process's platform", () => {
    expect(userAgent("1", "x")).toBe(`buildkite-agent/1.x (${goOs(process.platform)}; ${goArch(process.arch)})`);
  });
});
