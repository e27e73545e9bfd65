#!/bin/sh
# Regenerates tests/workbook/golden/ from the fixture store of
# tests/unit/test_report.c.  Run it from the repository root after a change
# to the workbook that is meant, and read `git diff tests/workbook/golden`
# before committing: every changed part should be a change you intended.
#   sh tests/workbook/regen-golden.sh
set -e
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
make --no-print-directory "$BUILD/tests/test_report" >/dev/null
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$BUILD/tests/test_report" --fixture "$t" >/dev/null
for b in en zh screen; do
    "$PYTHON" tests/workbook/compare_golden.py --write "$t/$b.xlsx" "tests/workbook/golden/$b"
done
