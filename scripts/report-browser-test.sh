#!/usr/bin/env bash
# Loads a dechrome HTML report in headless Chromium: installs Chromium if missing (Debian's
# `chromium` package), runs the browser test (rendered DOM numbers == --stats-json, no console
# errors), and with --screenshot also writes docs/report.png from a generated sample crawl.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
export DECHROME_REQUIRE_BROWSER=1
cargo test --release --test views report_in_headless_chromium -- --nocapture

if [[ "${1:-}" == "--screenshot" ]]; then
    cargo build --release -q
    bin=target/release/dechrome
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$bin" generate --sites 5 --pages-per-site 20 --seed 7 -o "$tmp/crawl.jsonl" 2>/dev/null
    "$bin" learn -q "$tmp/crawl.jsonl" -o "$tmp/crawl.model"
    "$bin" report -q "$tmp/crawl.jsonl" -m "$tmp/crawl.model" -o "$tmp/report.html" \
        --samples 1 --sample-sites 2
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=1000,1400 \
        --screenshot="$tmp/report.png" "file://$tmp/report.html" 2>/dev/null
    # Keep the image small: a 64-colour palette when pngquant is around.
    if command -v pngquant >/dev/null 2>&1; then
        pngquant --force --output docs/report.png 64 "$tmp/report.png"
    else
        cp "$tmp/report.png" docs/report.png
    fi
    echo "wrote docs/report.png"
fi
