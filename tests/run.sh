#!/usr/bin/env bash
# Run every test: the cmocka suites (under ASan+UBSan), the command-line
# cases, the ledger against Go's reference code, the fuzz corpora replayed,
# the gateway against the MCP SDK and reference servers, and the
# differential run against the official Cedar engine.  Each suite's counts are added up; the last line is
# "N passed, N failed".  Exit status 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# What `airlock log verify` remembers of the logs it verified: the tests'
# own, never the user's (~/.local/state/airlock).
export AIRLOCK_STATE_DIR=$PWD/build/test-state
rm -rf "$AIRLOCK_STATE_DIR"
passed=0
failed=0
log=build/test-logs
mkdir -p "$log"

# Folders that daemon tests killed mid-run left behind (NAME.PID; a test's
# own teardown removes its folder, but a kill skips it).
rm -rf build/daemon_*_test.[0-9]*

# Cedar's fuzz-generated corpus, extracted once next to the build.
if [ ! -d build/corpus/corpus-tests ]; then
    mkdir -p build/corpus
    tar xzf ../shared/data/cedar/corpus-tests-dev.tar.gz -C build/corpus
fi

count() { # name, passed, failed
    echo "== $1: $2 passed, $3 failed"
    passed=$((passed + $2))
    failed=$((failed + $3))
}

# A suite that ends its log with "[PREFIX]N passed, N failed": counted from
# that line (none is one failure); on failure, what SHOW... finds in the log.
count_log() { # name, log, prefix, show...
    local name=$1 out=$2 pre=$3 p f
    shift 3
    p=$(sed -n "s/^$pre\([0-9]*\) passed, \([0-9]*\) failed\$/\1/p" "$out" | tail -1)
    f=$(sed -n "s/^$pre\([0-9]*\) passed, \([0-9]*\) failed\$/\2/p" "$out" | tail -1)
    [ -z "$p" ] && { p=0; f=1; }
    [ "$f" -ne 0 ] && { echo "--- $name failed:"; "$@" "$out" | head -40; }
    count "$name" "$p" "$f"
}

# cmocka suites: one binary per module, named after what it tests.
for t in build/asan/tests/*_test; do
    name=$(basename "$t")
    out="$log/$name.log"
    "$t" >"$out" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    p=${p:-0}
    f=${f:-0}
    # A crash or sanitizer report after the summary still fails the suite.
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    [ "$f" -ne 0 ] && { echo "--- $name failed; its log:"; tail -50 "$out"; }
    count "$name" "$p" "$f"
    # Inspection's figures: recall, bypasses, false alarms, GTFOBins, the
    # access cases, shfmt.
    case $name in inspect_corpus_test | inspect_shfmt_test | inspect_access_test)
        grep -E '^(atomic red team|bypass classes|benign commands|tldr-pages|gtfobins [a-z-]+: [0-9]|access cases|shfmt differential)' "$out" |
            sed 's/^/   /' ;;
    gate_golden_test | alloc_fail_test)
        grep -E '^(gate golden cases|cedar: each|gate: each|desk: each)' "$out" | sed 's/^/   /' ;;
    esac
done

# The layout .clang-format gives (scripts/check-format.sh).
if scripts/check-format.sh >"$log/format.log" 2>&1; then
    count "format" 1 0
else
    cat "$log/format.log"
    count "format" 0 1
fi

# The functions the project does not use (scripts/check-banned.sh).
if scripts/check-banned.sh >"$log/banned.log" 2>&1; then
    count "banned functions" 1 0
else
    cat "$log/banned.log"
    count "banned functions" 0 1
fi

# The README's synopsis is the one `airlock help` prints (scripts/check-synopsis.sh).
if scripts/check-synopsis.sh >"$log/synopsis.log" 2>&1; then
    count "synopsis" 1 0
else
    cat "$log/synopsis.log"
    count "synopsis" 0 1
fi

# Command-line cases (tests/cli_test.sh prints its own counts).
out="$log/cli_test.log"
tests/cli_test.sh build/asan/airlock >"$out" 2>&1
count_log cli_test "$out" "" grep -E '^(FAIL|  )'

# The agents' hook payloads as data (tests/hook_test.sh prints its counts).
out="$log/hook_test.log"
tests/hook_test.sh build/asan/airlock >"$out" 2>&1
count_log hook_test "$out" "" grep -A2 '^FAIL'

# The shipped policies' own tests (policies/*.test.json, Cedar's
# integration-test format): what each policy permits and refuses, and why.
out="$log/policy_test.log"
build/asan/airlock policy test policies/*.test.json >"$out" 2>&1
count_log "policy tests (policies/*.test.json)" "$out" "" grep '^FAIL'

# Interoperability of the ledger with Go's reference code.
out="$log/ledger_oracle_test.log"
tests/ledger_oracle_test.sh build/asan/airlock >"$out" 2>&1
count_log ledger_oracle_test "$out" "" tail -20

# Fuzz corpora, replayed through the targets built with sanitizers.
for t in build/asan/replay/fuzz_*; do
    name=$(basename "$t")
    dir=fuzz/corpus/${name#fuzz_}
    if "$t" "$dir" >"$log/$name.log" 2>&1; then
        count "$name replay" "$(sed -n 's/^replayed \([0-9]*\).*/\1/p' "$log/$name.log")" 0
    else
        echo "--- $name replay failed:"; tail -30 "$log/$name.log"
        count "$name replay" 0 1
    fi
done

# The gateway with real peers: the MCP SDK, reference servers, the example,
# and real agents (Codex CLI, Claude Code, Gemini CLI, Copilot CLI, OpenClaw)
# on the scripted model.
# Node's test runner (TAP) prints "# pass N" and "# fail N".
out="$log/mcp.log"
AIRLOCK_BIN=build/asan/airlock node --test --test-reporter=tap tests/mcp/*.test.mjs \
    tests/agents/*.test.mjs >"$out" 2>&1
rc=$?
p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -1)
f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -1)
[ -z "$p" ] && { p=0; f=1; }
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$f" -ne 0 ] && { echo "--- mcp tests failed:"; grep -B2 -A30 '^not ok' "$out" | head -80; }
count "mcp (node --test tests/mcp tests/agents)" "$p" "$f"

# Differential: a fixed-seed run against @cedar-policy/cedar-wasm.
out="$log/differential.log"
tests/differential/run.sh short >"$out" 2>&1
count_log differential "$out" "differential: " tail -40

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
