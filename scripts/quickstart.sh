#!/usr/bin/env bash
# One command from a fresh clone: install everything, build, and run the detector with the
# default rules, alerts printed to the terminal. Needs root (the collector loads BPF programs).
# Options are passed to 'tcpwarden run' (e.g. --webhook URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node scripts/build-native.js --strict
exec ./bin/tcpwarden run "$@"
