#!/bin/sh
# make test's smoke of the fuzz targets (fuzz/): each target, built without
# libFuzzer (build/fuzz/replay_TARGET), replays its regression inputs
# (tests/fuzz/TARGET: every finding of make fuzz and of issue 15 stays
# here) and the seed corpora of $SHARED/data.  A broken promise or (under
# make asan) a sanitizer report aborts the target: its line then says
# "1 failed".
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
D=$SHARED/data
ROOT=$(pwd)
for t in csv json record xlsx rules decisions; do
    bin=$BUILD/fuzz/replay_$t
    [ -x "$bin" ] || { echo "fuzz $t: SKIPPED ($bin not built)"; continue; }
    set -- "$ROOT/tests/fuzz/$t"
    if [ -d "$D" ]; then
        case $t in
        csv | record) set -- "$@" "$D/csv-spectrum/package/csvs" "$D/csv-torture-rvl/tests/fixtures/corpus" \
            "$D/utf8/generated" "$D/cjk-encodings/csv" ;;
        json) set -- "$@" "$D/JSONTestSuite/test_parsing" ;;
        rules) set -- "$@" "$D/JSONTestSuite/test_parsing" "$ROOT/rules/default" ;;
        esac
    fi
    tmp=$(mktemp -d)
    if ! TMPDIR=$tmp FUZZ_NAME="fuzz $t" "$bin" "$@" 2>"$tmp/err"; then
        echo "FAIL fuzz $t: $(grep -E 'broken promise|ERROR|SUMMARY' "$tmp/err" | head -3)"
        echo "fuzz $t: 0 passed, 1 failed"
    fi
    rm -rf "$tmp"
done
