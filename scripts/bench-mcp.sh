#!/usr/bin/env bash
# The gateway's latency benchmark (bench/bench_mcp.mjs): not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node bench/bench_mcp.mjs "$@"
