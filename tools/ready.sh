#!/bin/sh
# Makes a fresh clone ready on a machine with only Node 20, npm and git, then runs
# the given command: pnpm (the pinned version, installed into .tools/ when the
# machine has no such pnpm; no root needed), the locked dependencies, and a build
# (turbo caches it, so a second run takes about a second).
# Usage: sh tools/ready.sh COMMAND [ARGS...]
set -eu
cd "$(dirname "$0")/.."
PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
export TURBO_TELEMETRY_DISABLED=1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  if [ "$(.tools/node_modules/.bin/pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    echo "ready: installing pnpm $PNPM_VERSION into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix .tools "pnpm@$PNPM_VERSION" >&2
  fi
  PATH="$PWD/.tools/node_modules/.bin:$PATH"
  export PATH
fi
pnpm install --frozen-lockfile --reporter=silent >&2
pnpm turbo run build --output-logs=errors-only >&2
exec "$@"
