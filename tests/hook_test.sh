#!/usr/bin/env bash
# airlock hook on the agents' payloads as data (tests/data/hooks/*.txt):
# each event given on standard input, its exit status, standard output and
# standard error compared, with the built-in default policies and a
# ledger of its own, which must verify at the end.
#   tests/hook_test.sh AIRLOCK
set -u
A=${1:?usage: hook_test.sh AIRLOCK}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() { # agent input status want-out want-err name
    local agent=$1 input=$2 status=$3 outs=$4 errs=$5 name=$6 rc ok=1
    printf '%s' "$input" | HOME=/home/dev "$A" hook "$agent" --dir "$tmp/ledger" \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "$status" ] || ok=0
    if [ "$outs" = "<empty>" ]; then
        [ ! -s "$tmp/out" ] || ok=0
    else
        while IFS= read -r w; do
            [ -z "$w" ] || grep -qF -- "$w" "$tmp/out" || ok=0
        done <<<"$outs"
    fi
    while IFS= read -r w; do
        [ -z "$w" ] || grep -qF -- "$w" "$tmp/err" || ok=0
    done <<<"$errs"
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name: exit $rc (want $status)"
        echo "  out: $(head -c 600 "$tmp/out")"
        echo "  err: $(head -c 600 "$tmp/err")"
    fi
}

for f in tests/data/hooks/*.txt; do
    agent=$(basename "$f" .txt)
    n=0 input="" status="" outs="" errs="" have=0
    flush() {
        [ $have -eq 1 ] && check "$agent" "$input" "$status" "${outs:-<empty>}" "$errs" "$agent case $n"
        have=0 input="" status="" outs="" errs=""
    }
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
        "> "*) flush; n=$((n + 1)); have=1; input=${line#> } ;;
        "= "*) status=${line#= } ;;
        "~") outs="<empty>" ;;
        "~ "*) outs="${outs:+$outs
}${line#~ }" ;;
        "! "*) errs="${errs:+$errs
}${line#! }" ;;
        esac
    done <"$f"
    flush
done

# Every decision is in the ledger, which verifies.
if "$A" log verify --dir "$tmp/ledger" >"$tmp/verify" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL the ledger does not verify:"; cat "$tmp/verify"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
