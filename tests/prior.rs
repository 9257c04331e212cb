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

/// A generated crawl of 8 sites: a prior built from 7 of them (blocks on at least 3), written
/// in `dir`, and the first page of the eighth, which the prior never saw.
fn prior_and_unseen_page(dir: &Path) -> (std::path::PathBuf, GenPage) {
    let cfg = GenConfig {
        pages_per_site: 6,
        ..GenConfig::default()
    };
    let mut pages: Vec<GenPage> = Vec::new();
    generate_pages(&cfg, &mut |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    let unseen = pages[0].clone();
    let corpus = dir.join("corpus.jsonl");
    let lines: String = (pages.iter().filter(|p| p.site != unseen.site))
        .map(|p| {
            format!(
                "{}\n",
                serde_json::json!({"id": p.id, "site": p.site, "text": p.text})
            )
        })
        .collect();
    std::fs::write(&corpus, lines).unwrap();
    let model = dir.join("corpus.model");
    assert!(dechrome(&["learn", "-q", "-o"], &[&model, &corpus])
        .status
        .success());
    let prior = dir.join("generic.prior");
    let o = dechrome(&["prior", "--min-sites", "3", "-o"], &[&prior, &model]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (prior, unseen)
}

#[test]
fn prior_marks_generic_chrome_on_a_one_page_site() {
    let dir = tempfile::tempdir().unwrap();
    let (prior, page) = prior_and_unseen_page(dir.path());
    let page = &page;
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
    // Lines the prior decides (cross-site with it, another reason without): the cookie lines
    // and the section names the generator's sites share, never an article line the crawl
    // alone keeps.
    let by_prior: Vec<usize> = gone_with
        .iter()
        .filter(|(l, r)| r == "cross-site" && !gone_without.iter().any(|(m, q)| m == l && q == r))
        .map(|(l, _)| *l)
        .collect();
    assert!(
        by_prior
            .iter()
            .filter(|&&l| page.labels[l] == LABEL_CROSSSITE)
            .count()
            >= 2,
        "the prior names generic chrome: {by_prior:?}"
    );
    let kept_content = |gone: &[(usize, String)]| {
        (0..page.labels.len())
            .filter(|l| page.labels[*l] == LABEL_CONTENT && !gone.iter().any(|(m, _)| m == l))
            .count()
    };
    assert_eq!(kept_content(&gone_with), kept_content(&gone_without));
    assert!(count(&gone_with, LABEL_CROSSSITE) >= count(&gone_without, LABEL_CROSSSITE));

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
    let (prior, _) = prior_and_unseen_page(dir.path());
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
