//! The text path's method on hand-built pages: behaviours of the cleaner's segmentation that
//! hold for a single page of a site seen once (no frequency at all), each checked line by line
//! through `dechrome run`.

use std::process::Command;

/// A paragraph of prose, `n` sentences long, unique to `seed` (so no two are copies).
fn paragraph(seed: usize, n: usize) -> String {
    let words = [
        "river", "council", "bridge", "tester", "weather", "harbour", "market", "season", "report",
        "engine", "garden", "signal",
    ];
    (0..n)
        .map(|k| {
            let w = |i: usize| words[(seed * 7 + k * 3 + i) % words.len()];
            format!(
                "The {} near the {} was checked again by the {} in part {seed}.{k}, and the {} \
                 held up well, though the {} did not.",
                w(0),
                w(1),
                w(2),
                w(3),
                w(4)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `dechrome run` on one page and returns its kept lines.
fn kept_lines(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("crawl.jsonl");
    let rec = serde_json::json!({"id": "1", "site": "example.org", "text": text});
    std::fs::write(&crawl, format!("{rec}\n")).unwrap();
    let out = dir.path().join("out.jsonl");
    let st = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&crawl)
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    v["text"]
        .as_str()
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// A long article cut into sections by subheadings and short spec lists (a review of several
/// products), on a site seen once: the later sections hold much less text than the longest,
/// yet each brings more than the short lines before it cost, so they are the article's too
/// (they were dropped as `context` when only their share of the longest section counted).
/// The menu above and the footer below, long rows of short lines, stay out.
#[test]
fn article_sections_after_short_lists_are_kept() {
    let menu: Vec<String> = (0..25).map(|i| format!("Menu entry {i}")).collect();
    let mut lines: Vec<(String, bool)> = menu.iter().map(|m| (m.clone(), false)).collect();
    for p in 0..5 {
        lines.push((paragraph(p, 3), true));
    }
    for (s, name) in ["Blackbird", "Chameleon", "Tempest"].iter().enumerate() {
        lines.push((format!("The {name} hammock"), true));
        lines.push((format!("{name} fabric and straps"), true));
        lines.push((format!("Packs down with the {name} sack"), true));
        lines.push((format!("Best {name} for side sleepers"), true));
        lines.push((paragraph(10 + s, 2), true));
    }
    lines.extend((0..25).map(|i| (format!("Footer link {i}"), false)));
    let text: Vec<&str> = lines.iter().map(|l| l.0.as_str()).collect();
    let kept = kept_lines(&text.join("\n"));
    let want: Vec<String> = lines.iter().filter(|l| l.1).map(|l| l.0.clone()).collect();
    assert_eq!(kept, want);
}
