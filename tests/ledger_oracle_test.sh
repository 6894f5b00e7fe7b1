#!/usr/bin/env bash
# Interoperability with Go's reference code (shared/tools/tlog-oracle, built
# on golang.org/x/mod/sumdb/{note,tlog}): what airlock writes, Go verifies;
# what Go writes, airlock verifies.  Ends with "N passed, N failed".
#   tests/ledger_oracle_test.sh [AIRLOCK_BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "${1:-build/airlock}")
ORACLE_SRC=../shared/tools/tlog-oracle
O=build/tlog-oracle
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # NAME COMMAND...: the command must succeed
    local name=$1
    shift
    if out=$("$@" 2>&1); then ok; else bad "$name: $(printf '%s' "$out" | tail -3)"; fi
}
refuse() { # NAME COMMAND...: the command must fail
    local name=$1
    shift
    if "$@" >/dev/null 2>&1; then bad "$name: accepted what it should refuse"; else ok; fi
}

if [ ! -x "$O" ] || [ "$ORACLE_SRC/oracle.go" -nt "$O" ]; then
    (cd "$ORACLE_SRC" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off \
        GOCACHE="$T/gocache" go build -o "$(realpath -m "$OLDPWD/$O")" oracle.go) ||
        { echo "cannot build the oracle"; echo "0 passed, 1 failed"; exit 1; }
fi

# A log of 70,001 entries written by airlock in several appends; the
# checkpoint of each size is kept for the consistency proofs.
L=$T/log
VK=$("$A" log keygen --dir "$L" example.com/airlock-interop 2>/dev/null | tail -1)
prev=0
for size in 1 2 1000 4096 65536 70000 70001; do
    seq $((prev + 1)) "$size" | sed 's/^/record /' | "$A" log append --dir "$L" >/dev/null
    cp "$L/checkpoint" "$T/checkpoint.$size"
    prev=$size
done
check "oracle verify-tiles on airlock's 70,001-entry log" "$O" verify-tiles "$L" "$VK"
check "oracle verifies airlock's checkpoint" "$O" verify "$VK" "$L/checkpoint"
check "oracle verifies airlock's old checkpoint" "$O" verify "$VK" "$T/checkpoint.1000"

root_of() { sed -n 3p "$1"; }
ROOT=$(root_of "$L/checkpoint")
for idx in 0 1 255 256 999 1000 65535 65536 70000; do
    "$A" log prove --dir "$L" "$idx" >"$T/proof"
    entry=$(printf 'record %d' $((idx + 1)) | base64 -w0)
    leaf=$("$O" leafhash "$entry")
    hashes=$(sed -n '3,/^$/p' "$T/proof" | sed '/^$/d')
    # shellcheck disable=SC2086
    check "oracle checks airlock's inclusion proof of $idx" "$O" inclusion 70001 "$idx" "$leaf" "$ROOT" $hashes
    head -1 "$T/proof" | grep -qx 'c2sp.org/tlog-proof@v1' && ok || bad "proof $idx: not a tlog-proof"
done
for old in 1 2 1000 4096 65536 70000; do
    # shellcheck disable=SC2046
    check "oracle checks airlock's consistency proof $old -> 70001" "$O" consistency "$old" \
        "$(root_of "$T/checkpoint.$old")" 70001 "$ROOT" $("$A" log consistency --dir "$L" "$old" 70001)
done

# What Go writes, airlock verifies.
G=$T/go
read -r GSK GVK < <("$O" keygen example.com/go-written | tr '\n' ' ')
seq 1 3000 | sed 's/^/go entry /' >"$T/go.txt"
"$O" write-tiles "$G" "$GSK" example.com/go-written "$T/go.txt" >/dev/null
check "airlock verifies a log written by Go" "$A" log verify --dir "$G" --vkey "$GVK"
refuse "airlock refuses Go's log under another key" "$A" log verify --dir "$G" --vkey "$VK"

# Witness cosignatures (tlog-cosignature, type 0x04) made by Go.
read -r WSK WVK < <("$O" cosigner-keygen witness.example/w1 | tr '\n' ' ')
read -r WSK2 WVK2 < <("$O" cosigner-keygen witness.example/w2 | tr '\n' ' ')
cp -r "$L" "$T/cosigned"
"$O" cosign "$WSK" 1767139200 "$L/checkpoint" >"$T/cosigned/checkpoint"
check "airlock verifies a Go cosignature" "$A" log verify --dir "$T/cosigned" --witness "$WVK"
refuse "airlock wants every given witness" "$A" log verify --dir "$T/cosigned" --witness "$WVK" --witness "$WVK2"
# Change one base64 character of the signature itself (past the key id and
# timestamp), always to a different character.
python3 - "$T/cosigned/checkpoint" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if l.startswith("\u2014 witness.example/w1 "):
        head, sig = l.rsplit(" ", 1)
        k = 30
        sig = sig[:k] + ("B" if sig[k] == "A" else "A") + sig[k + 1:]
        lines[i] = head + " " + sig
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
refuse "airlock refuses a damaged cosignature" "$A" log verify --dir "$T/cosigned" --witness "$WVK"
: "$WSK2"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
