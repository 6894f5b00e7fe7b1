#!/usr/bin/env bash
# The C sources as .clang-format lays them out (applied once to the whole
# tree; `make format` applies it again).  Lists each file that differs;
# exit 1 when one does.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
for f in src/*/*.c src/*/*.h tests/*.c tests/*.h fuzz/*.c bench/*.c bench/*.h; do
    [ -e "$f" ] || continue
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (make format)"
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "format: every C file as .clang-format lays it out"
exit "$bad"
