//! Real crawl inputs end to end: WET (gzip per record) in, WET out; WARC of HTML pages;
//! JSONL to WET; several input files in parallel, in order.

mod io_support;

use std::path::Path;
use std::process::Command;

use io_support::*;

fn warcio_available() -> Option<String> {
    let py = std::env::var("DECHROME_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&py)
        .args(["-c", "import warcio"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(py)
}

#[test]
fn wet_gzip_per_record_in_gives_valid_wet_out() {
    let dir = tempfile::tempdir().unwrap();
    let pages = generated_pages(dir.path(), 5, 12);
    let input = write_wet(&dir.path().join("in.wet.gz"), &pages, true);
    let out = dir.path().join("out.wet.gz");
    let o = dechrome(&["run", p(&input), "-o", p(&out), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // One gzip member per record: the first member holds exactly one record.
    let bytes = std::fs::read(&out).unwrap();
    let mut first = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut first)
        .unwrap();
    assert_eq!(first.matches("WARC/1.0\r\n").count(), 1);
    // Every page comes back, in order, as a conversion record with its headers, chrome gone.
    let recs = read_records(&out);
    assert_eq!(recs.len(), pages.len());
    let (mut before, mut after) = (0, 0);
    for (r, (id, url, text)) in recs.iter().zip(&pages) {
        let dechrome::input::Payload::Warc { headers } = &r.payload else {
            panic!("WET record")
        };
        let h = |k: &str| {
            headers
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(h("WARC-Type"), Some("conversion"));
        assert_eq!(h("X-Dechrome-Id"), Some(id.as_str()));
        assert_eq!(r.url.as_deref(), Some(url.as_str()));
        assert_eq!(h("Content-Length"), Some(r.text.len().to_string().as_str()));
        before += text.len();
        after += r.text.len();
    }
    assert!(
        after * 10 < before * 8,
        "chrome removed: {after} of {before} bytes kept"
    );
    if let Some(py) = warcio_available() {
        let o = Command::new(py)
            .args([
                concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/check_warc.py"),
                p(&out),
                &pages.len().to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "warcio: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    } else {
        eprintln!("warcio not installed; skipped reading the output with warcio");
    }
}

#[test]
fn summary_counts_passed_over_records() {
    let dir = tempfile::tempdir().unwrap();
    let pages = generated_pages(dir.path(), 2, 5);
    let input = write_wet(&dir.path().join("in.wet"), &pages, false);
    let o = dechrome(&["run", p(&input), "-o", p(&dir.path().join("o.jsonl"))]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("passed over 1 non-page record(s) (1 warcinfo"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn many_files_in_parallel_keep_input_order_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let pages = generated_pages(dir.path(), 4, 10);
    let mut inputs = Vec::new();
    for (i, chunk) in pages.chunks(7).enumerate() {
        let f = dir.path().join(format!(
            "part{i}.wet{}",
            if i % 2 == 0 { ".gz" } else { "" }
        ));
        inputs.push(write_wet(&f, chunk, i % 2 == 0));
    }
    let mut outs = Vec::new();
    for j in ["1", "4"] {
        let out = dir.path().join(format!("out{j}.jsonl"));
        let mut args = vec!["run", "-q", "-j", j, "-o", p(&out)];
        args.extend(inputs.iter().map(|i| p(i)));
        let o = dechrome(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(outs[0], outs[1], "same bytes whatever the thread count");
    let ids = ids_of(&String::from_utf8(outs[0].clone()).unwrap());
    let want: Vec<String> = (0..pages.len())
        .map(|i| format!("urn:uuid:00000000-0000-4000-8000-{:012}", i % 7))
        .collect();
    assert_eq!(ids, want);
}

#[test]
fn jsonl_to_wet_keeps_ids_and_zstd_wet_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let pages = generated_pages(dir.path(), 3, 6);
    let out = dir.path().join("out.wet.zst");
    let o = dechrome(&["run", "-q", p(&dir.path().join("gen.jsonl")), "-o", p(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = dir.path().join("back.jsonl");
    let o = dechrome(&[
        "run",
        "-q",
        "--id-field",
        "X-Dechrome-Id",
        p(&out),
        "-o",
        p(&back),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ids = ids_of(&std::fs::read_to_string(&back).unwrap());
    let want: Vec<String> = pages.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(ids, want);
}

/// Builds a WARC of `response` records from each dev set's raw HTML (ids in `X-Dechrome-Id`,
/// URLs from pages.jsonl), cleans it end to end and scores it against the gold text. The
/// levels sit a little under what was measured (big9 0.976, dragnet-dev 0.943, cleaneval-dev
/// 0.932 on 2026-12-04), so a regression of the DOM evidence or the header breaks them.
#[test]
fn dev_sets_html_warc_clean_end_to_end() {
    for (set, pages, level) in [
        ("big9", 359, 0.97),
        ("dragnet-dev", 396, 0.935),
        ("cleaneval-dev", 57, 0.92),
    ] {
        let dev = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data")
            .join(set);
        if !dev.join("html").is_dir() {
            eprintln!("../shared/data/{set} absent; skipped");
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let warc = dir.path().join("dev.warc.gz");
        let n = write_devset_warc(&dev, &warc);
        assert_eq!(n, pages);
        let out = dir.path().join("out.jsonl");
        let o = dechrome(&[
            "run",
            "-q",
            "--id-field",
            "X-Dechrome-Id",
            p(&warc),
            "-o",
            p(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = dechrome(&["eval", p(&out), p(&dev.join("gold.jsonl")), "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        eprintln!("{set} from HTML WARC: {v}");
        let f1 = v["F1"].as_f64().unwrap();
        assert!(f1 >= level, "{set}: F1 {f1} < {level}");
    }
}

/// Writes a dev set's `html/` as a WARC, as `scripts/html_warc.py` does: a page without a URL
/// is named `http://SITE/ID` by its site. Returns the number of records.
pub fn write_devset_warc(dev: &Path, warc: &Path) -> usize {
    let pages = std::fs::read_to_string(dev.join("pages.jsonl")).unwrap();
    let mut out = Vec::new();
    let mut n = 0;
    for (i, line) in pages.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap();
        let safe: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let html = std::fs::read(dev.join("html").join(format!("{safe}.html"))).unwrap();
        let url = match v["url"].as_str() {
            Some(u) => u.to_string(),
            None => format!("http://{}/{safe}", v["site"].as_str().unwrap()),
        };
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".to_vec();
        block.extend(html);
        let rid = format!("<urn:uuid:00000000-0000-4000-8000-{i:012}>");
        out.extend(gz(&warc_record(
            &[
                ("WARC-Type", "response"),
                ("WARC-Target-URI", &url),
                ("WARC-Date", "2017-01-01T00:00:00Z"),
                ("WARC-Record-ID", &rid),
                ("X-Dechrome-Id", id),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            &block,
        )));
        n += 1;
    }
    std::fs::write(warc, out).unwrap();
    n
}

/// The same HTML pages as a WARC, as JSONL with `--html-field` and as a directory of `.html`
/// files clean to the same text, with the DOM evidence (explain shows it).
#[test]
fn html_in_warc_jsonl_field_and_directory_clean_alike() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("pages/example.org");
    std::fs::create_dir_all(&site).unwrap();
    let (mut warc, mut jsonl) = (Vec::new(), String::new());
    let words = ["apples", "boats", "clocks", "drums", "eagles", "forests"];
    for (i, w) in words.iter().enumerate() {
        let html = format!(
            "<html><body><nav class=menu><ul><li><a href=/>Home</a><li><a href=/n>News {i}</a></ul></nav>\
             <article><div class=body><p>Story of {w} tells of the river, the town and \
             the people who live there, in words.</p><p>A second paragraph on {w}, \
             also long enough to read like prose.</p></div></article></body></html>"
        );
        let url = format!("http://example.org/{i}");
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".to_vec();
        block.extend(html.as_bytes());
        let rid = format!("<urn:uuid:00000000-0000-4000-8000-{i:012}>");
        let id = format!("{i}.html");
        warc.extend(gz(&warc_record(
            &[
                ("WARC-Type", "response"),
                ("WARC-Target-URI", &url),
                ("WARC-Record-ID", &rid),
                ("X-Id", &id),
            ],
            &block,
        )));
        let v = serde_json::json!({"id": id, "url": url, "page": html});
        jsonl.push_str(&format!("{v}\n"));
        std::fs::write(site.join(&id), &html).unwrap();
    }
    let w = dir.path().join("in.warc.gz");
    std::fs::write(&w, warc).unwrap();
    let j = dir.path().join("in.jsonl");
    std::fs::write(&j, jsonl).unwrap();
    let texts = |args: &[&str], field: &str| -> Vec<String> {
        let out = dir.path().join("out.jsonl");
        let mut a = vec!["run", "-q", "--force", "-o", p(&out)];
        a.extend(args);
        let o = dechrome(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        let s = std::fs::read_to_string(&out).unwrap();
        let mut v: Vec<(String, String)> = s
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let id = v["id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned();
                (id, v[field].as_str().unwrap().to_owned())
            })
            .collect();
        v.sort();
        v.into_iter().map(|x| x.1).collect()
    };
    let from_warc = texts(&["--id-field", "X-Id", p(&w)], "text");
    let from_jsonl = texts(&["--html-field", "page", p(&j)], "page");
    let from_dir = texts(&[p(&dir.path().join("pages"))], "text");
    assert_eq!(from_warc, from_jsonl);
    assert_eq!(from_warc, from_dir);
    assert!(from_warc[0].starts_with("Story of apples"), "{from_warc:?}");
    assert!(!from_warc[0].contains("Home"), "{from_warc:?}");
}

/// `run`'s first pass keeps WARC pages' HTML conversions (text view, DOM side array) for
/// the second, within a fifth of `--memory`; pages past that budget are converted again. The
/// output must not depend on which: all kept (default budget), some kept (1 MB), none kept
/// (`learn` then `clean`), one thread or two. Lossy, non-HTML and failed records are mixed in.
#[test]
fn run_output_is_the_same_whether_html_conversions_are_kept_or_redone() {
    let dir = tempfile::tempdir().unwrap();
    let mut warc = Vec::new();
    let topics = [
        "apples", "boats", "clocks", "drums", "eagles", "forests", "gates",
    ];
    for i in 0..400usize {
        let (site, w) = (i % 5, topics[i % topics.len()]);
        let mut html = format!(
            "<html><head><title>T</title><script>var a = '<p>no</p>';</script></head><body>\
             <nav class=menu-{site}><ul><li><a href=/>Home</a><li><a href=/n>News {i}</a></ul>\
             </nav><article><div class=post-{i}><h1>On {w} number {i}</h1><p>Story {i} of {w} \
             tells of the river, the town and the people who live there, in words.</p>"
        )
        .into_bytes();
        for k in 0..(i % 7) {
            html.extend(format!("<p>Paragraph {k} on {w} &amp; more, page {i}.</p>").bytes());
        }
        if i % 9 == 0 {
            html.extend(b"<p>caf\xe9 \x93quoted\x94</p>"); // windows-1252, decoded lossily
        }
        html.extend(b"</div></article><footer>(c) site</footer></body></html>");
        let status = match i % 50 {
            7 => "404 Not Found",
            _ => "200 OK",
        };
        let ctype = if i % 41 == 3 {
            "image/png"
        } else {
            "text/html"
        };
        let mut block = format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n\r\n").into_bytes();
        block.extend(&html);
        let (url, rid) = (
            format!("http://site{site}.example/{i}"),
            format!("<urn:uuid:00000000-0000-4000-8000-{i:012}>"),
        );
        warc.extend(gz(&warc_record(
            &[
                ("WARC-Type", "response"),
                ("WARC-Target-URI", &url),
                ("WARC-Record-ID", &rid),
            ],
            &block,
        )));
    }
    let w = dir.path().join("in.warc.gz");
    std::fs::write(&w, warc).unwrap();
    let out = |name: &str, args: &[&str]| -> Vec<u8> {
        let o = dir.path().join(name);
        let mut a = vec!["run", "-q", "--force", p(&w), "-o", p(&o)];
        a.extend(args);
        let r = dechrome(&a);
        assert!(r.status.success(), "{}", stderr(&r));
        std::fs::read(&o).unwrap()
    };
    let all_kept = out("kept.jsonl", &["-j", "1"]);
    assert!(all_kept.len() > 10_000, "{}", all_kept.len());
    assert!(all_kept == out("kept2.jsonl", &["-j", "2"]), "two threads");
    let some = out("some.jsonl", &["-j", "1", "--memory", "1M"]);
    assert!(all_kept == some, "some pages converted again");
    let some2 = out("some2.jsonl", &["-j", "2", "--memory", "1M"]);
    assert!(all_kept == some2, "some pages converted again, two threads");
    // learn then clean: every page converted twice, nothing kept.
    let model = dir.path().join("m.model");
    let r = dechrome(&["learn", "-q", "--force", p(&w), "-o", p(&model)]);
    assert!(r.status.success(), "{}", stderr(&r));
    let cleaned = dir.path().join("clean.jsonl");
    let r = dechrome(&[
        "clean",
        "-q",
        "--force",
        "--model",
        p(&model),
        p(&w),
        "-o",
        p(&cleaned),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(all_kept == std::fs::read(&cleaned).unwrap(), "none kept");
}
