#!/usr/bin/env bash
# One command from a fresh clone: install everything and run the whole test suite. As root the
# kernel tests run against the real tracepoints; otherwise they are reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/fetch-test-kernel.sh
if [[ $(id -u) -eq 0 ]]; then
  node scripts/build-native.js --strict
  # As root every kernel suite must run: one that cannot (no VM kernel, a stale or failed build)
  # fails the run instead of being skipped.
  export TCPWARDEN_REQUIRE_KERNEL=1
fi
npm test
