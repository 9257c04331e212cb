#!/usr/bin/env python3
"""Reads a WARC/WET file (plain or gzip) with warcio and checks every record.

Usage: python3 scripts/check_warc.py FILE [EXPECTED_RECORDS]

Needs `pip install warcio` (in a venv). Exits 0 and prints the record count when warcio reads
every record without error (and the Content-Length of each matches its block), else 1.
"""
import sys

from warcio.archiveiterator import ArchiveIterator


def main():
    path = sys.argv[1]
    expected = int(sys.argv[2]) if len(sys.argv) > 2 else None
    n = 0
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests=True)
        for rec in it:
            body = rec.content_stream().read()
            length = int(rec.rec_headers.get_header("Content-Length"))
            if len(body) != length:
                print(f"record {n + 1}: block {len(body)} bytes, Content-Length {length}")
                return 1
            if rec.rec_type == "conversion":
                body.decode("utf-8")
            n += 1
    print(n)
    if expected is not None and n != expected:
        print(f"expected {expected} records")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
