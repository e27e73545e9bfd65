#!/bin/sh
# make bench: runs every bench/bench_*.sh in name order.  Each prints its own
# figures beside the anchor it is compared with, measured in the same run.
# Environment: BUILD, SHARED, VERNIER, PYTHON (set by the Makefile).
status=0
for b in bench/bench_*.sh; do
    [ -f "$b" ] || continue
    echo "== $b"
    sh "$b" || status=1
done
exit $status
