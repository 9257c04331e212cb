//! Helpers for the input/output integration tests: run the binary, build WARC/WET fixtures.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn dechrome(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// One WARC record with the given headers (Content-Length added) and block.
pub fn warc_record(headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut v = b"WARC/1.0\r\n".to_vec();
    for (k, val) in headers {
        v.extend_from_slice(format!("{k}: {val}\r\n").as_bytes());
    }
    v.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    v.extend_from_slice(block);
    v.extend_from_slice(b"\r\n\r\n");
    v
}

pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Pages (id, url, text) of a synthetic crawl from `dechrome generate`.
pub fn generated_pages(dir: &Path, sites: u32, per_site: u32) -> Vec<(String, String, String)> {
    let jl = dir.join("gen.jsonl");
    let o = dechrome(&[
        "generate",
        "--sites",
        &sites.to_string(),
        "--pages-per-site",
        &per_site.to_string(),
        "--seed",
        "7",
        "-o",
        p(&jl),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(&jl)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["url"].as_str().unwrap().to_owned(),
                v["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A WET file of the pages, a warcinfo record first; gzip with one member per record when
/// `gzip`.
pub fn write_wet(path: &Path, pages: &[(String, String, String)], gzip: bool) -> PathBuf {
    let mut out = Vec::new();
    let mut push = |rec: Vec<u8>| {
        if gzip {
            out.extend(gz(&rec));
        } else {
            out.extend(rec);
        }
    };
    push(warc_record(
        &[
            ("WARC-Type", "warcinfo"),
            ("WARC-Date", "2024-01-01T00:00:00Z"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-4000-8000-000000000000>",
            ),
            ("Content-Type", "application/warc-fields"),
        ],
        b"software: test\r\n",
    ));
    for (i, (id, url, text)) in pages.iter().enumerate() {
        let rid = format!("<urn:uuid:00000000-0000-4000-8000-{i:012}>");
        push(warc_record(
            &[
                ("WARC-Type", "conversion"),
                ("WARC-Target-URI", url),
                ("WARC-Date", "2024-01-01T00:00:00Z"),
                ("WARC-Record-ID", &rid),
                ("X-Dechrome-Id", id),
                ("Content-Type", "text/plain"),
            ],
            text.as_bytes(),
        ));
    }
    std::fs::write(path, out).unwrap();
    path.to_path_buf()
}

/// Every record of a WARC file, read by dechrome's own reader (JSONL through `clean`-free
/// path: the library reader).
pub fn read_records(path: &Path) -> Vec<dechrome::input::Record> {
    dechrome::input::Reader::new(Default::default(), &[path.to_path_buf()])
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// The `id` of each record of a JSONL text, in order.
pub fn ids_of(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Per page id: the kept text, and each removed block's text with its reason.
pub type Cleaned = HashMap<String, (String, Vec<(String, String)>)>;

/// Runs `run --keep-removed --html-field page` on HTML pages (id, url, html) and returns what
/// each kept and removed.
pub fn clean_html(pages: &[(String, String, String)]) -> Cleaned {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines: String = (pages.iter())
        .map(|(id, url, html)| {
            let v = serde_json::json!({"id": id, "url": url, "page": html});
            format!("{v}\n")
        })
        .collect();
    std::fs::write(&input, lines).unwrap();
    let out = dir.path().join("out.jsonl");
    let o = dechrome(&[
        "run",
        "-q",
        "--force",
        "--keep-removed",
        "--html-field",
        "page",
        "-o",
        p(&out),
        p(&input),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    (std::fs::read_to_string(&out).unwrap().lines())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let removed = (v["removed"].as_array().unwrap().iter())
                .map(|r| {
                    let text = r["text"].as_str().unwrap().to_owned();
                    (text, r["reason"].as_str().unwrap().to_owned())
                })
                .collect();
            let id = v["id"].as_str().unwrap().to_owned();
            (id, (v["page"].as_str().unwrap().to_owned(), removed))
        })
        .collect()
}
