#!/usr/bin/env bash
# The main job on the bundled example: decide each request of
# examples/quickstart with Cedar, record the decisions in an audit ledger,
# and verify the ledger.
set -uo pipefail
cd "$(dirname "$0")/.."
ex=examples/quickstart
ledger=build/demo-ledger
echo "== the incident: a public forum answer recommending a command that opens a bucket"
decision=$(build/airlock authorize --json --policies $ex/policies.cedar --entities $ex/entities.json \
    --request-json $ex/request-incident.json)
echo "$decision"
echo
echo "== the example's policy tests"
build/airlock policy test --root $ex $ex/tests.json
echo
echo "== the decision, recorded in the audit ledger ($ledger)"
[ -f $ledger/key ] || build/airlock log keygen --dir $ledger demo.airlock.example/audit >/dev/null
printf '{"request":%s,"decision":%s}\n' "$(tr -d '\n' <$ex/request-incident.json)" "$decision" |
    build/airlock log append --dir $ledger | sed 's/^/logged as entry /'
build/airlock log checkpoint --dir $ledger
build/airlock log verify --dir $ledger
