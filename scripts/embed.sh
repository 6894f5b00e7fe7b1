#!/bin/sh
# embed.sh NAME FILE: FILE as a C string constant `const char NAME[]`.
# Used for the default policies that ship inside the airlock binary.
set -eu
name=$1 file=$2
printf '/* Generated from %s by scripts/embed.sh; do not edit. */\n' "$file"
printf 'const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$file"
printf '    ;\n'
