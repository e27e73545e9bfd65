#!/bin/sh
# Writers take turns, readers are never blocked (issue 15).  Another process
# (the sqlite3 shell) holds the store's write lock for a few seconds while
# vernier writes and reads:
#   - a reader (stats) answers at once, even under an EXCLUSIVE lock (WAL);
#   - a writer waits for the lock (--wait), says so on a terminal, and succeeds;
#   - a writer whose --wait is shorter than the lock fails with a clear message.
# The full-size run (two writers and a reader, kill -9) is in `make torture`.
VERNIER=${VERNIER:-./vernier}
case $VERNIER in /*) ;; *) VERNIER=$(pwd)/$VERNIER ;; esac
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL concurrency: $*"; }
if ! command -v sqlite3 >/dev/null; then
    echo "concurrency: SKIPPED (no sqlite3 shell)"
    echo "concurrency: 0 passed, 0 failed"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
printf '{"id":"A","title":"first"}\n' >a.jsonl
printf '{"id":"B","title":"second"}\n' >b.jsonl
printf '{"id":"C","title":"third"}\n' >c.jsonl
"$VERNIER" -q --db t.db import a.jsonl || ko "first import"
# hold: keeps the write lock (EXCLUSIVE) for $1 seconds
hold() { printf 'BEGIN EXCLUSIVE;\nINSERT OR REPLACE INTO meta(key, value) VALUES(%s, 1);\n.shell sleep %s\nCOMMIT;\n' "'held'" "$1" | sqlite3 t.db; }
wait_locked() { # until the shell has the lock (a write of ours fails at once)
    n=0
    while [ $n -lt 100 ]; do
        sqlite3 t.db "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null || return 0
        sleep 0.05
        n=$((n + 1))
    done
}
hold 3 &
wait_locked
t0=$(date +%s%N)
"$VERNIER" --db t.db --wait 0 stats >stats.out 2>stats.err
rc=$?
t1=$(date +%s%N)
[ $rc -eq 0 ] && grep -q total stats.out && ok || ko "a reader under a writer's lock: exit $rc: $(cat stats.err)"
[ $(((t1 - t0) / 1000000)) -lt 1500 ] && ok || ko "the reader waited $(((t1 - t0) / 1000000)) ms"
"$VERNIER" --db t.db --wait 0.5 import b.jsonl >short.out 2>&1
rc=$?
[ $rc -eq 3 ] && ok || ko "a writer with --wait 0.5 under a 3 s lock: exit $rc, want 3"
grep -q "t.db: the store is busy: another vernier kept writing to it for longer than 1 s (wait longer with --wait SECONDS)" short.out &&
    ok || ko "busy message: $(cat short.out)"
# on a terminal (script gives one), the waiting writer says so, then succeeds
if command -v script >/dev/null; then
    script -qec "'$VERNIER' --db t.db --wait 30 import b.jsonl" /dev/null >tty.out 2>&1
    rc=$?
    [ $rc -eq 0 ] && ok || ko "a waiting writer (terminal): exit $rc: $(cat tty.out)"
    grep -q "another vernier is writing to the store; waiting for it (up to 30 s" tty.out &&
        ok || ko "no waiting notice on a terminal: $(cat tty.out)"
fi
wait
hold 2 &
wait_locked
"$VERNIER" --db t.db --wait 30 import c.jsonl >pipe.out 2>&1
rc=$?
[ $rc -eq 0 ] && ok || ko "a waiting writer (pipe): exit $rc: $(cat pipe.out)"
grep -q "waiting for it" pipe.out && ko "waiting notice printed to a pipe" || ok
wait
n=$(sqlite3 t.db "SELECT count(*) FROM projects")
[ "$n" = 3 ] && ok || ko "records stored: $n, want 3"
[ "$(sqlite3 t.db 'PRAGMA journal_mode')" = wal ] && ok || ko "the store is not in WAL mode"
[ "$(sqlite3 t.db 'PRAGMA integrity_check')" = ok ] && ok || ko "integrity_check"
echo "concurrency: $pass passed, $fail failed"
[ $fail -eq 0 ]
