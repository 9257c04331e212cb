#!/usr/bin/env python3
"""Builds a WARC of a dev set's html/ (one gzip member per `response` record), as
tests/io_inputs.rs does: ids in `X-Dechrome-Id`, URLs from pages.jsonl (`http://SITE/ID` where it
has none), sites from the URL.

usage: html_warc.py DEVSET_DIR OUT.warc.gz
Then: dechrome run --id-field X-Dechrome-Id OUT.warc.gz -o pred.jsonl
      python3 /work/shared/tools/score.py pred.jsonl DEVSET_DIR/gold.jsonl
"""
import gzip, json, re, sys, uuid

def main(dev, out):
    n = 0
    with open(out, "wb") as f:
        for i, line in enumerate(open(f"{dev}/pages.jsonl", encoding="utf-8")):
            v = json.loads(line)
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", v["id"])
            html = open(f"{dev}/html/{safe}.html", "rb").read()
            block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html
            # A page the dev set gives no URL (55 of dragnet-dev's) is named by its site, as
            # a crawl's record would be: "None" would pool unrelated pages into one site.
            url = v.get("url") or f"http://{v['site']}/{safe}"
            hs = [("WARC-Type", "response"), ("WARC-Target-URI", url),
                  ("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=i)}>"),
                  ("X-Dechrome-Id", v["id"]),
                  ("Content-Type", "application/http; msgtype=response"),
                  ("Content-Length", str(len(block)))]
            rec = b"WARC/1.0\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in hs)
            f.write(gzip.compress(rec + b"\r\n" + block + b"\r\n\r\n"))
            n += 1
    print(f"{n} records -> {out}", file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:3])
