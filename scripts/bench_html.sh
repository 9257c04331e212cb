#!/usr/bin/env bash
# usage: bench_html.sh DECHROME DEVSET_DIR [PYTHON_WITH_TRAFILATURA]
# Times `dechrome run -j 1` on a WARC of the dev set's html/ (built by html_warc.py) and
# trafilatura.extract (defaults, favor nothing, one process) on the same HTML files, one after
# the other in one run; prints pages/s and MB/s of HTML per CPU-second for each.
set -euo pipefail
BIN=$1; DEV=$2; PY=${3:-python3}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
python3 "$(dirname "$0")/html_warc.py" "$DEV" "$T/in.warc.gz" 2>/dev/null
n=$(wc -l < "$DEV/pages.jsonl"); mb=$(du -cb "$DEV"/html/* | tail -1 | cut -f1)
# CPU time (user + sys), not wall: on a shared machine wall time measures the neighbours.
/usr/bin/time -f "%U %S" -o "$T/time" "$BIN" run -q -j 1 --force --id-field X-Dechrome-Id \
  "$T/in.warc.gz" -o "$T/o.jsonl"
python3 -c "u,s=open('$T/time').read().split()[-2:]; n,b,t=$n,$mb,float(u)+float(s); print(f'dechrome run -j1 (WARC, learn+clean, CPU time): {t:.2f} s, {n/t:.0f} pages/s, {b/t/1e6:.1f} MB/s')"
"$PY" - "$DEV" <<'PY'
import glob, sys, time, trafilatura
files = sorted(glob.glob(sys.argv[1] + "/html/*.html"))
data = [open(f, "rb").read() for f in files]
t = time.process_time()
for b in data:
    trafilatura.extract(b)
t = time.process_time() - t
mb = sum(map(len, data))
print(f"trafilatura.extract (CPU time): {t:.2f} s, {len(data)/t:.0f} pages/s, {mb/t/1e6:.1f} MB/s")
PY
