#!/usr/bin/env python3
"""Converts a dechrome JSONL crawl ({"id","url","text",...}) to a WET file of conversion
records, gzip with one member per record when the output name ends in .gz (as Common Crawl
ships WET). The id goes in X-Dechrome-Id (read it back with `--id-field X-Dechrome-Id`).

Usage: python3 scripts/jsonl_to_wet.py IN.jsonl OUT.wet[.gz]
"""
import gzip
import json
import sys
import uuid


def main():
    src, dst = sys.argv[1], sys.argv[2]
    gz = dst.endswith(".gz")
    with open(src, encoding="utf-8") as f, open(dst, "wb") as out:
        for i, line in enumerate(f):
            if not line.strip():
                continue
            r = json.loads(line)
            body = r["text"].encode("utf-8")
            head = (
                "WARC/1.0\r\nWARC-Type: conversion\r\n"
                f"WARC-Target-URI: {r.get('url', '')}\r\n"
                "WARC-Date: 2024-01-01T00:00:00Z\r\n"
                f"WARC-Record-ID: <urn:uuid:{uuid.UUID(int=i)}>\r\n"
                f"X-Dechrome-Id: {r['id']}\r\n"
                "Content-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode("utf-8")
            rec = head + body + b"\r\n\r\n"
            out.write(gzip.compress(rec, 6) if gz else rec)


if __name__ == "__main__":
    main()
