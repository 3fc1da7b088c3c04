#!/usr/bin/env bash
# One command from a fresh clone: install everything, build, and start watching this machine's
# TCP traffic. Needs root (the collector loads BPF programs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node scripts/build-native.js --strict
exec ./bin/tcpwarden events "$@"
