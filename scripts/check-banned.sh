#!/usr/bin/env bash
# The C functions the project does not use (../shared/STYLE.md, practice
# 5; curl's and git's lists): atoi, sprintf, vsprintf, strcpy, strcat, sscanf, gets.
# Prints each use in src/ and fuzz/ with its place; exit 1 when there is one.
set -uo pipefail
cd "$(dirname "$0")/.."
hits=$(grep -nE '(^|[^_[:alnum:]])(atoi|sprintf|vsprintf|strcpy|strcat|sscanf|gets)[[:space:]]*\(' \
           src/*/*.c src/*/*.h fuzz/*.c 2>/dev/null |
       grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$hits" ]; then
    echo "banned functions (use snprintf, a bounded copy or a digit loop instead):"
    echo "$hits"
    exit 1
fi
echo "banned functions: none in src/ and fuzz/"
