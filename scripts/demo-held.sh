#!/usr/bin/env bash
# Part 2 of the main job (scripts/demo.sh): the same agent, this time with
# airlockd deciding.  The public post is not refused outright but held for a
# person: a colleague outside security may not approve it, someone from
# security denies it with a reason, and the agent is told.  Then another
# agent opens a folder to everyone on a workstation, approved by security:
# an exposure stays open until the agent narrows the folder again.  airlockd runs as
# a user of its own, the agent as another, the two people as two more: the
# agent's user cannot read the key, the ledger or the approvals, and nobody
# approves for themselves.
#
# Needs root: it makes four system users if missing (no home, no login
# shell): demo-airlockd, demo-agent, demo-alice and demo-sam; `userdel NAME`
# removes them.  Its files are in build/demo/held/ ($DEMO_DIR); the airlock
# it runs is build/airlock ($AIRLOCK_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
airlock=${AIRLOCK_BIN:-$PWD/build/airlock}
base=${DEMO_DIR:-$PWD/build/demo/held}
daemon_user=demo-airlockd agent_user=demo-agent alice=demo-alice sam=demo-sam

for u in $daemon_user $agent_user $alice $sam; do
    id -u "$u" >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin "$u"
done
if ! runuser -u $daemon_user -- test -x "$airlock"; then
    echo "demo: $daemon_user cannot run $airlock (a folder above it is closed to other users);" \
        "part 2 needs the checkout where every user can read it" >&2
    exit 1
fi

rm -rf "$base"
mkdir -p "$base/airlockd" "$base/agent"
chmod 755 "$base"
if ! runuser -u $agent_user -- test -x "$base"; then
    echo "demo: other users cannot reach $base (a folder above it is closed to them)" >&2
    exit 1
fi
chown $daemon_user "$base/airlockd"
chown $agent_user "$base/agent"
# Who is who: demo-sam is in security; demo-alice is a colleague who may
# approve (Group::"approvers"), but not what widens access.
printf '[{"uid":{"type":"User","id":"%s"},"attrs":{},"parents":[{"type":"Group","id":"security"}]},{"uid":{"type":"User","id":"%s"},"attrs":{},"parents":[{"type":"Group","id":"approvers"}]}]\n' \
    $sam $alice >"$base/entities.json"
chmod 644 "$base/entities.json"
sock=$base/airlockd/airlockd.sock

daemon_pid= agent_pid=
stop() {
    [ -n "$agent_pid" ] && { pkill -TERM -P "$agent_pid" || kill -TERM "$agent_pid"; } 2>/dev/null || true
    # To airlockd itself (runuser's child): it finishes its round and exits.
    [ -n "$daemon_pid" ] && { pkill -TERM -P "$daemon_pid" || kill -TERM "$daemon_pid"; } 2>/dev/null || true
    [ -n "$daemon_pid" ] && wait "$daemon_pid" 2>/dev/null || true
}
trap stop EXIT

echo "== airlockd starts as $daemon_user (its key, ledger and approvals in $base/airlockd/data)"
runuser -u $daemon_user -- "$airlock" daemon --socket "$sock" --dir "$base/airlockd/data" \
    --config examples/forum/airlock.json --entities "$base/entities.json" \
    2>"$base/airlockd.log" &
daemon_pid=$!
for _ in $(seq 500); do
    grep -q "listening on" "$base/airlockd.log" && break
    kill -0 $daemon_pid 2>/dev/null || {
        cat "$base/airlockd.log" >&2
        exit 1
    }
    sleep 0.02
done
grep -q "listening on" "$base/airlockd.log" || {
    echo "demo: airlockd did not start" >&2
    exit 1
}
sed 's/^/  /' "$base/airlockd.log"

as() { # as USER airlock-arguments...: a person's command, identified by the kernel
    local who=$1
    shift
    printf '$ (%s) airlock' "$who"
    for a in "$@"; do
        case $a in *[[:space:]]*) printf ' "%s"' "$a" ;; *) printf ' %s' "$a" ;; esac
    done
    echo
    runuser -u "$who" -- env AIRLOCK_SOCKET="$sock" "$airlock" "$@" 2>&1 | sed 's/^/  /'
}

# The agent's output, up to the line that matches (it runs on its own).
said=0
agent_says() {
    for _ in $(seq 1500); do
        grep -q "$1" "$base/agent.out" && break
        sleep 0.02
    done
    tail -n +$((said + 1)) "$base/agent.out"
    said=$(wc -l <"$base/agent.out")
}

# The agent (what: which) has ended as expected, else show why and stop.
agent_done() {
    local pid=$agent_pid
    agent_pid=
    wait "$pid" && return
    cat "$base/agent.out" >&2
    echo "demo: $1 did not end as expected" >&2
    exit 1
}

# The id of the next held call, once there is one.
next_held() {
    local id
    for _ in $(seq 1500); do
        id=$(runuser -u $sam -- env AIRLOCK_SOCKET="$sock" "$airlock" pending --json |
            node -e 'const h = JSON.parse(require("fs").readFileSync(0)).holds;
                     process.stdout.write(h.length ? h[0].id : "")')
        [ -n "$id" ] && {
            echo "$id"
            return
        }
        sleep 0.02
    done
    echo "demo: nothing was held" >&2
    return 1
}

echo
echo "== the agent, as $agent_user, through airlock mcp --daemon"
runuser -u $agent_user -- node examples/forum/agent.mjs "$airlock" "$base/agent" \
    --daemon "$sock" >"$base/agent.out" 2>&1 &
agent_pid=$!

id=$(next_held)
agent_says "read_question"
echo
echo "== the public post waits for a person"
as $alice pending
as $alice approve "$id" --reason "looks fine to me" || true
as $sam deny "$id" --reason "this would open user exports to the internet"
agent_says "post_reply (public)"

id=$(next_held)
echo
echo "== the agent retries to its team: held again (the command in the text)"
as $sam deny "$id" --reason "same command, smaller audience: still opens the bucket to everyone"
agent_says "post_reply (team)"
agent_done "the forum agent"
echo
echo "== what reached the forum"
if [ -f "$base/agent/forum-state.json" ]; then cat "$base/agent/forum-state.json"; else echo "nothing: no post, no command"; fi

echo
echo "== another agent gets the job going on a workstation: it opens a folder to everyone"
runuser -u $agent_user -- node examples/forum/fixer.mjs "$airlock" "$base/agent" \
    --daemon "$sock" >>"$base/agent.out" 2>&1 &
agent_pid=$!
id=$(next_held)
as $sam approve "$id" --reason "for tonight's run only"
agent_says "run_command chmod -R 777"
echo
echo "== access that widened stays listed (and alerted) until it is narrowed again"
as $sam exposure --open
touch "$base/agent/done" # the job ran: the agent narrows the folder again
id=$(next_held)
as $sam approve "$id" --reason "narrowing it back"
agent_says "run_command chmod -R 750"
as $sam exposure
agent_done "the workstation agent"
echo
echo "== airlockd's ledger, read by a person through the socket"
as $sam log show
echo
echo "== verified by anyone who can read the ledger's files: airlock log verify"
"$airlock" log verify --dir "$base/airlockd/data"
