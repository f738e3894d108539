#!/usr/bin/env bash
# Sets up Nucleon and starts the all-in-one service (API on 127.0.0.1:9696, SQLite, built-in identity).
# Arguments are passed to `nucleon up` (e.g. --data-dir DIR, --config-file F, --agents).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec bin/nucleon up "$@"
