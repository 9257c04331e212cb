#!/usr/bin/env bash
# build_prior.sh [-k MIN_SITES] OUT.prior CRAWL... -- rebuilds a cross-site prior: learns one
# model over every crawl given (JSONL, WET, WARC, ...; their sites pooled) and keeps the blocks
# found on at least MIN_SITES (default 5) distinct sites. The shipped models/generic.prior:
#   scripts/build_prior.sh models/generic.prior ../shared/data/{big9,dragnet-dev,cleaneval-dev,wcxb-dev}/pages.jsonl
# Uses target/release/dechrome (or $DECHROME); the binary embeds models/generic.prior at build
# time, so rebuild it (cargo build --release) after replacing that file.
set -euo pipefail
k=5
if [[ ${1:-} == -k ]]; then k=$2; shift 2; fi
[[ $# -ge 2 ]] || { echo "usage: $0 [-k MIN_SITES] OUT.prior CRAWL..." >&2; exit 2; }
out=$1; shift
bin=${DECHROME:-target/release/dechrome}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
"$bin" learn "$@" -o "$t/corpus.model" --force -q
names=$(for c in "$@"; do basename "$(dirname "$c")"; done | paste -sd, -)
"$bin" prior "$t/corpus.model" -o "$out" --force --min-sites "$k" --learned-from "text views of $names"
