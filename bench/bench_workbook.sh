#!/bin/sh
# make bench: the reviewer workbook's Projects sheet for 100,000 projects,
# vernier's writer beside a plain libxlsxwriter program writing the same
# cells, in the same run (see bench/bench_workbook.c).  Goal: within 1.5x.
# Environment: BUILD (set by the Makefile); WORKBOOK_N overrides the count.
BUILD=${BUILD:-build}
N=${WORKBOOK_N:-100000}
if [ ! -x "$BUILD/bench/bench_workbook" ]; then
    echo "bench_workbook: $BUILD/bench/bench_workbook is not built (make bench builds it)"
    exit 1
fi
"$BUILD/bench/bench_workbook" "$N" 3
