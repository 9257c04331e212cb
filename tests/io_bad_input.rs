//! Bad input loses nothing: each case checks the message (file, record, byte offset), the
//! exit code (0 ok, 3 completed with skipped records, 1 failed) and the record counts, and
//! that a failed run leaves no output behind. See docs/bad-input.md.

mod io_support;

use std::io::Write;
use std::path::{Path, PathBuf};

use io_support::*;

const OK: i32 = 0;
const FAILED: i32 = 1;
const SKIPPED: i32 = 3;

fn page(i: usize) -> String {
    format!(
        "{{\"id\":\"p{i}\",\"site\":\"s\",\"text\":\"Home\\nNews\\nStory number {i} tells its own tale\\nFooter\"}}\n"
    )
}

fn pages(n: usize) -> String {
    (0..n).map(page).collect()
}

fn out_lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

/// Runs `dechrome run` on the inputs, writing out.jsonl in `dir`; returns (code, stderr, records out).
/// Each case runs single-threaded (reading on the main thread) and with two workers (reading
/// on threads of their own): both must report and write the same.
fn run(dir: &Path, inputs: &[&Path], extra: &[&str]) -> (i32, String, usize, PathBuf) {
    let out = dir.join("out.jsonl");
    let mut seen: Option<(i32, String, Option<Vec<u8>>)> = None;
    for threads in ["1", "2"] {
        let _ = std::fs::remove_file(&out);
        let mut args = vec!["run", "-j", threads, "-o", p(&out)];
        args.extend_from_slice(extra);
        args.extend(inputs.iter().map(|i| p(i)));
        let o = dechrome(&args);
        let got = (
            o.status.code().unwrap(),
            stderr(&o),
            std::fs::read(&out).ok(),
        );
        if let Some(first) = &seen {
            assert!(first == &got, "-j 1 vs -j 2:\n{}\n{}", first.1, got.1);
        }
        seen = Some(got);
    }
    let (code, err, _) = seen.expect("ran");
    (code, err, out_lines(&out), out)
}

fn no_temp_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp."), "left behind: {name}");
    }
}

/// Bad records in several chunks, which workers take in turn: reported in input order, the
/// same at -j 1 and -j 2 (`run` checks), with every good record written in order.
#[test]
fn bad_records_across_many_chunks_are_reported_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("many.jsonl");
    let filler = "word ".repeat(200);
    let mut text = String::new();
    let bad_at = [5usize, 1800, 3999];
    for i in 0..4000 {
        if bad_at.contains(&i) {
            text.push_str("{\"id\": broken\n");
        } else {
            text.push_str(&format!(
                "{{\"id\":\"p{i}\",\"site\":\"s{}\",\"text\":\"Home\\nStory {i}: {filler}\\nFooter\"}}\n",
                i % 3
            ));
        }
    }
    assert!(text.len() > 4 << 20, "several chunks");
    std::fs::write(&f, &text).unwrap();
    let (code, err, n, out) = run(dir.path(), &[&f], &[]);
    assert_eq!(code, SKIPPED, "{err}");
    assert_eq!(n, 4000 - bad_at.len());
    let lines: Vec<usize> = err
        .lines()
        .filter_map(|l| l.split("record ").nth(1)?.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(
        lines,
        bad_at.iter().map(|i| i + 1).collect::<Vec<_>>(),
        "{err}"
    );
    let ids = ids_of(&std::fs::read_to_string(&out).unwrap());
    let want: Vec<String> = (0..4000)
        .filter(|i| !bad_at.contains(i))
        .map(|i| format!("p{i}"))
        .collect();
    assert_eq!(ids, want);
}

#[test]
fn invalid_json_on_line_n() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.jsonl");
    std::fs::write(&f, format!("{}{{\"id\": oops\n{}", page(0), pages(3))).unwrap();
    let bad_offset = page(0).len();
    let (code, err, n, _) = run(dir.path(), &[&f], &[]);
    assert_eq!(code, SKIPPED, "{err}");
    assert!(
        err.contains(&format!(
            "a.jsonl: record 2 (byte {bad_offset}): invalid JSON"
        )),
        "{err}"
    );
    assert!(err.contains("1 bad record(s) skipped"), "{err}");
    assert_eq!(n, 4);
    let (code, err, n, out) = run(dir.path(), &[&f], &["--on-error", "fail"]);
    assert_eq!(code, FAILED);
    assert!(
        err.contains("record 2") && err.contains("invalid JSON"),
        "{err}"
    );
    assert_eq!(n, 0);
    assert!(!out.exists());
    no_temp_files(dir.path());
}

#[test]
fn record_without_the_text_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.jsonl");
    std::fs::write(
        &f,
        format!("{}{{\"id\":\"x\",\"body\":\"t\"}}\n{}", pages(2), page(5)),
    )
    .unwrap();
    let (code, err, n, _) = run(dir.path(), &[&f], &[]);
    assert_eq!(code, SKIPPED);
    assert!(
        err.contains("record 3")
            && err.contains("no text field \"text\"")
            && err.contains("--text-field"),
        "{err}"
    );
    assert_eq!(n, 3);
}

#[test]
fn invalid_utf8_is_lossy_or_refused_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.jsonl");
    let mut bytes = pages(2).into_bytes();
    bytes.extend_from_slice(b"{\"id\":\"u\",\"site\":\"s\",\"text\":\"Home\\ncaf\xe9 au lait, a story told in a good many words\\nFooter\"}\n");
    std::fs::write(&f, bytes).unwrap();
    let (code, err, n, out) = run(dir.path(), &[&f], &[]);
    assert_eq!(code, OK, "{err}");
    assert!(err.contains("1 decoded lossily"), "{err}");
    assert_eq!(n, 3);
    assert!(std::fs::read_to_string(out)
        .unwrap()
        .contains("caf\u{fffd} au lait"));
    let (code, err, n, _) = run(dir.path(), &[&f], &["--strict"]);
    assert_eq!(code, SKIPPED);
    assert!(
        err.contains("record 3") && err.contains("not valid UTF-8") && err.contains("--strict"),
        "{err}"
    );
    assert_eq!(n, 2);
    let (code, _, n, _) = run(dir.path(), &[&f], &["--strict", "--on-error", "fail"]);
    assert_eq!((code, n), (FAILED, 0));
}

fn truncated(dir: &Path, name: &str, compress: impl Fn(&[u8]) -> Vec<u8>) {
    let body = pages(4000);
    let mut c = compress(body.as_bytes());
    c.truncate(c.len() * 6 / 10);
    let f = dir.join(name);
    std::fs::write(&f, c).unwrap();
    let good = dir.join("good.jsonl");
    std::fs::write(&good, pages(3)).unwrap();
    let (code, err, n, _) = run(dir, &[&f, &good], &[]);
    assert_eq!(code, SKIPPED, "{err}");
    assert!(
        err.contains(name) && err.contains("stream is damaged after byte"),
        "{err}"
    );
    assert!(n > 3 && n < 4003, "records before the damage are kept: {n}");
    let (code, err, n, out) = run(dir, &[&f, &good], &["--on-error", "fail"]);
    assert_eq!(code, FAILED, "{err}");
    assert!(err.contains("stream is damaged"), "{err}");
    assert_eq!(n, 0);
    assert!(!out.exists());
    no_temp_files(dir);
}

#[test]
fn truncated_gzip_stream() {
    let dir = tempfile::tempdir().unwrap();
    truncated(dir.path(), "cut.jsonl.gz", gz);
}

#[test]
fn truncated_zstd_stream() {
    let dir = tempfile::tempdir().unwrap();
    truncated(dir.path(), "cut.jsonl.zst", |b| {
        zstd::encode_all(b, 3).unwrap()
    });
}

#[test]
fn warc_with_wrong_content_length_or_missing_headers() {
    let dir = tempfile::tempdir().unwrap();
    let good = |i: usize| {
        warc_record(
            &[
                ("WARC-Type", "conversion"),
                ("WARC-Target-URI", "http://a.example.org/x"),
                ("WARC-Record-ID", &format!("<urn:x:{i}>")),
            ],
            format!("Home\nStory {i} is here\nFooter").as_bytes(),
        )
    };
    let mut w = good(1);
    // Content-Length 10 bytes too long: swallows the start of the next record.
    let long = String::from_utf8(good(2))
        .unwrap()
        .replace("Content-Length: 27", "Content-Length: 37");
    assert_ne!(long, String::from_utf8(good(2)).unwrap());
    let bad_at = w.len();
    w.extend(long.into_bytes());
    w.extend(good(3));
    // No WARC-Type.
    w.extend(warc_record(&[("WARC-Record-ID", "<urn:x:4>")], b"text"));
    // No Content-Length.
    w.extend(b"WARC/1.0\r\nWARC-Type: conversion\r\n\r\nsome text\r\n\r\n");
    w.extend(good(6));
    let f = dir.path().join("x.wet");
    std::fs::write(&f, w).unwrap();
    let (code, err, n, _) = run(dir.path(), &[&f], &[]);
    assert_eq!(code, SKIPPED, "{err}");
    assert!(
        err.contains(&format!(
            "x.wet: record 2 (byte {bad_at}): Content-Length 37 is wrong"
        )),
        "{err}"
    );
    assert!(
        err.contains("record 4") && err.contains("missing WARC-Type"),
        "{err}"
    );
    assert!(
        err.contains("record 5") && err.contains("missing Content-Length"),
        "{err}"
    );
    assert!(err.contains("3 bad record(s) skipped"), "{err}");
    assert_eq!(n, 3, "records 1, 3 and 6");
}

#[test]
fn single_line_of_100_mb() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.jsonl");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&f).unwrap());
        w.write_all(pages(2).as_bytes()).unwrap();
        w.write_all(b"{\"id\":\"huge\",\"site\":\"s\",\"text\":\"")
            .unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            w.write_all(&chunk).unwrap();
        }
        w.write_all(b"\"}\n").unwrap();
        w.write_all(page(9).as_bytes()).unwrap();
    }
    let (code, err, n, _) = run(dir.path(), &[&f], &[]);
    assert_eq!(code, SKIPPED, "{err}");
    assert!(
        err.contains("record 3")
            && err.contains("over the limit of 67108864 bytes")
            && err.contains("--max-record-mb"),
        "{err}"
    );
    assert_eq!(n, 3);
    // A higher limit reads it.
    let (code, err, n, _) = run(dir.path(), &[&f], &["--max-record-mb", "200"]);
    assert_eq!((code, n), (OK, 4), "{err}");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = dir.path().join("empty.jsonl");
    std::fs::write(&e, "").unwrap();
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, pages(3)).unwrap();
    let (code, err, n, _) = run(dir.path(), &[&e, &good], &[]);
    assert_eq!(code, SKIPPED);
    assert!(err.contains("empty.jsonl: the file is empty"), "{err}");
    assert_eq!(n, 3);
    // Alone, there is nothing to learn from: a failure, no output.
    let (code, err, n, out) = run(dir.path(), &[&e], &[]);
    assert_eq!(code, FAILED);
    assert!(err.contains("no readable pages"), "{err}");
    assert!(n == 0 && !out.exists());
}

#[test]
fn binary_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("garbage.bin");
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&g, &bytes).unwrap();
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, pages(3)).unwrap();
    let (code, err, n, _) = run(dir.path(), &[&g, &good], &[]);
    assert_eq!(code, SKIPPED);
    assert!(
        err.contains("garbage.bin: not JSONL, WARC or text (binary data"),
        "{err}"
    );
    assert_eq!(n, 3);
    let (code, _, n, out) = run(dir.path(), &[&g, &good], &["--on-error", "fail"]);
    assert_eq!((code, n), (FAILED, 0));
    assert!(!out.exists());
    // Garbage behind a gzip header is a damaged stream.
    let mut gzg = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gzg.extend(&bytes[..1000]);
    let gf = dir.path().join("garbage.gz");
    std::fs::write(&gf, gzg).unwrap();
    let (code, err, n, _) = run(dir.path(), &[&gf, &good], &[]);
    assert_eq!(code, SKIPPED, "{err}");
    assert!(err.contains("garbage.gz: stream is damaged"), "{err}");
    assert_eq!(n, 3);
}

#[test]
fn model_from_another_version_or_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, pages(5)).unwrap();
    let model = dir.path().join("m.model");
    let o = dechrome(&["learn", "-q", p(&input), "-o", p(&model)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&model).unwrap();
    let clean = |m: &Path| {
        let out = dir.path().join("c.jsonl");
        let o = dechrome(&["clean", "-q", "-m", p(m), p(&input), "-o", p(&out)]);
        assert!(!out.exists(), "no output from a failed run");
        (o.status.code().unwrap(), stderr(&o))
    };
    let mut v2 = bytes.clone();
    v2[8..12].copy_from_slice(&99u32.to_le_bytes());
    let f = dir.path().join("v99.model");
    std::fs::write(&f, v2).unwrap();
    let (code, err) = clean(&f);
    assert_eq!(code, FAILED);
    assert!(
        err.contains("v99.model: model format version 99") && err.contains("dechrome learn"),
        "{err}"
    );
    // A version-1 model (text features only, before the DOM kinds) is refused the same way.
    let mut v1 = bytes.clone();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    let f = dir.path().join("v1.model");
    std::fs::write(&f, v1).unwrap();
    let (code, err) = clean(&f);
    assert_eq!(code, FAILED);
    assert!(err.contains("model format version 1"), "{err}");
    let f = dir.path().join("cut.model");
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    let (code, err) = clean(&f);
    assert_eq!(code, FAILED);
    assert!(
        err.contains("cut.model") && err.contains("damaged"),
        "{err}"
    );
    let f = dir.path().join("junk.model");
    std::fs::write(&f, b"not a model at all").unwrap();
    let (code, err) = clean(&f);
    assert_eq!(code, FAILED);
    assert!(err.contains("junk.model: not a dechrome model"), "{err}");
}
