#!/bin/sh
# Every C file of ours reads as .clang-format says: one check per file.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v clang-format >/dev/null; then
    echo "format: SKIPPED (clang-format is not installed; make deps installs it)"
    exit 0
fi
pass=0 fail=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*'); do
    if clang-format "$f" | cmp -s - "$f"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL format: $f differs from .clang-format (make format)"
    fi
done
echo "format: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
