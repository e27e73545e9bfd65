#!/bin/sh
# Every C file of ours reads as .clang-format says (one clang-format process
# for all files; each file that differs is named).
cd "$(dirname "$0")/../.." || exit 1
if ! command -v clang-format >/dev/null; then
    echo "format: SKIPPED (clang-format is not installed; make deps installs it)"
    exit 0
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null) || files=$(find . -name '*.[ch]' -not -path './build*')
total=$(echo "$files" | wc -w)
bad=$(clang-format --dry-run $files 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' | sort -u)
fail=$(echo "$bad" | grep -c .)
for f in $bad; do echo "FAIL format: $f differs from .clang-format (make format)"; done
echo "format: $((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
