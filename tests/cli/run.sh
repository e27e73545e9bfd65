#!/bin/sh
# CLI golden tests.  Each folder tests/cli/NAME/ holds `cmd`, a shell script
# run in a fresh temporary folder (the working directory) with:
#   $VERNIER  the binary          $CASE  the case folder (its input files)
#   $ROOT     the repository      VERNIER_NOW fixed, so dates are repeatable
# and `expected`: what it printed (stdout, then stderr), with the temporary
# folder written as $TMP, and its exit code on a last line "exit N".
# UPDATE=1 sh tests/cli/run.sh rewrites the expected files (review the diff!).
ROOT=$(pwd)
VERNIER=${VERNIER:-$ROOT/vernier}
export VERNIER ROOT
export VERNIER_NOW=2026-01-01T00:00:00Z
export VERNIER_RULES="$ROOT/rules/default"
pass=0
fail=0
for dir in "$ROOT"/tests/cli/*/; do
    [ -f "$dir/cmd" ] || continue
    name=$(basename "$dir")
    tmp=$(mktemp -d)
    (cd "$tmp" && CASE="${dir%/}" sh "${dir}cmd" >"$tmp/.out" 2>"$tmp/.err"; echo "exit $?" >"$tmp/.rc")
    cat "$tmp/.out" "$tmp/.err" "$tmp/.rc" | sed "s|$tmp|\$TMP|g; s|$ROOT|\$ROOT|g" >"$tmp/.got"
    if [ -n "$UPDATE" ]; then
        cp "$tmp/.got" "${dir}expected"
    fi
    if cmp -s "$tmp/.got" "${dir}expected"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL cli/$name:"
        diff "${dir}expected" "$tmp/.got" | head -20
    fi
    rm -rf "$tmp"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
