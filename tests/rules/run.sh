#!/bin/sh
# The default rule set must load cleanly (no errors, no warnings, slow
# patterns included) and pass its own test cases; every rule must be
# covered.  Prints "rules test: N passed, N failed" (from vernier) and
# "rules check: N passed, N failed".
VERNIER=${VERNIER:-./vernier}
pass=0
fail=0
out=$("$VERNIER" rules check rules/default 2>&1)
if echo "$out" | grep -q ' 0 errors, 0 warnings$'; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL rules check:"; echo "$out" | tail -20; fi
out=$("$VERNIER" rules test rules/default 2>&1)
echo "$out" | grep -E '^(FAIL|rules no case)' | head -20
echo "$out" | grep '^rules test: '
if echo "$out" | grep -q '^rules no case covers'; then fail=$((fail + 1)); else pass=$((pass + 1)); fi
echo "rules check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
