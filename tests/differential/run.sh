#!/usr/bin/env bash
# Differential test against the official Cedar engine.
#   run.sh short   fixed seed, 220 policy sets x 10 requests (about 2,100 cases),
#                  300 generated schemas with policies and Cedar's corpus
#                  validated (part of the tests)
#   run.sh long    SEEDS (default 8) more seeds of 1000 x 10, and of 2,000
#                  schemas with policies (make differential-long)
# Every request must get the same decision, reasons and erroring policies from
# both engines; every policy set and entity set that cedar-wasm refuses must
# be refused by airlock too; every policy set must validate against its
# schema, or not, as cedar-wasm's validator says (gen-schema.mjs).
set -uo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-short}
airlock=${AIRLOCK:-build/airlock}
[ -x build/asan/airlock ] && [ "$mode" = short ] && airlock=build/asan/airlock
case "$mode" in
short) seeds="1"; files=220; schemas=300 ;;
long) seeds=$(seq 100 $((99 + ${SEEDS:-8}))); files=1000; schemas=2000 ;;
*) echo "usage: run.sh short|long" >&2; exit 2 ;;
esac
passed=0
failed=0
for seed in $seeds; do
    dir=build/differential/seed$seed
    rm -rf "$dir"
    node --no-opt tests/differential/gen.mjs "$dir" "$seed" "$files" 10 || exit 1
    out=$("$airlock" policy test --root "$dir" "$dir"/case*[0-9].json)
    echo "$out" | grep -E '^FAIL' | head -50
    line=$(echo "$out" | tail -1)
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
    # What cedar-wasm refused, airlock must refuse (exit 1, not a decision).
    while IFS=$'\t' read -r name why; do
        [ -n "$name" ] || continue
        "$airlock" authorize --policies "$dir/$name.cedar" --entities "$dir/$name.entities.json" \
            --principal 'U::"a"' --action 'Action::"a"' --resource 'R::"r"' >/dev/null 2>&1
        if [ $? -eq 1 ]; then
            passed=$((passed + 1))
        else
            echo "FAIL $name: cedar-wasm refused it ($why) but airlock decided"
            failed=$((failed + 1))
        fi
    done <"$dir/rejected.txt"
    # The validator: generated schemas and policies (and, once, the corpus).
    vdir=build/differential/validate$seed
    rm -rf "$vdir"
    corpus=
    [ "$mode" = short ] && [ -d build/corpus/corpus-tests ] && corpus="--corpus build/corpus"
    # shellcheck disable=SC2086
    node --no-opt tests/differential/gen-schema.mjs "$vdir" "$seed" "$schemas" $corpus || exit 1
    out=$("$airlock" policy test --root "$vdir" "$vdir"/*.test.json)
    echo "$out" | grep -E '^FAIL' | head -50
    line=$(echo "$out" | tail -1)
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
done
echo "differential: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
