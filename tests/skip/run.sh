#!/bin/sh
# A part of `make test` that cannot run here says so: each suite that needs
# ../shared prints "NAME: SKIPPED (why)" (not "0 passed, 0 failed") when it
# is absent, and tests/summary.sh lists and counts the skipped suites while
# keeping the last line "N passed, N failed".
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL skip: $1"
}
none=$(mktemp -d)
trap 'rm -rf "$none"' EXIT
for suite in conformance dupquality pipeline; do
    out=$(SHARED="$none/shared" sh "tests/$suite/run.sh" 2>&1)
    case "$out" in
    *"$suite: SKIPPED ("*) ok ;;
    *) bad "$suite without ../shared: $out" ;;
    esac
    case "$out" in
    *"passed, "*) bad "$suite without ../shared counts tests: $out" ;;
    *) ok ;;
    esac
done
got=$(printf 'a: 3 passed, 0 failed\nb: SKIPPED (no data)\nc: 1 passed, 1 failed\nd: SKIPPED (no tool)\n' |
    sh tests/summary.sh)
want='a: 3 passed, 0 failed
b: SKIPPED (no data)
c: 1 passed, 1 failed
d: SKIPPED (no tool)
skipped: 2 suites (b, d)
4 passed, 1 failed'
[ "$got" = "$want" ] && ok || bad "summary: got [$got]"
got=$(printf 'a: 3 passed, 0 failed\n' | sh tests/summary.sh)
[ "$got" = "a: 3 passed, 0 failed
3 passed, 0 failed" ] && ok || bad "summary without skips: got [$got]"
echo "skip: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
