#!/usr/bin/env bash
# Cedar authorization benchmark: airlock against @cedar-policy/cedar-wasm on
# the same inputs, in the same run.  Not part of the tests (make bench).
#   HIERARCHIES (default 200) x REQUESTS (default 500) per app, as in the
#   Cedar paper; 1,000 and 10,000 generated policies for the index.
set -euo pipefail
cd "$(dirname "$0")/.."
H=${HIERARCHIES:-200}
R=${REQUESTS:-500}
B=../shared/data/cedar-bench
out=build/bench/data
mkdir -p "$out"
printf '%-14s %9s %12s %12s %12s %12s %9s %9s\n' workload requests "airlock p50" "airlock p99" \
    "wasm p50" "wasm p99" "p50 x" "p99 x"
row() { # name policies dir
    local name=$1 pol=$2 dir=$3
    local a w
    a=$(build/bench/bench_cedar "$pol" "$dir" "$H")
    w=$(node --no-opt bench/bench_wasm.mjs "$pol" "$dir" "$H")
    python3 - "$name" "$a" "$w" <<'PY'
import json, sys
name, a, w = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
if a["allow"] != w["allow"]:
    print(f"{name}: the engines disagree ({a['allow']} vs {w['allow']} allowed)", file=sys.stderr)
    sys.exit(1)
ns = lambda v: f"{v/1000:.3f} us"
print(f"{name:<14} {a['n']:>9} {ns(a['median_ns']):>12} {ns(a['p99_ns']):>12} "
      f"{ns(w['median_ns']):>12} {ns(w['p99_ns']):>12} {w['median_ns']/a['median_ns']:>8.0f}x "
      f"{w['p99_ns']/a['p99_ns']:>8.0f}x")
PY
}
for app in gdrive github tinytodo; do
    pol=$B/$app/policies.cedar
    [ -f "$pol" ] || pol=$B/$app/$app.cedar
    [ -d "$out/$app" ] || node bench/gen.mjs app "$B/$app/$app.cedarschema.json" "$out/$app" "$H" "$R" 7
    row "$app" "$pol" "$out/$app"
done
for n in 100 1000 10000; do
    [ -d "$out/many$n" ] || node bench/gen.mjs many "$n" "$out/many$n" 20 "$R" 7
    H=20 row "policies-$n" "$out/many$n/policies.cedar" "$out/many$n"
done

# The validator: each app's policies against its schema, and the generated
# sets against theirs, airlock against cedar-wasm's validator in the same
# run, medians: the schema read, the policies read and validated (airlock's
# steps apart; cedar-wasm's validate does all three in one call).
V=${VALIDATIONS:-200}
printf '\n%-14s %9s %12s %12s %12s %12s %12s %7s\n' validation policies "schema" "policies" \
    "validation" "airlock" "cedar-wasm" "x"
vrow() { # name schema policies reps
    local a w
    a=$(build/bench/bench_validate "$2" "$3" "$4")
    w=$(node --no-opt bench/bench_validate.mjs "$2" "$3" "$4")
    python3 - "$1" "$a" "$w" <<'PY'
import json, sys
name, a, w = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
if a["invalid"] != w["invalid"]:
    print(f"{name}: the validators disagree ({a['invalid']} vs {w['invalid']} invalid)", file=sys.stderr)
    sys.exit(1)
us = lambda v: f"{v/1000:.1f} us" if v < 10**7 else f"{v/10**6:.1f} ms"
print(f"{name:<14} {a['policies']:>9} {us(a['schema_ns']):>12} {us(a['parse_ns']):>12} "
      f"{us(a['validate_ns']):>12} {us(a['median_ns']):>12} {us(w['median_ns']):>12} "
      f"{w['median_ns']/a['median_ns']:>6.0f}x")
PY
}
for app in gdrive github tinytodo; do
    pol=$B/$app/policies.cedar
    [ -f "$pol" ] || pol=$B/$app/$app.cedar
    vrow "$app" "$B/$app/$app.cedarschema.json" "$pol" "$V"
done
for n in 1000 10000; do
    [ -f "$out/many$n/schema.cedarschema" ] || node bench/gen.mjs many "$n" "$out/many$n" 20 "$R" 7
    vrow "policies-$n" "$out/many$n/schema.cedarschema" "$out/many$n/policies.cedar" \
        $((n > 1000 ? 20 : 50))
done
