#!/usr/bin/env bash
# The main job on the bundled example: the incident, replayed through
# airlock.  A scripted agent (examples/forum/agent.mjs, the official MCP SDK)
# reads a question on an internal forum and answers it in public with a
# command that opens a bucket of user data to everyone.  Its MCP server is
# started as `airlock mcp -- node server.mjs`, with airlock's built-in
# default policies: the read is permitted, the public post is refused with
# its reason (and again when the agent retries to its own team: inspection
# finds the command), and the audit ledger shows and proves what happened.
set -euo pipefail
cd "$(dirname "$0")/.."
data=build/demo
rm -rf "$data"
mkdir -p "$data"

echo "== the agent answers the forum question, through airlock mcp"
node examples/forum/agent.mjs "$PWD/build/airlock" "$PWD/$data"
echo
echo "== what reached the forum (examples/forum/server.mjs state)"
if [ -f "$data/forum-state.json" ]; then cat "$data/forum-state.json"; else echo "nothing: no post, no command"; fi
echo
echo "== the audit ledger: airlock log show --dir $data"
build/airlock log show --dir "$data"
echo
echo "== verified: airlock log verify --dir $data"
build/airlock log verify --dir "$data"
echo
echo "== the same decision from the command line, with the quickstart's policies"
ex=examples/quickstart
build/airlock authorize --policies $ex/policies.cedar --entities $ex/entities.json \
    --request-json $ex/request-incident.json || true
echo
echo "== what inspection sees in the advice: airlock check"
build/airlock check 'gsutil iam ch allUsers:objectViewer gs://acme-user-exports'
