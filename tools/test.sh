#!/bin/sh
# Runs every package's type-check and tests through turbo, then prints one
# closing line counting the tests of all packages ("tests: N passed, N failed"),
# whatever the outcome; exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
pnpm turbo run typecheck test "$@"
status=$?
node tools/test-summary.mjs || status=1
exit $status
