#!/usr/bin/env bash
# The main job on the bundled example: the incident, replayed through
# airlock.  A scripted agent (examples/forum/agent.mjs, the official MCP SDK)
# reads a question on an internal forum and answers it in public with a
# command that opens a bucket of user data to everyone.  Its MCP server is
# started as `airlock mcp -- node server.mjs`, with airlock's built-in
# default policies: the read is permitted, the public post is refused with
# its reason (and again when the agent retries to its own team: inspection
# finds the command), and the audit ledger shows and proves what happened.
# Then, as root, part 2 (scripts/demo-held.sh): the same agent with
# airlockd, which holds the post until a person decides.
set -euo pipefail
cd "$(dirname "$0")/.."
airlock=${AIRLOCK_BIN:-$PWD/build/airlock}
data=${DEMO_DIR:-build/demo} # its files (part 2's in $data/held)
rm -rf "$data"
mkdir -p "$data"

echo "== the agent answers the forum question, through airlock mcp"
node examples/forum/agent.mjs "$airlock" "$(realpath "$data")"
echo
echo "== what reached the forum (examples/forum/server.mjs state)"
if [ -f "$data/forum-state.json" ]; then cat "$data/forum-state.json"; else echo "nothing: no post, no command"; fi
echo
echo "== the audit ledger: airlock log show --dir $data"
"$airlock" log show --dir "$data"
echo
echo "== verified: airlock log verify --dir $data"
"$airlock" log verify --dir "$data"
echo
echo "== the same decision from the command line, with the quickstart's policies"
ex=examples/quickstart
"$airlock" authorize --policies $ex/policies.cedar --entities $ex/entities.json \
    --request-json $ex/request-incident.json || true
echo
echo "== what inspection sees in the advice: airlock check"
"$airlock" check 'gsutil iam ch allUsers:objectViewer gs://acme-user-exports'
echo
if [ "$(id -u)" -eq 0 ]; then
    echo "== part 2: the same agent with airlockd, where a person decides (scripts/demo-held.sh)"
    DEMO_DIR=$(realpath "$data")/held scripts/demo-held.sh
else
    echo "== part 2, with airlockd where a person decides, makes users for airlockd, the agent"
    echo "   and two people: run it as root (sudo scripts/demo-held.sh)"
fi
