/** Node's `process.platform` → Go's `GOOS` where the names differ. */
const GOOS: Readonly<Record<string, string>> = { win32: "windows", sunos: "solaris" };

/** Node's `process.arch` → Go's `GOARCH` where the names differ. */
const GOARCH: Readonly<Record<string, string>> = {
  x64: "amd64",
  ia32: "386",
  arm64: "arm64",
  arm: "arm",
  s390x: "s390x",
  mips: "mips",
  mipsel: "mipsle",
  riscv64: "riscv64",
  loong64: "loong64",
};

/** Go's name for a Node platform (`win32` → `windows`; `linux`, `darwin`, `freebsd` unchanged). */
export function goOs(platform: string): string {
  return GOOS[platform] ?? platform;
}

/** Go's name for a Node architecture (`x64` → `amd64`, `ia32` → `386`, `arm64` unchanged). */
export function goArch(arch: string): string {
  return GOARCH[arch] ?? arch;
}

/**
 * The agent's User-Agent, `buildkite-agent/<version>.<build> (<os>; <arch>)`, e.g.
 * `buildkite-agent/3.137.0.x (linux; amd64)`. `platform`/`arch` are Node's names
 * (default: this process's) and are mapped to Go's.
 */
export function userAgent(
  version: string,
  build: string,
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  return `buildkite-agent/${version}.${build} (${goOs(platform)}; ${goArch(arch)})`;
}
