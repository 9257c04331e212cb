//! The cross-site prior on crawls from the project's generator: learned from one generated
//! crawl of many sites, it removes generic chrome from a one-page site of another crawl, where
//! the crawl's own model has no cross-site count; `--no-prior` cleans as before; a prior of
//! another format version is refused with a way out.

use std::path::Path;
use std::process::Command;

use dechrome_gen::{generate_pages, GenConfig, GenPage, LABEL_CONTENT, LABEL_CROSSSITE};

fn dechrome(args: &[&str], paths: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(args)
        .args(paths)
        .output()
        .unwrap()
}

/// Lines removed from the one page of `out` (a `--keep-removed` JSONL), with their reasons.
fn removed(out: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(out).unwrap();
    let rec: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    rec["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let line = r["line"].as_u64().unwrap() as usize;
            (line, r["reason"].as_str().unwrap().to_string())
        })
        .collect()
}

/// Builds a prior from a generated crawl of 8 sites (blocks on at least 3 of them).
fn prior_from_generated(dir: &Path) -> std::path::PathBuf {
    let corpus = dir.join("corpus.jsonl");
    let cfg = GenConfig {
        pages_per_site: 6,
        ..GenConfig::default()
    };
    dechrome_gen::write_jsonl(&cfg, std::fs::File::create(&corpus).unwrap()).unwrap();
    let model = dir.join("corpus.model");
    assert!(dechrome(&["learn", "-q", "-o"], &[&model, &corpus])
        .status
        .success());
    let prior = dir.join("generic.prior");
    let o = dechrome(&["prior", "--min-sites", "3", "-o"], &[&prior, &model]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    prior
}

#[test]
fn prior_removes_generic_chrome_from_a_one_page_site() {
    let dir = tempfile::tempdir().unwrap();
    let prior = prior_from_generated(dir.path());
    // Another crawl (another seed: other sites, other articles); its first page alone.
    let mut pages: Vec<GenPage> = Vec::new();
    let cfg = GenConfig {
        seed: 7,
        sites: 1,
        pages_per_site: 1,
        ..GenConfig::default()
    };
    generate_pages(&cfg, &mut |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    let page = &pages[0];
    let crawl = dir.path().join("one.jsonl");
    let rec =
        serde_json::json!({"id": page.id, "site": page.site, "url": page.url, "text": page.text});
    std::fs::write(&crawl, format!("{rec}\n")).unwrap();

    let (without, with) = (
        dir.path().join("without.jsonl"),
        dir.path().join("with.jsonl"),
    );
    let run = |out: &Path, flags: &[&str]| {
        let mut args = vec!["run", "-q", "--keep-removed", "--force"];
        args.extend_from_slice(flags);
        args.push("-o");
        let o = dechrome(&args, &[out, &crawl]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        removed(out)
    };
    let gone_without = run(&without, &["--no-prior"]);
    let gone_with = run(&with, &["--prior", prior.to_str().unwrap()]);
    let count = |gone: &[(usize, String)], label: &str| {
        gone.iter()
            .filter(|(l, _)| page.labels[*l] == label)
            .count()
    };
    let by_prior: Vec<usize> = gone_with
        .iter()
        .filter(|(l, r)| r == "cross-site" && !gone_without.iter().any(|(m, _)| m == l))
        .map(|(l, _)| *l)
        .collect();
    assert!(
        !by_prior.is_empty(),
        "the prior removes lines the crawl alone keeps"
    );
    assert!(
        by_prior.iter().all(|&l| page.labels[l] != LABEL_CONTENT),
        "the prior removes no article line: {by_prior:?}"
    );
    assert!(count(&gone_with, LABEL_CROSSSITE) > count(&gone_without, LABEL_CROSSSITE));
    assert!(count(&gone_with, LABEL_CONTENT) <= count(&gone_without, LABEL_CONTENT));

    // `explain` shows the prior's site count of the lines it decided.
    let m = dir.path().join("one.model");
    assert!(dechrome(&["learn", "-q", "-o"], &[&m, &crawl])
        .status
        .success());
    let o = dechrome(
        &[
            "explain",
            "--json",
            "--prior",
            prior.to_str().unwrap(),
            "--model",
        ],
        &[&m, &crawl],
    );
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"prior_sites\""));
}

#[test]
fn prior_of_another_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let prior = prior_from_generated(dir.path());
    let mut bytes = std::fs::read(&prior).unwrap();
    bytes[8..12].copy_from_slice(&(dechrome::model::PRIOR_FORMAT_VERSION + 1).to_le_bytes());
    std::fs::write(&prior, &bytes).unwrap();
    let crawl = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample.jsonl");
    let out = dir.path().join("out.jsonl");
    let o = dechrome(
        &["run", "-q", "--prior", prior.to_str().unwrap(), "-o"],
        &[&out, &crawl],
    );
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("format version") && e.contains("build_prior") && e.contains("--no-prior"),
        "{e}"
    );
    assert!(!out.exists(), "nothing is written");
}
