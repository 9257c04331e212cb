//! End-to-end tests of the core loop (learn → clean → eval) through the binary, on crawls
//! made with the project's own generator.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use dechrome_gen::{generate_pages, write_jsonl, Charset, GenConfig, GenPage};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dechrome"))
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("binary runs");
    assert!(
        out.status.success(),
        "failed: {:?}\nstderr: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn gen_crawl(dir: &Path, cfg: &GenConfig) -> PathBuf {
    let p = dir.join("crawl.jsonl");
    write_jsonl(cfg, std::fs::File::create(&p).unwrap()).unwrap();
    p
}

fn read_jsonl(p: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn small_cfg(seed: u64) -> GenConfig {
    GenConfig {
        sites: 5,
        pages_per_site: 16,
        seed,
        ..GenConfig::default()
    }
}

#[test]
fn seed_shaped_chrome_is_removed_and_article_kept() {
    let dir = tempfile::tempdir().unwrap();
    // The markers below are exact chrome strings: ASCII spelling, so none is respelled.
    let cfg = GenConfig {
        charset: Charset::Ascii,
        ..small_cfg(11)
    };
    let crawl = gen_crawl(dir.path(), &cfg);
    let out = dir.path().join("out.jsonl");
    run_ok(bin().args(["run", "-q", "-o"]).arg(&out).arg(&crawl));

    let mut pages: Vec<GenPage> = Vec::new();
    generate_pages(&cfg, &mut |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    let cleaned = read_jsonl(&out);
    assert_eq!(cleaned.len(), pages.len(), "every record comes out");

    let seed_markers = [
        "Try Our AI Features",
        "Comments",
        "No comments yet...",
        "Related Articles",
    ];
    let mut seed_pages = 0;
    let (mut content, mut content_kept) = (0, 0);
    for (page, rec) in pages.iter().zip(&cleaned) {
        assert_eq!(rec["id"], page.id.as_str());
        let lines: Vec<&str> = page.text.lines().collect();
        if !lines.contains(&"Try Our AI Features") {
            continue;
        }
        seed_pages += 1;
        let kept: std::collections::HashSet<&str> = rec["text"].as_str().unwrap().lines().collect();
        for m in seed_markers {
            assert!(!kept.contains(m), "{m:?} kept on {}", page.id);
        }
        for l in &kept {
            assert!(
                !(l.ends_with("minutes ago") || l.ends_with("hours ago")),
                "relative time {l:?} kept on {}",
                page.id
            );
        }
        for (l, lab) in lines.iter().zip(&page.labels) {
            if *lab == "content" {
                content += 1;
                content_kept += kept.contains(l) as usize;
            }
        }
    }
    assert!(seed_pages >= 5, "the generator makes seed-shaped pages");
    let recall = content_kept as f64 / content as f64;
    assert!(recall >= 0.95, "article lines kept: {recall:.3}");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(dir.path(), &small_cfg(3));
    let mut outs = Vec::new();
    for t in ["1", "2", "3"] {
        let out = dir.path().join(format!("out{t}.jsonl"));
        let model = dir.path().join(format!("m{t}.model"));
        run_ok(
            bin()
                .args(["run", "-q", "--keep-removed", "--threads", t, "-o"])
                .arg(&out)
                .arg("--save-model")
                .arg(&model)
                .arg(&crawl),
        );
        // Without --save-model, `run` cleans against the counts in memory.
        let mem = dir.path().join(format!("mem{t}.jsonl"));
        run_ok(
            bin()
                .args(["run", "-q", "--keep-removed", "--threads", t, "-o"])
                .arg(&mem)
                .arg(&crawl),
        );
        let out = std::fs::read(&out).unwrap();
        assert!(out == std::fs::read(&mem).unwrap(), "threads {t}");
        outs.push((out, std::fs::read(&model).unwrap()));
    }
    assert!(outs[0] == outs[1] && outs[1] == outs[2]);
}

#[test]
fn learn_then_clean_equals_run() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(dir.path(), &small_cfg(5));
    let model = dir.path().join("m.model");
    run_ok(bin().args(["learn", "-q", "-o"]).arg(&model).arg(&crawl));
    let a = dir.path().join("a.jsonl");
    run_ok(
        bin()
            .args(["clean", "-q", "--model"])
            .arg(&model)
            .arg("-o")
            .arg(&a)
            .arg(&crawl),
    );
    let b = dir.path().join("b.jsonl");
    run_ok(bin().args(["run", "-q", "-o"]).arg(&b).arg(&crawl));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

/// `run` cleans against its counts held in memory unless the model is to be kept or the
/// counts spilled to disk; all three must clean alike.
#[test]
fn run_cleans_alike_with_the_model_in_memory_saved_or_spilled() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(
        dir.path(),
        &GenConfig {
            sites: 20,
            pages_per_site: 40,
            seed: 3,
            ..GenConfig::default()
        },
    );
    let out = |name: &str, extra: &[&str]| -> Vec<u8> {
        let p = dir.path().join(name);
        run_ok(
            bin()
                .args(["run", "-q", "--keep-removed", "-o"])
                .arg(&p)
                .args(extra)
                .arg(&crawl),
        );
        std::fs::read(&p).unwrap()
    };
    let memory = out("memory.jsonl", &[]);
    let model = dir.path().join("kept.model");
    let saved = out("saved.jsonl", &["--save-model", model.to_str().unwrap()]);
    // 1 MiB holds about 20,000 counts per worker; this crawl has more, so they spill.
    let spilled = out("spilled.jsonl", &["--memory", "1M", "-j", "2"]);
    // 13 MB: workers take a dozen chunks in turn; one thread reads them in order.
    let one_thread = out("one.jsonl", &["-j", "1"]);
    assert!(memory == saved, "in memory vs saved model");
    assert!(memory == spilled, "in memory vs spilled counts");
    assert!(memory == one_thread, "two workers vs one thread");
}

#[test]
fn every_input_kind_gives_the_same_cleaning() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(dir.path(), &small_cfg(9));
    let raw = std::fs::read(&crawl).unwrap();
    let gz = dir.path().join("crawl.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&raw).unwrap();
    enc.finish().unwrap();
    let zst = dir.path().join("crawl.jsonl.zst");
    std::fs::write(&zst, zstd::encode_all(&raw[..], 3).unwrap()).unwrap();

    let texts = |p: &Path| -> Vec<String> {
        read_jsonl(p)
            .iter()
            .map(|r| r["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let base = dir.path().join("plain.jsonl");
    run_ok(bin().args(["run", "-q", "-o"]).arg(&base).arg(&crawl));
    let want = texts(&base);
    for (name, input) in [("gz", &gz), ("zst", &zst)] {
        let out = dir.path().join(format!("{name}.jsonl"));
        run_ok(bin().args(["run", "-q", "-o"]).arg(&out).arg(input));
        assert_eq!(texts(&out), want, "{name}");
    }
    // stdin in, stdout out.
    let mut child = bin()
        .args(["run", "-q", "-o", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&raw).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let got: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(got, want, "stdin");
}

#[test]
fn text_directory_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    generate_pages(&small_cfg(13), &mut |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    let input = dir.path().join("in");
    for (i, p) in pages.iter().enumerate() {
        let d = input.join(&p.site);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("page{i:03}.txt")), &p.text).unwrap();
    }
    let out = dir.path().join("out");
    let o = run_ok(bin().args(["run", "--stats", "-o"]).arg(&out).arg(&input));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("pages {}", pages.len())), "{err}");
    // Mirror layout, and the site came from the directory: chrome is gone.
    let first = &pages[0];
    let cleaned = std::fs::read_to_string(out.join(&first.site).join("page000.txt")).unwrap();
    assert!(cleaned.len() < first.text.len());
    assert!(cleaned.contains(first.gold.lines().nth(1).unwrap()));
}

#[test]
fn eval_and_gold_flag_print_scores() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(dir.path(), &small_cfg(21));
    let out = dir.path().join("out.jsonl");
    let o = run_ok(
        bin()
            .args(["run", "-o"])
            .arg(&out)
            .arg("--gold")
            .arg(&crawl)
            .arg(&crawl),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("F1 0.9"), "{err}");
    let o = run_ok(bin().arg("eval").arg(&out).arg(&crawl).arg("--json"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["F1"].as_f64().unwrap() > 0.9, "{v}");
}

fn run_err(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_records_are_counted_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.jsonl");
    std::fs::write(
        &p,
        b"{\"id\":\"a\",\"site\":\"s\",\"text\":\"Menu\\nA line of body text that says enough to stay.\"}\n\
          {\"id\":\"b\",\"site\":\"s\",\"text\":\n\
          {\"id\":\"c\",\"site\":\"s\"}\n\
          {\"id\":\"d\",\"site\":\"s\",\"text\":\"Menu\\ncaf\xe9 and other words, told at length here.\"}\n",
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    let (code, err) = run_err(bin().args(["run", "-o"]).arg(&out).arg(&p));
    assert_eq!(code, 3, "exit status says records were skipped: {err}");
    assert!(
        err.contains("bad.jsonl: record 2") && err.contains("invalid JSON"),
        "{err}"
    );
    assert!(
        err.contains("record 3") && err.contains("no text field"),
        "{err}"
    );
    assert!(
        err.contains("2 bad record(s) skipped, 1 decoded lossily"),
        "{err}"
    );
    assert_eq!(read_jsonl(&out).len(), 2);

    // --on-error fail stops, and leaves no output behind.
    let out2 = dir.path().join("out2.jsonl");
    let (code, err) = run_err(
        bin()
            .args(["run", "--on-error", "fail", "-o"])
            .arg(&out2)
            .arg(&p),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("record 2"), "{err}");
    assert!(!out2.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file left"
    );

    // --strict refuses the invalid UTF-8 record.
    let out3 = dir.path().join("out3.jsonl");
    let (code, err) = run_err(bin().args(["run", "--strict", "-o"]).arg(&out3).arg(&p));
    assert_eq!(code, 3);
    assert!(err.contains("record 4") && err.contains("UTF-8"), "{err}");
}

#[test]
fn empty_input_and_bad_models_are_refused_with_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let (code, err) = run_err(
        bin()
            .args(["learn", "-o"])
            .arg(dir.path().join("m"))
            .arg(&empty),
    );
    assert_eq!(code, 1);
    assert!(err.contains("empty.jsonl: the file is empty"), "{err}");

    let crawl = gen_crawl(dir.path(), &small_cfg(1));
    let model = dir.path().join("m.model");
    run_ok(bin().args(["learn", "-q", "-o"]).arg(&model).arg(&crawl));
    let mut bytes = std::fs::read(&model).unwrap();
    bytes[8] = 77; // format version
    let old = dir.path().join("old.model");
    std::fs::write(&old, &bytes).unwrap();
    let (code, err) = run_err(bin().args(["clean", "--model"]).arg(&old).arg(&crawl));
    assert_eq!(code, 1);
    assert!(
        err.contains("version 77") && err.contains("dechrome learn"),
        "{err}"
    );
    let mut bytes = std::fs::read(&model).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x55;
    std::fs::write(&old, &bytes).unwrap();
    let (code, err) = run_err(bin().args(["clean", "--model"]).arg(&old).arg(&crawl));
    assert_eq!(code, 1);
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(dir.path(), &small_cfg(2));
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "keep me").unwrap();
    let (code, err) = run_err(bin().args(["run", "-o"]).arg(&out).arg(&crawl));
    assert_eq!(code, 1);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    run_ok(
        bin()
            .args(["run", "-q", "--force", "-o"])
            .arg(&out)
            .arg(&crawl),
    );
}

#[test]
fn bundled_sample_model_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("sample.model");
    run_ok(
        bin()
            .args(["learn", "-q", "-o"])
            .arg(&fresh)
            .arg(root.join("data/sample.jsonl")),
    );
    assert!(
        std::fs::read(&fresh).unwrap() == std::fs::read(root.join("models/sample.model")).unwrap(),
        "models/sample.model is stale: rerun `dechrome learn data/sample.jsonl -o models/sample.model --force`"
    );
}

#[test]
fn readme_quickstart_scores_well_on_the_bundled_crawl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample.clean.jsonl");
    let sample = root.join("data/sample.jsonl");
    let o = run_ok(
        bin()
            .arg("run")
            .arg(&sample)
            .arg("-o")
            .arg(&out)
            .arg("--gold")
            .arg(&sample)
            .arg("--stats"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let f1: f64 = err
        .split("F1 ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no score in {err}"));
    assert!(f1 >= 0.95, "{err}");
    assert!(err.contains("site-template"), "{err}");
}

/// `clean -o /dev/null` was taken as a directory output and failed with "Not a directory".
#[test]
fn regression_output_to_dev_null_is_not_a_directory() {
    if !Path::new("/dev/null").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let crawl = gen_crawl(dir.path(), &small_cfg(4));
    run_ok(bin().args(["run", "-q", "-o", "/dev/null"]).arg(&crawl));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(
        !meta.is_file() && !meta.is_dir(),
        "/dev/null is still a device"
    );
}
