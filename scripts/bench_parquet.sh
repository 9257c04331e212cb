#!/usr/bin/env bash
# The Parquet-against-JSONL measurement of docs/benchmarks.md ("Parquet (issue 15)"):
# user + system CPU seconds, best of N, of learn, clean and run on the same crawl as JSONL and
# as Parquet. CPU seconds, not wall: the machine may be shared.
#
# usage: scripts/bench_parquet.sh BIN DIR [N]
#   DIR holds crawl.jsonl and crawl.parquet (the same rows), e.g.
#   dechrome generate --sites 100 --pages-per-site 50 --zipf --bytes 60M -o DIR/crawl.jsonl
#   and a Parquet copy with one string column per field (pyarrow: pq.write_table(..., compression='zstd')).
set -euo pipefail
B=$(realpath "$1"); cd "$2"; N=${3:-3}; J=${J:-2}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$B" learn crawl.jsonl -o "$d/j.model" -q
best() {
    local name=$1; shift; local b=999999 u s e c
    for _ in $(seq "$N"); do
        /usr/bin/time -f "%U %S %e" -o "$d/t" "$@" >/dev/null 2>"$d/err" || { echo "FAILED: $name"; cat "$d/err"; }
        read -r u s e < "$d/t"; c=$(echo "$u + $s" | bc)
        if (( $(echo "$c < $b" | bc) )); then b=$c; fi
    done
    printf "%-26s %7.2f cpu-s\n" "$name" "$b"
}
best "learn jsonl"             "$B" learn crawl.jsonl -o "$d/a.model" -q --force -j "$J"
best "learn parquet"           "$B" learn crawl.parquet -o "$d/b.model" -q --force -j "$J"
best "clean jsonl -> jsonl"    "$B" clean crawl.jsonl -m "$d/j.model" -o "$d/c.jsonl" -q --force -j "$J"
best "clean parquet -> parquet" "$B" clean crawl.parquet -m "$d/j.model" -o "$d/c.parquet" -q --force -j "$J"
best "clean parquet -> jsonl"  "$B" clean crawl.parquet -m "$d/j.model" -o "$d/c2.jsonl" -q --force -j "$J"
best "run jsonl -> jsonl"      "$B" run crawl.jsonl -o "$d/r.jsonl" -q --force -j "$J"
best "run parquet -> parquet"  "$B" run crawl.parquet -o "$d/r.parquet" -q --force -j "$J"
best "run parquet -> jsonl"    "$B" run crawl.parquet -o "$d/r2.jsonl" -q --force -j "$J"
