#!/bin/sh
# The README's command synopsis is src/cli/synopsis.txt, line for line (the
# block between its "synopsis" markers), so that it cannot drift from
# `airlock help`, which prints the same file.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed -n '/^<!-- synopsis: src\/cli\/synopsis.txt -->$/,/^<!-- end of synopsis -->$/p' README.md |
    sed -e '1,2d' -e '$d' | sed '$d' >"$tmp"
if ! cmp -s "$tmp" src/cli/synopsis.txt; then
    echo "README.md's synopsis differs from src/cli/synopsis.txt:"
    diff "$tmp" src/cli/synopsis.txt || true
    exit 1
fi
echo "synopsis: README.md shows src/cli/synopsis.txt"
