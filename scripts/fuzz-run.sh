#!/usr/bin/env bash
# Run every libFuzzer target briefly from its corpus: scripts/fuzz-run.sh SECONDS
# New interesting inputs go to build/fuzz/new-<target>/ (not the committed
# corpus); a crash leaves its input in build/fuzz/ and fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
for t in build/fuzz/fuzz_*; do
    name=$(basename "$t")
    target=${name#fuzz_}
    dict=fuzz/json.dict
    [ "$target" = policy ] && dict=fuzz/policy.dict
    mkdir -p "build/fuzz/new-$target"
    echo "fuzz: $name for ${secs}s"
    "$t" -max_total_time="$secs" -dict="$dict" -artifact_prefix=build/fuzz/ \
        -print_final_stats=1 "build/fuzz/new-$target" "fuzz/corpus/$target" 2>&1 |
        grep -E '^(stat::number_of_executed_units|stat::new_units_added|==.*ERROR|SUMMARY)' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: $name found a crash"; exit 1; }
done
