#!/usr/bin/env bash
# The gateway's benchmarks (not part of the tests): end to end against
# direct and a node relay (bench/bench_mcp.mjs), then the gateway's own work
# per call without processes (bench/bench_gate.c), on tmpfs and on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
# socat: the C relay the bench compares with (only if it can be installed).
if ! command -v socat >/dev/null && [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat >/dev/null 2>&1 ||
        echo "bench-mcp: socat is not installed; its line is left out" >&2
fi
node bench/bench_mcp.mjs "$@"
for base in /dev/shm build; do # bench_gate works in a folder of its own there
    [ -d "$base" ] || continue
    printf '%-9s ' "$base:"
    build/bench/bench_gate "$base" "${GATE_CALLS:-5000}"
done
