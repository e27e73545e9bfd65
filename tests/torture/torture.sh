#!/bin/sh
# make torture (issue 15): what a crash, a full disk, a failed allocation or a
# second process does to the store and the workbooks.  Not part of make test
# (minutes); each part prints "torture NAME: N passed, N failed".
#   kill      SIGKILL at a uniformly random moment of import, score, report,
#             report --split-by and decisions import, TORTURE_KILLS times each
#             (default 50): PRAGMA integrity_check ok, the store as before or
#             as after (never between), the workbook path old or whole new,
#             a split set whole or absent, no temporary file left after the
#             next clean run.
#   disk      a full disk (a small tmpfs when this user may mount one, else a
#             file-size limit): import, score, report, split report, export
#             fail with a message naming the file, and leave nothing half
#             written.
#   oom       every allocation of a small import fails in turn, once and
#             from then on (build/tests/oom_import).
#   together  two writers and a reader on one store at once.
# Environment: VERNIER, BUILD, PYTHON (with openpyxl), TORTURE_KILLS,
# TORTURE_RECORDS (5000), TORTURE_PARTS (default: kill disk oom together).
VERNIER=${VERNIER:-./vernier}
ROOT=$(pwd)
case $VERNIER in /*) ;; *) VERNIER=$ROOT/$VERNIER ;; esac
BUILD=${BUILD:-build}
KILLS=${TORTURE_KILLS:-50}
RECORDS=${TORTURE_RECORDS:-5000}
PYTHON=${PYTHON:-/usr/bin/python3}
PARTS=${TORTURE_PARTS:-kill disk oom together}
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
export VERNIER_RULES="$ROOT/rules/default"
W=$(mktemp -d)
MNT=
cleanup() {
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
total_fail=0
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL torture $part: $*"; }
report() {
    echo "torture $part: $pass passed, $fail failed${1:+ ($1)}"
    total_fail=$((total_fail + fail))
    pass=0
    fail=0
}
q() { sqlite3 "$1" "$2" 2>&1; }
integrity() { [ "$(q "$1" 'PRAGMA integrity_check')" = ok ]; }
now_ms() { date +%s%3N; }
# a random number of milliseconds in [0, $1]
rand_ms() { awk -v max="$1" -v seed="$(date +%N)" 'BEGIN { srand(seed); printf "%d", rand() * max }'; }
sleep_ms() { sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"; }
# runs "$@" in the background and kills it with SIGKILL after a random time
# in [0, $T ms]; sets finished=1 when it ended by itself first
kill_during() {
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep_ms "$(rand_ms "$T")"
    if kill -9 $pid 2>/dev/null; then finished=0; else finished=1; fi
    wait $pid 2>/dev/null
}
# another run while fewer than $KILLS runs were killed (at most 4 x $KILLS
# runs: a run that ends before its kill is not counted as one)
more() { [ $((i - done_n)) -lt "$KILLS" ] && [ "$i" -lt $((KILLS * 4)) ]; }
valid_xlsx() { unzip -tq "$1" >/dev/null 2>&1; }
sum() { [ -e "$1" ] && sha256sum "$1" | cut -c1-64 || echo absent; }

"$PYTHON" - "$RECORDS" <<'PY'
import json, sys
n = int(sys.argv[1])
with open("big.jsonl", "w") as f:
    for i in range(n):
        f.write(json.dumps({"id": "T%06d" % i, "kind": "project" if i % 3 else "proposal",
            "title": "精密测温 project %d: cryogenic thermometry stage %d" % (i, i % 97),
            "abstract": "研制了原理样机，完成了实验室验证。 Validated in the laboratory; CNAS L%04d." % (i % 500),
            "field": "metrology" if i % 2 else "sensors", "trl_target": 1 + i % 9},
            ensure_ascii=False) + "\n")
with open("small.jsonl", "w") as f:
    for i in range(300):
        f.write(json.dumps({"id": "S%04d" % i, "title": "small %d" % i, "abstract": "breadboard validated in the laboratory"}) + "\n")
PY
"$VERNIER" -q --db base.db import small.jsonl || exit 1
"$VERNIER" -q --db base.db score >/dev/null || exit 1
base_projects=$(q base.db 'SELECT count(*) FROM projects')
# r.db: base.db and big.jsonl, scored (reports and exports read it)
cp base.db r.db
"$VERNIER" -q --db r.db import big.jsonl && "$VERNIER" -q --db r.db score >/dev/null || exit 1

# ---- kill ----------------------------------------------------------------------------------------
if want kill; then
part="kill import"
t0=$(now_ms)
cp base.db k.db
"$VERNIER" -q --db k.db import big.jsonl || ko "clean import failed"
T=$(($(now_ms) - t0))
after_projects=$(q k.db 'SELECT count(*) FROM projects')
done_n=0
i=0
while more; do
    i=$((i + 1))
    rm -f k.db k.db-wal k.db-shm
    cp base.db k.db
    kill_during "$VERNIER" -q --db k.db import big.jsonl
    done_n=$((done_n + finished))
    integrity k.db && ok || ko "run $i: integrity_check: $(q k.db 'PRAGMA integrity_check' | head -2)"
    n=$(q k.db 'SELECT count(*) FROM projects')
    imports=$(q k.db 'SELECT count(*) FROM imports')
    if { [ "$n" = "$base_projects" ] && [ "$imports" = 1 ]; } ||
        { [ "$n" = "$after_projects" ] && [ "$imports" = 2 ]; }; then ok; else
        ko "run $i: $n projects and $imports imports (before: $base_projects/1, after: $after_projects/2)"
    fi
done
report "$((i - done_n)) kills in $i runs (a clean one: ${T} ms) of imports of $RECORDS records, $done_n finished first"

part="kill score"
cp base.db s0.db
"$VERNIER" -q --db s0.db import big.jsonl
t0=$(now_ms)
cp s0.db k.db
"$VERNIER" -q --db k.db score >/dev/null || ko "clean score failed"
T=$(($(now_ms) - t0))
runs0=$(q s0.db 'SELECT count(*) FROM runs')
projects=$(q s0.db "SELECT count(*) FROM projects WHERE kind = 'project'")
done_n=0
i=0
while more; do
    i=$((i + 1))
    rm -f k.db k.db-wal k.db-shm
    cp s0.db k.db
    kill_during "$VERNIER" -q --db k.db score
    done_n=$((done_n + finished))
    integrity k.db && ok || ko "run $i: integrity_check"
    runs=$(q k.db 'SELECT count(*) FROM runs')
    last=$(q k.db 'SELECT max(id) FROM runs')
    scored=$(q k.db "SELECT count(*) FROM scores WHERE run_id = $last")
    if [ "$runs" = "$runs0" ]; then ok; elif [ "$runs" = $((runs0 + 1)) ] && [ "$scored" -ge "$projects" ]; then ok; else
        ko "run $i: $runs runs (before $runs0), the last with $scored scores of $projects projects"
    fi
done
report "$((i - done_n)) kills in $i runs (a clean one: ${T} ms) of runs over $projects projects, $done_n finished first"

part="kill report"
"$VERNIER" -q --db r.db report -o old.xlsx || ko "first report failed"
t0=$(now_ms)
"$VERNIER" -q --db r.db report -o new.xlsx || ko "clean report failed"
T=$(($(now_ms) - t0))
left=0
done_n=0
i=0
while more; do
    i=$((i + 1))
    cp old.xlsx r.xlsx
    old=$(sum r.xlsx)
    kill_during "$VERNIER" -q --db r.db report -o r.xlsx
    done_n=$((done_n + finished))
    got=$(sum r.xlsx)
    if [ "$got" = "$old" ] || valid_xlsx r.xlsx; then ok; else ko "run $i: r.xlsx is neither the old workbook nor a whole new one"; fi
    left=$((left + $(ls | grep -c '^r\.xlsx\.tmp\.')))
    integrity r.db && ok || ko "run $i: integrity_check"
done
"$VERNIER" -q --db r.db report -o r.xlsx || ko "report after the kills failed"
[ "$(ls | grep -c '^r\.xlsx\.tmp\.')" = 0 ] && ok || ko "temporary files left after a clean report: $(ls | grep '\.tmp\.')"
report "$((i - done_n)) kills in $i runs (a clean one: ${T} ms) of reports, $done_n finished first; $left temporary files left by kills, all removed by the next report"

part="kill split"
rm -f set-*.xlsx
"$VERNIER" -q --db r.db report --split-by kind -o set.xlsx || ko "clean split failed"
want=$(ls set-*.xlsx | tr '\n' ' ')
t0=$(now_ms)
"$VERNIER" -q --db r.db report --split-by kind -o set.xlsx
T=$(($(now_ms) - t0))
partial=0
done_n=0
i=0
while more; do
    i=$((i + 1))
    rm -f set-*.xlsx
    kill_during "$VERNIER" -q --db r.db report --split-by kind -o set.xlsx
    done_n=$((done_n + finished))
    got=$(ls set-*.xlsx 2>/dev/null | tr '\n' ' ')
    if [ -z "$got" ] || [ "$got" = "$want" ]; then ok; elif [ -n "$(ls | grep '^set\.xlsx\.set\.tmp\.')" ]; then
        # killed between two renames: the journal is there, and the next
        # vernier writing that path finishes the set
        partial=$((partial + 1))
        "$VERNIER" -q --db r.db report -o set.xlsx >/dev/null 2>&1
        got=$(ls set-*.xlsx 2>/dev/null | tr '\n' ' ')
        [ "$got" = "$want" ] && ok || ko "run $i: a partial set not finished by the next report: $got (want all of: $want)"
    else
        ko "run $i: a partial set without a journal: $got (want all of: $want)"
    fi
    for f in $got; do valid_xlsx "$f" || ko "run $i: $f is not a whole workbook"; done
done
"$VERNIER" -q --db r.db report --split-by kind -o set.xlsx || ko "split after the kills failed"
[ "$(ls | grep -c '\.tmp\.')" = 0 ] && ok || ko "temporary files left after a clean split: $(ls | grep '\.tmp\.')"
report "$((i - done_n)) kills in $i runs (a clean one: ${T} ms) of split reports ($want), $done_n finished first, $partial between two renames (finished by the next report)"

part="kill decisions"
"$VERNIER" -q --db r.db report -o d.xlsx
"$PYTHON" - <<'PY'
import openpyxl
wb = openpyxl.load_workbook("d.xlsx")
ws = wb["Projects"]
head = [c.value for c in ws[1]]
dc, cc = head.index("Decision") + 1, head.index("Comment") + 1
for row in range(2, min(ws.max_row, 2000) + 1):
    ws.cell(row, dc).value = "pass" if row % 2 else "fail"
    ws.cell(row, cc).value = "torture %d" % row
wb.save("d-returned.xlsx")
PY
cp r.db d0.db
t0=$(now_ms)
cp d0.db k.db
"$VERNIER" -q --db k.db decisions import d-returned.xlsx --reviewer T || ko "clean decisions import failed"
T=$(($(now_ms) - t0))
dec0=$(q d0.db 'SELECT count(*) FROM decisions')
dec1=$(q k.db 'SELECT count(*) FROM decisions')
done_n=0
i=0
while more; do
    i=$((i + 1))
    rm -f k.db k.db-wal k.db-shm
    cp d0.db k.db
    kill_during "$VERNIER" -q --db k.db decisions import d-returned.xlsx --reviewer T
    done_n=$((done_n + finished))
    integrity k.db && ok || ko "run $i: integrity_check"
    n=$(q k.db 'SELECT count(*) FROM decisions')
    [ "$n" = "$dec0" ] || [ "$n" = "$dec1" ] && ok || ko "run $i: $n decisions (before $dec0, after $dec1)"
done
report "$((i - done_n)) kills in $i runs (a clean one: ${T} ms) of decisions imports of $((dec1 - dec0)) decisions, $done_n finished first"
fi

# ---- disk ----------------------------------------------------------------------------------------
# fill leaves $1 KiB free on the tmpfs
fill() {
    rm -f full/filler
    free_k=$(df -k full | awk 'NR==2 {print $4}')
    [ "$free_k" -gt "$1" ] && dd if=/dev/zero of=full/filler bs=1k count=$((free_k - $1)) 2>/dev/null
    [ "$1" = 0 ] && dd if=/dev/zero of=full/filler bs=4k oflag=append conv=notrunc 2>/dev/null
    true
}
# store_on_full NAME OP...: runs vernier OP on the store full/NAME with the
# disk full (no room at all, then 200 KiB); the store must be as before
store_on_full() {
    name=$1
    shift
    for room in 0 200; do
        rm -f full/filler
        before=$(q "full/$name" 'SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)')
        fill $room
        "$VERNIER" --db "full/$name" "$@" >out.txt 2>&1 && ko "$1 with $room KiB free: exit 0" || ok
        grep -q "full/$name" out.txt && ok || ko "$1 with $room KiB free: the message does not name the store: $(cat out.txt)"
        grep -qiE "disk is full|No space left" out.txt && ok || ko "$1 with $room KiB free: the message does not say the disk is full: $(cat out.txt)"
        rm -f full/filler
        integrity "full/$name" && ok || ko "$1 with $room KiB free: the store is damaged"
        [ "$(q "full/$name" 'SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)')" = "$before" ] && ok ||
            ko "$1 with $room KiB free: the store changed ($before before)"
        echo "  disk: $* with $room KiB free: $(head -1 out.txt)"
    done
}
# output_on_full WHAT OP...: runs vernier OP writing into full/ with 40 KiB
# free; nothing of the output may be left
output_on_full() {
    what=$1
    shift
    fill 40
    "$VERNIER" --db r.db "$@" >out.txt 2>&1 && ko "$what on a full disk: exit 0" || ok
    grep -q "full/" out.txt && ok || ko "$what on a full disk: the message names no file: $(cat out.txt)"
    [ -z "$(ls full | grep -v '^filler$' | grep -v '^[fs]\.db')" ] && ok || ko "$what: files left on the full disk: $(ls full)"
    echo "  disk: $what: $(head -1 out.txt)"
    rm -f full/filler
}
if want disk; then
    part="disk"
    mkdir -p full
    how="a file-size limit (ulimit -f)"
    if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=6m tmpfs full 2>/dev/null; then
        MNT=$W/full
        how="a 6 MB tmpfs"
    fi
    if [ -n "$MNT" ]; then
        # import into a store of 300 records; score a store of 300 + $RECORDS
        cp base.db full/f.db
        store_on_full f.db import big.jsonl
        cp base.db full/s.db
        "$VERNIER" -q --db full/s.db import big.jsonl || ko "setup of the score store"
        store_on_full s.db score
        rm -f full/s.db full/s.db-wal full/s.db-shm
        output_on_full "report" report -o full/r.xlsx
        output_on_full "split report" report --split-by kind -o full/set.xlsx
        output_on_full "CSV export" export --format csv -o full/run.csv
        output_on_full "JSONL export" export --format jsonl -o full/run.jsonl
        grep -q "full/run.jsonl: cannot write: No space left on device" out.txt && ok || ko "export message: $(cat out.txt)"
    else
        # a file-size limit: the store's own files are under it too
        cp base.db f.db
        before=$(q f.db 'SELECT count(*) FROM projects')
        (ulimit -f 2048; trap '' XFSZ; "$VERNIER" --db f.db import big.jsonl) >out.txt 2>&1 && ko "import over the limit: exit 0" || ok
        integrity f.db && ok || ko "store damaged"
        [ "$(q f.db 'SELECT count(*) FROM projects')" = "$before" ] && ok || ko "import half-written"
    fi
    report "$how"
fi

# ---- oom -----------------------------------------------------------------------------------------
if want oom; then
    part="oom"
    if [ -x "$ROOT/$BUILD/tests/oom" ]; then
        head -3 "$ROOT/examples/projects.jsonl" >seed.jsonl
        sed -n 4,8p "$ROOT/examples/projects.jsonl" >more.jsonl
        head -8 "$ROOT/examples/projects-gb18030.csv" >more.csv # 6 records, whole
        summary=
        for run in "import more.jsonl" "import more.csv" "score more.jsonl" "report more.jsonl" "split more.jsonl"; do
            set -- $run
            mkdir -p "oom-$1-$2"
            "$ROOT/$BUILD/tests/oom" "$1" seed.jsonl "$2" "$ROOT/rules/default" "oom-$1-$2" >oom.txt 2>&1 && ok ||
                ko "$1 $2: $(grep -v '^oom' oom.txt | head -5) $(tail -1 oom.txt)"
            summary="$summary; $(grep "^oom $1:" oom.txt | sed 's/ allocation points x 2 modes (once, always)//; s/;.*//') ($2)"
        done
        report "${summary#; }"
    else
        echo "torture oom: SKIPPED ($BUILD/tests/oom not built)"
    fi
fi

# ---- together ------------------------------------------------------------------------------------
if want together; then
part="together"
cp base.db c.db
"$PYTHON" - "$RECORDS" <<'PY'
import json, sys
for name, prefix in (("w1.jsonl", "W1-"), ("w2.jsonl", "W2-")):
    with open(name, "w") as f:
        for i in range(int(sys.argv[1])):
            f.write(json.dumps({"id": prefix + str(i), "title": "writer %s record %d" % (prefix, i)}) + "\n")
PY
"$VERNIER" -q --db c.db import w1.jsonl >w1.out 2>&1 &
p1=$!
"$VERNIER" -q --db c.db import w2.jsonl >w2.out 2>&1 &
p2=$!
reads=0
rfail=0
while kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
    "$VERNIER" --db c.db --wait 0 stats >/dev/null 2>r.err && reads=$((reads + 1)) || rfail=$((rfail + 1))
done
wait $p1 && ok || ko "writer 1 failed: $(cat w1.out)"
wait $p2 && ok || ko "writer 2 failed: $(cat w2.out)"
[ $rfail = 0 ] && ok || ko "$rfail reads failed: $(cat r.err)"
[ "$(q c.db 'SELECT count(*) FROM projects')" = $((base_projects + 2 * RECORDS)) ] && ok || ko "records: $(q c.db 'SELECT count(*) FROM projects'), want $((base_projects + 2 * RECORDS))"
integrity c.db && ok || ko "integrity_check"
"$VERNIER" -q --db c.db score >/dev/null &
p1=$!
"$VERNIER" -q --db c.db import big.jsonl >w3.out 2>&1 &
p2=$!
while kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
    "$VERNIER" --db c.db --wait 0 stats >/dev/null 2>r.err && reads=$((reads + 1)) || rfail=$((rfail + 1))
done
wait $p1 && ok || ko "score beside an import failed"
wait $p2 && ok || ko "import beside a score failed: $(cat w3.out)"
[ $rfail = 0 ] && ok || ko "$rfail reads failed: $(cat r.err)"
integrity c.db && ok || ko "integrity_check"
report "two imports of $RECORDS records each, then a score and an import of $RECORDS, $reads reads meanwhile, $rfail failed"
fi

echo "torture: $([ $total_fail = 0 ] && echo ok || echo "$total_fail failed")"
[ $total_fail = 0 ]
