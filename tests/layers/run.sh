#!/bin/sh
# The layers run one way: cli -> reports, importers -> engine -> rules -> base.
# A file may include headers of its own folder and of the layers below it,
# never of a layer above nor of a sibling (reports and importers know nothing
# of each other).  One check per C file; a violation names the file, the
# line and the header.  First the checker is run on a small tree with a
# known upward include, so that a checker that cannot fail fails here.
cd "$(dirname "$0")/../.." || exit 1

# rank FOLDER: the layer of a folder (higher includes lower), or nothing.
# check ROOT: prints "FAIL layers: ..." per violation and "ok FILE" per clean file.
check() {
    root=$1
    for f in $(cd "$root" && ls base/*.[ch] rules/*.[ch] engine/*.[ch] importers/*.[ch] \
                                reports/*.[ch] cli/*.[ch] 2>/dev/null); do
        awk -v file="$f" '
            function rank(d) {
                if (d == "base") return 0
                if (d == "rules") return 1
                if (d == "engine") return 2
                if (d == "importers" || d == "reports") return 3
                if (d == "cli") return 4
                return -1
            }
            BEGIN { split(file, p, "/"); own = p[1]; bad = 0 }
            /^[ \t]*#[ \t]*include[ \t]*"/ {
                h = $0
                sub(/^[^"]*"/, "", h)
                sub(/".*$/, "", h)
                n = split(h, q, "/")
                if (n < 2) {
                    printf "FAIL layers: %s:%d: #include \"%s\" names no folder\n", file, FNR, h
                    bad = 1
                    next
                }
                d = q[1]
                if (d == own) next
                if (rank(d) < 0) {
                    printf "FAIL layers: %s:%d: #include \"%s\": %s/ is no layer\n", file, FNR, h, d
                    bad = 1
                } else if (rank(d) >= rank(own)) {
                    printf "FAIL layers: %s:%d: %s/ (layer %d) includes \"%s\" of %s/ (layer %d): " \
                           "cli -> reports, importers -> engine -> rules -> base\n",
                           file, FNR, own, rank(own), h, d, rank(d)
                    bad = 1
                }
            }
            END { if (!bad) print "ok " file }' "$root/$f"
    done
}

# The checker must catch an upward include and a sibling include.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/base" "$tmp/rules" "$tmp/reports" "$tmp/importers"
printf '#include "rules/rule.h"\n' >"$tmp/base/base_x.c"
printf '#include "base/base_x.h"\n' >"$tmp/rules/rule.h"
printf '#include "importers/imp.h"\n' >"$tmp/reports/rpt.c"
printf '#include "base/base_x.h"\n#include "rules/rule.h"\n' >"$tmp/importers/imp.h"
self=$(check "$tmp")
pass=0 fail=0
if [ "$(echo "$self" | grep -c '^FAIL')" -eq 2 ] && [ "$(echo "$self" | grep -c '^ok')" -eq 2 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL layers: the checker does not see an upward or a sibling include:"
    echo "$self"
fi

out=$(check .)
echo "$out" | grep '^FAIL'
pass=$((pass + $(echo "$out" | grep -c '^ok')))
fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
