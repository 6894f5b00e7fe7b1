#!/usr/bin/env bash
# The main job on the bundled example: decide each request of
# examples/quickstart with Cedar and show why.
set -uo pipefail
cd "$(dirname "$0")/.."
ex=examples/quickstart
echo "== the incident: a public forum answer recommending a command that opens a bucket"
build/airlock authorize --policies $ex/policies.cedar --entities $ex/entities.json \
    --request-json $ex/request-incident.json
echo "(exit status $?: 2 means DENY)"
echo
echo "== the example's policy tests"
build/airlock policy test --root $ex $ex/tests.json
