#!/usr/bin/env python3
"""CCNet-style per-site line deduplication, in plain Python: the baseline dechrome is measured
against (see docs/benchmarks.md).

Two passes over a JSONL crawl (fields `site` or `url`, and `text`):
  1. normalise every line of every page (lower-case, digits to 0, punctuation and
     whitespace runs to one space, as CCNet's `normalize_line`), hash it (the first 8 bytes of
     SHA-1, as CCNet does), and count on how many pages of its site each hash occurs;
  2. drop the lines whose hash occurs on 2 or more pages of the site, write the rest.

Usage: line_dedup.py IN.jsonl [-o OUT.jsonl]
"""

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections import defaultdict
from urllib.parse import urlsplit

DIGITS = re.compile(r"\d+")
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize(line):
    line = line.strip().lower()
    line = unicodedata.normalize("NFD", line)
    line = "".join(c for c in line if unicodedata.category(c) != "Mn")
    line = DIGITS.sub("0", line)
    return NON_WORD.sub(" ", line).strip()


def line_hash(line):
    return hashlib.sha1(normalize(line).encode("utf-8")).digest()[:8]


def site_of(rec):
    s = rec.get("site")
    if s:
        return s
    return urlsplit(rec.get("url") or "").hostname or ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()

    counts = defaultdict(lambda: defaultdict(int))
    with open(a.input, encoding="utf-8") as f:
        for raw in f:
            if not raw.strip():
                continue
            rec = json.loads(raw)
            c = counts[site_of(rec)]
            for h in {line_hash(l) for l in rec["text"].split("\n") if l.strip()}:
                c[h] += 1

    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    kept = dropped = 0
    with open(a.input, encoding="utf-8") as f:
        for raw in f:
            if not raw.strip():
                continue
            rec = json.loads(raw)
            c = counts[site_of(rec)]
            lines = []
            for l in rec["text"].split("\n"):
                if not l.strip():
                    continue
                if c[line_hash(l)] >= 2:
                    dropped += 1
                else:
                    lines.append(l)
                    kept += 1
            rec["text"] = "\n".join(lines)
            out.write(json.dumps(rec, ensure_ascii=False))
            out.write("\n")
    if out is not sys.stdout:
        out.close()
    print(f"line_dedup: kept {kept} lines, dropped {dropped}", file=sys.stderr)


if __name__ == "__main__":
    main()
