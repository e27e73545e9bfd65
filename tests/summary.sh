#!/bin/sh
# Reads the output of every test part (tests/run.sh) on stdin and prints the
# summary: the failures, each part's "NAME: N passed, N failed", each skipped
# part's "NAME: SKIPPED (why)", how many parts were skipped, and last the line
# "N passed, N failed".  Exits 1 when something failed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cat >"$log"
grep -v ': [0-9]* passed, [0-9]* failed$' "$log" | grep -v ': SKIPPED (' | grep -E 'FAIL|error|ERROR' |
    head -100
grep -E ': [0-9]+ passed, [0-9]+ failed$|: SKIPPED \(' "$log"
awk '/: [0-9]+ passed, [0-9]+ failed$/ { p += $(NF-3); f += $(NF-1) }
     /: SKIPPED \(/ { s++; names = names (s > 1 ? ", " : "") substr($0, 1, index($0, ":") - 1) }
     END {
         word = "suite"
         if (s > 1) word = "suites"
         if (s) printf "skipped: %d %s (%s)\n", s, word, names
         printf "%d passed, %d failed\n", p, f; exit (f > 0)
     }' "$log"
