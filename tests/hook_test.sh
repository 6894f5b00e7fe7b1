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

check() { # agent input status want-out want-err name [option...]
    local agent=$1 input=$2 status=$3 outs=$4 errs=$5 name=$6 rc ok=1
    shift 6
    printf '%s' "$input" | HOME=/home/dev "$A" hook "$agent" --dir "$tmp/ledger" "$@" \
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
    n=0 input="" status="" outs="" errs="" have=0 opts=()
    flush() {
        [ $have -eq 1 ] && check "$agent" "$input" "$status" "${outs:-<empty>}" "$errs" "$agent case $n" "${opts[@]}"
        have=0 input="" status="" outs="" errs=""
    }
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
        "@ "*) flush; read -r -a opts <<<"${line#@ }" ;;
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

# The limits, each crossed (src/hook/hook.h, src/gate/gate_agent.h).
# HOOK_MAX_EVENT: an event one byte longer is refused unread.
pad=$(head -c $((8 * 1024 * 1024)) /dev/zero | tr '\0' 'a')
check claude-code '{"session_id":"s1","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"pad":"'"$pad"'"}' \
    2 "<empty>" "larger than airlock reads" "HOOK_MAX_EVENT crossed"
unset pad
# HOOK_MAX_FILES: a patch of 256 files is decided, one of 257 refused.
patch_of() { # files
    local i p='*** Begin Patch\n'
    for ((i = 0; i < $1; i++)); do p+="*** Add File: f$i.c\\n+int x;\\n"; done
    printf '{"session_id":"c1","cwd":"/home/dev/src","hook_event_name":"PreToolUse","tool_name":"apply_patch","tool_input":{"command":"%s*** End Patch"}}' "$p"
}
check codex "$(patch_of 256)" 0 "<empty>" "" "HOOK_MAX_FILES reached"
check codex "$(patch_of 257)" 2 "<empty>" "at most 256 files" "HOOK_MAX_FILES crossed"
# GATE_AGENT_PATH_MAX: a path that does not fit is refused, not cut short.
long=$(head -c 4100 /dev/zero | tr '\0' 'd')
check claude-code '{"session_id":"s1","cwd":"/home/dev/src","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/'"$long"'","content":"x"}}' \
    0 "a path longer than airlock reads" "" "GATE_AGENT_PATH_MAX crossed"

# Every decision is in the ledger, which verifies.
if "$A" log verify --dir "$tmp/ledger" >"$tmp/verify" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL the ledger does not verify:"; cat "$tmp/verify"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
