//! The "show your work" views, run through the binary: explain, inspect, report, --stats-json.
//! Each runs on a generated crawl and, when present, on ../shared/data/big9/pages.jsonl, and
//! checks what the view says against what `clean` did.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dechrome"))
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run(args: &[&str]) -> Output {
    ok(bin().args(args).output().unwrap())
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(run(args).stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Corpus {
    _dir: Option<tempfile::TempDir>,
    work: tempfile::TempDir,
    input: PathBuf,
    model: PathBuf,
}

fn generated() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("crawl.jsonl");
    run(&[
        "generate",
        "--sites",
        "4",
        "--pages-per-site",
        "12",
        "--seed",
        "11",
        "-o",
        s(&input),
    ]);
    learned(Some(dir), input)
}

fn big9() -> Option<Corpus> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/big9/pages.jsonl");
    if !p.exists() {
        eprintln!("skipping: {} is absent", p.display());
        return None;
    }
    Some(learned(None, p))
}

fn learned(dir: Option<tempfile::TempDir>, input: PathBuf) -> Corpus {
    let work = tempfile::tempdir().unwrap();
    let model = work.path().join("m.model");
    run(&["learn", "-q", s(&input), "-o", s(&model)]);
    Corpus {
        _dir: dir,
        work,
        input,
        model,
    }
}

fn records(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Cleans the crawl with `clean`, returning the cleaned records and the --stats-json object.
fn cleaned(c: &Corpus) -> (Vec<Value>, Value) {
    let out = c.work.path().join("clean.jsonl");
    let stats = c.work.path().join("clean-stats.json");
    run(&[
        "clean",
        "-q",
        s(&c.input),
        "-m",
        s(&c.model),
        "-o",
        s(&out),
        "--force",
        "--stats-json",
        s(&stats),
    ]);
    let st: Value = serde_json::from_slice(&std::fs::read(&stats).unwrap()).unwrap();
    (records(&out), st)
}

fn check_explain(c: &Corpus) {
    let input = records(&c.input);
    let (clean, _) = cleaned(c);
    // Three pages: the first, one in the middle, the last.
    for k in [0, input.len() / 2, input.len() - 1] {
        let rec = &input[k];
        let id = rec["id"].as_str().unwrap();
        let text = rec["text"].as_str().unwrap();
        let j: Value = serde_json::from_str(&stdout(&[
            "explain",
            "-q",
            s(&c.input),
            "-m",
            s(&c.model),
            "--id",
            id,
            "--json",
        ]))
        .unwrap();
        assert_eq!(j["id"], id);
        let lines = j["lines"].as_array().unwrap();
        let nonblank: Vec<(usize, &str)> = text
            .split('\n')
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), nonblank.len(), "one row per non-blank line");
        let mut kept = Vec::new();
        for (l, (n, t)) in lines.iter().zip(&nonblank) {
            assert_eq!(l["line"].as_u64().unwrap() as usize, n + 1);
            assert_eq!(
                l["text"].as_str().unwrap(),
                t.strip_suffix('\r').unwrap_or(t)
            );
            let reason = l["reason"].as_str().unwrap();
            let keep = l["keep"].as_bool().unwrap();
            assert_eq!(keep, reason.starts_with("kept:"), "{reason}");
            if reason == "site-template" {
                // The figure behind it: on at least a tenth of the site's pages, and ≥ 3.
                let with = l["site_pages_with"].as_f64().unwrap();
                let pages = l["site_pages"].as_f64().unwrap();
                assert!(with >= 3.0 && with >= 0.1 * pages - 1e-9, "{l}");
            }
            if keep {
                kept.push(l["text"].as_str().unwrap());
            }
        }
        // What explain says is kept is exactly what clean wrote.
        let out = clean.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(kept.join("\n"), out["text"].as_str().unwrap(), "page {id}");
        assert_eq!(
            j["bytes_out"].as_u64().unwrap() as usize,
            kept.join("\n").len()
        );
    }
    // Plain when piped, coloured on request, with the figures.
    let id = input[0]["id"].as_str().unwrap();
    let plain = stdout(&["explain", "-q", s(&c.input), "-m", s(&c.model), "--id", id]);
    assert!(!plain.contains('\x1b'), "no colour when piped");
    assert!(plain.contains(&format!("== {id}")), "{plain}");
    assert!(plain.contains(" - ") && plain.contains(" + "), "{plain}");
    let colour = stdout(&[
        "explain",
        "-q",
        s(&c.input),
        "-m",
        s(&c.model),
        "--id",
        id,
        "--color",
        "always",
    ]);
    assert!(colour.contains("\x1b["));
    // A deterministic sample of three pages of one site.
    let site = input[0]["site"].as_str().unwrap();
    let args = [
        "explain",
        "-q",
        s(&c.input),
        "-m",
        s(&c.model),
        "--site",
        site,
        "--sample",
        "3",
        "--json",
    ];
    let a = stdout(&args);
    assert_eq!(a, stdout(&args), "sampling is deterministic");
    let pages: Vec<Value> = a
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|p| p["site"] == site));
    // An unknown id is an error that says what to check.
    let e = bin()
        .args([
            "explain",
            "-q",
            s(&c.input),
            "-m",
            s(&c.model),
            "--id",
            "no such page",
        ])
        .output()
        .unwrap();
    assert!(!e.status.success());
    assert!(String::from_utf8_lossy(&e.stderr).contains("no page matched"));
}

fn check_inspect(c: &Corpus) {
    let input = records(&c.input);
    let mut pages_per_site = std::collections::BTreeMap::<String, u64>::new();
    for r in &input {
        *pages_per_site
            .entry(r["site"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let j: Value = serde_json::from_str(&stdout(&[
        "inspect",
        s(&c.model),
        "--json",
        "--top",
        "1000",
    ]))
    .unwrap();
    assert_eq!(
        j["model"]["header"]["pages"].as_u64().unwrap(),
        input.len() as u64
    );
    assert_eq!(
        j["model"]["file_bytes"].as_u64().unwrap(),
        std::fs::metadata(&c.model).unwrap().len()
    );
    let listed: std::collections::BTreeMap<String, u64> = j["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["site"].as_str().unwrap().to_string(),
                v["pages"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, pages_per_site);

    // The biggest site's most frequent blocks, with example texts from the crawl.
    let (site, n) = pages_per_site
        .iter()
        .max_by_key(|e| (*e.1, std::cmp::Reverse(e.0.clone())))
        .unwrap();
    let j: Value = serde_json::from_str(&stdout(&[
        "inspect",
        s(&c.model),
        "--site",
        site,
        "--top",
        "5",
        "--json",
        "--examples",
        s(&c.input),
    ]))
    .unwrap();
    assert_eq!(j["pages"].as_u64().unwrap(), *n);
    let blocks = j["blocks"].as_array().unwrap();
    assert!(!blocks.is_empty());
    let counts: Vec<u64> = blocks
        .iter()
        .map(|b| b["pages_with"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first: {counts:?}"
    );
    for b in blocks {
        let ex = b["example"]
            .as_str()
            .expect("an example text for every top block");
        // The example occurs on the site's pages: at most as often as the model says (the
        // model counts every line that normalises alike), and at least once.
        let on = input
            .iter()
            .filter(|r| r["site"] == site.as_str())
            .filter(|r| r["text"].as_str().unwrap().lines().any(|l| l.trim() == ex))
            .count() as u64;
        assert!(
            on >= 1 && on <= b["pages_with"].as_u64().unwrap(),
            "{b} on {on} pages"
        );
    }
    let text = stdout(&[
        "inspect",
        s(&c.model),
        "--site",
        site,
        "--top",
        "5",
        "--examples",
        s(&c.input),
    ]);
    let first = blocks[0]["example"].as_str().unwrap();
    assert!(text.contains(&format!("{first:?}")), "{text}");

    // --grep keeps only matching example texts.
    let word: String = first.split_whitespace().next().unwrap().to_string();
    let g: Value = serde_json::from_str(&stdout(&[
        "inspect",
        s(&c.model),
        "--site",
        site,
        "--json",
        "--examples",
        s(&c.input),
        "--grep",
        &regex::escape(&word),
    ]))
    .unwrap();
    let gb = g["blocks"].as_array().unwrap();
    assert!(!gb.is_empty());
    assert!(gb
        .iter()
        .all(|b| b["example"].as_str().unwrap().contains(&word)));

    // Site search by prefix and by regular expression, against the list.
    let first_site = pages_per_site.keys().next().unwrap();
    let prefix: String = first_site.chars().take(3).collect();
    let want: Vec<&String> = pages_per_site
        .keys()
        .filter(|k| k.starts_with(&prefix))
        .collect();
    let p: Value = serde_json::from_str(&stdout(&[
        "inspect",
        s(&c.model),
        "--sites-prefix",
        &prefix,
        "--json",
    ]))
    .unwrap();
    let got: Vec<&str> = p
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["site"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
    let r: Value = serde_json::from_str(&stdout(&[
        "inspect",
        s(&c.model),
        "--sites-regex",
        &format!("{}.*", regex::escape(&prefix)),
        "--json",
    ]))
    .unwrap();
    assert_eq!(r, p);
}

/// The numbers a report shows, read from its `data-stat` attributes.
fn html_stat(html: &str, key: &str) -> String {
    let re = regex::Regex::new(&format!(r#"data-stat="{key}">([^<]*)<"#)).unwrap();
    re.captures(html).unwrap_or_else(|| panic!("no {key}"))[1].to_string()
}

fn site_row(html: &str, site: &str) -> (u64, u64, u64) {
    let re = regex::Regex::new(&format!(
        r#"<tr data-site="{}"><td>[^<]*</td><td data-stat="pages">(\d+)</td><td data-stat="bytes_in">(\d+)</td>\s*<td data-stat="bytes_out">(\d+)</td>"#,
        regex::escape(site)
    ))
    .unwrap();
    let c = re
        .captures(html)
        .unwrap_or_else(|| panic!("no row for {site}"));
    (
        c[1].parse().unwrap(),
        c[2].parse().unwrap(),
        c[3].parse().unwrap(),
    )
}

/// Checks that the report's numbers are the `--stats-json` numbers of `clean`.
fn check_report_numbers(html: &str, st: &Value) {
    for (reason, v) in st["reasons"].as_object().unwrap() {
        if reason.starts_with("kept:") {
            continue;
        }
        let per_site: u64 = st["sites"]
            .as_object()
            .unwrap()
            .values()
            .map(|s| s["removed_bytes_by_reason"][reason].as_u64().unwrap())
            .sum();
        assert_eq!(per_site, v["bytes"].as_u64().unwrap(), "{reason}");
    }
    for k in [
        "pages",
        "blocks",
        "blocks_removed",
        "bytes_in",
        "bytes_out",
        "bad_records",
    ] {
        assert_eq!(html_stat(html, k), st[k].to_string(), "{k}");
    }
    assert_eq!(
        html_stat(html, "removed_share"),
        format!("{:.1}%", 100.0 * st["removed_share"].as_f64().unwrap())
    );
    for (site, v) in st["sites"].as_object().unwrap() {
        let got = site_row(html, site);
        let want = (
            v["pages"].as_u64().unwrap(),
            v["bytes_in"].as_u64().unwrap(),
            v["bytes_out"].as_u64().unwrap(),
        );
        assert_eq!(got, want, "{site}");
        // Removed line bytes by reason fit in what went (the rest is line breaks).
        let by: u64 = v["removed_bytes_by_reason"]
            .as_object()
            .unwrap()
            .values()
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert!(by <= want.1 - want.2, "{site}");
    }
}

fn check_report(c: &Corpus) -> (PathBuf, Value) {
    let (_, st) = cleaned(c);
    let html_path = c.work.path().join("report.html");
    let rstats = c.work.path().join("report-stats.json");
    run(&[
        "report",
        "-q",
        s(&c.input),
        "-m",
        s(&c.model),
        "-o",
        s(&html_path),
        "--force",
        "--samples",
        "1",
        "--sample-sites",
        "2",
        "--stats-json",
        s(&rstats),
    ]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    check_report_numbers(&html, &st);
    // Self-contained: no scripts, no links, no URLs but the SVG namespace.
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("url("));
    let urls = regex::Regex::new(r##"(?:src|href)="[^"#]"##).unwrap();
    assert!(!urls.is_match(&html), "no external references");
    assert!(html.contains("<svg"));
    // Two sampled sites (most and least removed), one page each, lines struck out by reason.
    assert_eq!(html.matches("data-sample-site=").count(), 2);
    assert_eq!(html.matches("<details").count(), 2);
    assert!(html.contains(r#"class="rm" data-reason="site-template""#));
    let ext: Vec<(&String, f64)> = {
        let mut v: Vec<(&String, f64)> = st["sites"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let i = v["bytes_in"].as_f64().unwrap();
                (
                    k,
                    if i == 0.0 {
                        0.0
                    } else {
                        1.0 - v["bytes_out"].as_f64().unwrap() / i
                    },
                )
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        v
    };
    assert!(
        html.contains(&format!(r#"data-sample-site="{}""#, ext[0].0)),
        "most removed site sampled"
    );
    // The report's own --stats-json agrees with clean's (timing aside).
    let rs: Value = serde_json::from_slice(&std::fs::read(&rstats).unwrap()).unwrap();
    for k in [
        "pages",
        "blocks",
        "bytes_in",
        "bytes_out",
        "reasons",
        "sites",
    ] {
        assert_eq!(rs[k], st[k], "{k}");
    }
    (html_path, st)
}

fn check_run_stats(c: &Corpus) {
    let out = c.work.path().join("run.jsonl");
    let stats = c.work.path().join("run-stats.json");
    let o = run(&[
        "run",
        s(&c.input),
        "-o",
        s(&out),
        "--stats",
        "--stats-json",
        s(&stats),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "pages ",
        "MB/s",
        "site-template",
        "sites with most removed:",
        "sites with least removed:",
    ] {
        assert!(err.contains(want), "--stats table lacks {want:?}: {err}");
    }
    assert!(o.stdout.is_empty(), "stdout carries data only");
    let st: Value = serde_json::from_slice(&std::fs::read(&stats).unwrap()).unwrap();
    let (_, clean_st) = cleaned(c);
    for k in [
        "pages",
        "blocks",
        "blocks_removed",
        "bytes_in",
        "bytes_out",
        "reasons",
        "sites",
    ] {
        assert_eq!(st[k], clean_st[k], "run and learn+clean agree on {k}");
    }
    let removed: u64 = st["reasons"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with("kept:"))
        .map(|(_, v)| v["bytes"].as_u64().unwrap())
        .sum();
    let kept: u64 = st["reasons"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("kept:"))
        .map(|(_, v)| v["bytes"].as_u64().unwrap())
        .sum();
    assert!(removed > 0 && kept > 0);
    assert!(st["mb_per_s"].as_f64().unwrap() > 0.0);
    assert!(!Path::new(&format!("{}.tmp", stats.display())).exists());
}

#[test]
fn explain_generated() {
    check_explain(&generated());
}

#[test]
fn inspect_generated() {
    check_inspect(&generated());
}

#[test]
fn report_generated() {
    check_report(&generated());
}

#[test]
fn run_stats_generated() {
    check_run_stats(&generated());
}

#[test]
fn views_on_big9() {
    let Some(c) = big9() else { return };
    check_explain(&c);
    check_inspect(&c);
    check_report(&c);
    check_run_stats(&c);
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(p.into());
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Loads the report in headless Chromium: it must render without console errors, and the
/// numbers in the rendered DOM must be the `--stats-json` numbers. Skipped without a browser
/// unless DECHROME_REQUIRE_BROWSER is set (scripts/report-browser-test.sh sets it).
#[test]
fn report_in_headless_chromium() {
    let Some(chrome) = chromium() else {
        assert!(
            std::env::var_os("DECHROME_REQUIRE_BROWSER").is_none(),
            "no chromium found; install it (apt-get install chromium) or set CHROMIUM"
        );
        eprintln!("skipping: no chromium");
        return;
    };
    let c = generated();
    let (html, st) = check_report(&c);
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(&chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    for line in log.lines() {
        assert!(
            !(line.contains("CONSOLE") || line.contains("Uncaught") || line.contains("Refused to")),
            "console error: {line}"
        );
    }
    // The DOM the browser built carries the same numbers.
    assert!(dom.contains("<svg"), "SVG parsed into the DOM");
    check_report_numbers(&dom, &st);
}
