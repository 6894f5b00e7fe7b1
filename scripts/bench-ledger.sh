#!/usr/bin/env bash
# Ledger benchmarks (not tests): durable appends per second with 1, 8 and 64
# writers against SQLite WAL synchronous=FULL, then inclusion proofs and
# `log verify` on logs of 1M and 10M entries (built once, in build/bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench/ledger
mkdir -p "$out"
rm -rf "$out"/ledger-* "$out"/sqlite-* # left by runs before each got its own folder
build/bench/bench_ledger appends "$out" "${SECONDS_PER_RUN:-5}"
for n in ${PROOF_SIZES:-1000000 10000000}; do
    build/bench/bench_ledger proofs "$out" "$n"
done
