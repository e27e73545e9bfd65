"""Golden comparison of a workbook: every part of the ZIP, unzipped, against
the files saved under a golden folder (byte for byte: the writer fixes the
creation date and libxlsxwriter fixes the ZIP's timestamps, so the same store
gives the same bytes; the store's random identity is masked).

    compare_golden.py FILE.xlsx GOLDEN_DIR            compare
    compare_golden.py --write FILE.xlsx GOLDEN_DIR    (re)write the goldens

One check per part plus one for the list of parts; prints a FAIL line with
the first difference and ends with "RESULT <passed> <failed>".
"""
import os
import re
import shutil
import sys
import zipfile

# The store's identity is random (eng_store_id): masked on both sides.
STORE_ID = re.compile(rb'(name="vernier_store"><vt:lpwstr>)[0-9a-f]{32}(</vt:lpwstr>)')
STORE_CELL = re.compile(rb"(<t>)[0-9a-f]{32}(</t>)")


def masked(data):
    return STORE_CELL.sub(rb"\1STORE-ID\2", STORE_ID.sub(rb"\1STORE-ID\2", data))

PASSED = 0
FAILED = 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s" % what)


def golden_parts(root):
    out = []
    for d, _, files in os.walk(root):
        for f in files:
            out.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
    return sorted(out)


def first_difference(a, b):
    n = min(len(a), len(b))
    i = next((k for k in range(n) if a[k] != b[k]), n)
    lo = max(0, i - 60)
    return "at byte %d: got %r, want %r" % (i, a[lo:i + 60], b[lo:i + 60])


def main(argv):
    write = argv[1] == "--write"
    path, golden = argv[1 + write], argv[2 + write]
    with zipfile.ZipFile(path) as z:
        parts = {n: masked(z.read(n)) for n in z.namelist() if not n.endswith("/")}
    if write:
        shutil.rmtree(golden, ignore_errors=True)
        for name, data in parts.items():
            dst = os.path.join(golden, name)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(data)
        print("wrote %d parts to %s" % (len(parts), golden))
        return 0
    want = golden_parts(golden)
    check(sorted(parts) == want, "%s: parts %s, golden %s" % (
        path, sorted(set(parts) ^ set(want)), golden))
    for name in want:
        if name not in parts:
            continue
        with open(os.path.join(golden, name), "rb") as f:
            data = masked(f.read())
        check(parts[name] == data, "%s: %s differs from the golden %s" % (
            path, name, first_difference(parts[name], data)))
    print("RESULT %d %d" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
