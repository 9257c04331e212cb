//! Corpus scale: sharded learning, bounded memory and streaming output give the same bytes as
//! learning everything at once in memory.

use std::path::{Path, PathBuf};

use dechrome::clean::CleanConfig;
use dechrome::generate::{write_jsonl, GenConfig};
use dechrome::job::{self, CleanOutput, JobConfig};
use dechrome::model::{self, ModelParams};
use dechrome::output::OutputKind;

fn corpus(dir: &Path) -> PathBuf {
    let p = dir.join("crawl.jsonl");
    let cfg = GenConfig {
        sites: 40,
        pages_per_site: 12,
        zipf: true,
        seed: 7,
        ..GenConfig::default()
    };
    write_jsonl(&cfg, std::fs::File::create(&p).unwrap()).unwrap();
    p
}

fn learn(inputs: Vec<PathBuf>, out: &Path, partial: bool, threads: usize, memory: usize) {
    let mut cfg = JobConfig::new(inputs);
    cfg.threads = threads;
    cfg.memory = memory;
    job::learn(&cfg, out, partial, ModelParams::default()).unwrap();
}

#[test]
fn eight_merged_shards_equal_one_learn() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = corpus(dir.path());
    let text = std::fs::read_to_string(&crawl).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 200, "corpus too small: {}", lines.len());

    let once = dir.path().join("once.model");
    learn(vec![crawl.clone()], &once, false, 2, model::DEFAULT_MEMORY);

    // Eight shards, pages of a site spread across them (round robin), as a crawl split by
    // file rather than by site would be.
    let mut parts = Vec::new();
    for s in 0..8 {
        let shard = dir.path().join(format!("shard{s}.jsonl"));
        let body: String = lines
            .iter()
            .skip(s)
            .step_by(8)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&shard, body).unwrap();
        let part = dir.path().join(format!("part{s}.model"));
        // One shard learns under a tiny budget, so its counts spill.
        let memory = if s == 3 {
            1 << 20
        } else {
            model::DEFAULT_MEMORY
        };
        learn(vec![shard], &part, true, 1 + s % 2, memory);
        parts.push(part);
    }
    let merged = dir.path().join("merged.model");
    model::merge(&parts, &merged, false).unwrap();
    assert_eq!(
        std::fs::read(&once).unwrap(),
        std::fs::read(&merged).unwrap(),
        "the model merged from 8 shards differs from the one learned in one go"
    );

    // A merge tree (partial merges of halves, then a final merge) gives the same file too.
    let left = dir.path().join("left.model");
    let right = dir.path().join("right.model");
    model::merge(&parts[..4], &left, true).unwrap();
    model::merge(&parts[4..], &right, true).unwrap();
    let tree = dir.path().join("tree.model");
    model::merge_with_memory(&[left, right], &tree, false, 64 << 10).unwrap();
    assert_eq!(std::fs::read(&once).unwrap(), std::fs::read(&tree).unwrap());
}

#[test]
fn spilling_and_thread_count_do_not_change_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = corpus(dir.path());
    let once = dir.path().join("once.model");
    learn(vec![crawl.clone()], &once, false, 1, model::DEFAULT_MEMORY);
    for (threads, memory) in [(2, model::DEFAULT_MEMORY), (1, 1 << 20), (2, 1 << 20)] {
        let m = dir.path().join(format!("m-{threads}-{memory}.model"));
        learn(vec![crawl.clone()], &m, false, threads, memory);
        assert_eq!(
            std::fs::read(&once).unwrap(),
            std::fs::read(&m).unwrap(),
            "threads {threads}, memory {memory}"
        );
    }
    // A partial model written under a tiny budget equals the in-memory one too.
    let p1 = dir.path().join("p1.model");
    let p2 = dir.path().join("p2.model");
    learn(vec![crawl.clone()], &p1, true, 2, model::DEFAULT_MEMORY);
    learn(vec![crawl], &p2, true, 2, 1 << 20);
    assert_eq!(std::fs::read(&p1).unwrap(), std::fs::read(&p2).unwrap());
}

#[test]
fn cleaned_jsonl_keeps_every_other_field_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("in.jsonl");
    std::fs::write(
        &crawl,
        concat!(
            "{\"id\": \"a1\", \"site\":\"s\", \"meta\": {\"k\": [1, 2.50, \"\\u00e9\"]}, \"text\":\"Home\\nNews\\nA page about apples and more apples, told at length.\"}\n",
            "{\"id\":\"a2\",\"site\":\"s\",\"text\":\"Home\\nNews\\nAnother page about boats, told at some length here.\",\"tail\":null}\n",
            "{\"id\":\"a3\",\"site\":\"s\",\"text\":\"Home\\nNews\\nA third page, about clocks, with its own words.\"}\n",
        ),
    )
    .unwrap();
    let m = dir.path().join("m.model");
    learn(vec![crawl.clone()], &m, false, 2, model::DEFAULT_MEMORY);
    let model = model::Model::open(&m).unwrap();
    let out = dir.path().join("out.jsonl");
    let cfg = JobConfig::new(vec![crawl.clone()]);
    job::clean(
        &cfg,
        &model,
        CleanConfig::default(),
        &CleanOutput {
            kind: OutputKind::Jsonl(out.clone()),
            keep_removed: false,
            compress: None,
            force: false,
        },
    )
    .unwrap();
    let got = std::fs::read_to_string(&out).unwrap();
    let input = std::fs::read_to_string(&crawl).unwrap();
    for (a, b) in input.lines().zip(got.lines()) {
        // Everything outside the text value is as it was.
        let ta = a.find("\"text\":").unwrap() + 7;
        let tb = b.find("\"text\":").unwrap() + 7;
        assert_eq!(a[..ta], b[..tb]);
        let ea = a[ta..].find("\"}").or(a[ta..].find("\",")).unwrap();
        let eb = b[tb..].find("\"}").or(b[tb..].find("\",")).unwrap();
        assert_eq!(a[ta + ea..], b[tb + eb..]);
        let v: serde_json::Value = serde_json::from_str(b).unwrap();
        assert!(v["text"].is_string(), "{b}");
    }
    assert_eq!(got.lines().count(), 3);
}
