//! Properties of generated corpora: determinism, JSONL shape, labels and gold, teasers,
//! syndication, seed-shaped pages, varying templated lines, `target_bytes`, Zipf sizes.

use std::collections::{HashMap, HashSet};
use std::io;

use dechrome_gen::{generate_pages, write_jsonl, GenConfig, GenPage, LABELS, LABEL_CONTENT};
use dechrome_gen::{Charset, LABEL_RELATED, LABEL_TEMPLATED};

fn corpus(cfg: &GenConfig) -> Vec<GenPage> {
    let mut v = Vec::new();
    generate_pages(cfg, &mut |p| {
        v.push(p);
        Ok(())
    })
    .expect("generate");
    v
}

fn jsonl(cfg: &GenConfig) -> Vec<u8> {
    let mut out = Vec::new();
    write_jsonl(cfg, &mut out).expect("write");
    out
}

#[test]
fn deterministic_per_seed() {
    let cfg = GenConfig {
        sites: 3,
        pages_per_site: 5,
        ..Default::default()
    };
    let a = jsonl(&cfg);
    assert_eq!(a, jsonl(&cfg));
    let other = GenConfig { seed: 2, ..cfg };
    assert_ne!(a, jsonl(&other));
}

#[test]
fn jsonl_shape_and_key_order() {
    let cfg = GenConfig {
        sites: 2,
        pages_per_site: 3,
        ..Default::default()
    };
    let out = jsonl(&cfg);
    let text = String::from_utf8(out).expect("utf8");
    for line in text.lines() {
        assert!(line.starts_with("{\"id\":"));
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let keys: Vec<&str> = v
            .as_object()
            .expect("obj")
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["id", "site", "url", "text", "gold", "labels"]);
    }
}

#[test]
fn labels_gold_and_kinds() {
    let pages = corpus(&GenConfig::default());
    let mut seen = HashSet::new();
    let mut ids = HashSet::new();
    for p in &pages {
        assert!(ids.insert(p.id.clone()), "duplicate id {}", p.id);
        assert!(p.url.starts_with(&format!("https://www.{}/", p.site)));
        let lines: Vec<&str> = p.text.split('\n').collect();
        assert_eq!(lines.len(), p.labels.len());
        assert!(lines.iter().all(|l| !l.trim().is_empty()));
        let gold: Vec<&str> = lines
            .iter()
            .zip(&p.labels)
            .filter(|(_, l)| **l == LABEL_CONTENT)
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(gold.join("\n"), p.gold);
        seen.extend(p.labels.iter().copied());
    }
    for l in LABELS {
        assert!(seen.contains(l), "label {l} missing");
    }
}

#[test]
fn teasers_are_content_elsewhere() {
    let pages = corpus(&GenConfig::default());
    let mut content: HashMap<(&str, &str), usize> = HashMap::new();
    for p in &pages {
        for (t, l) in p.text.split('\n').zip(&p.labels) {
            if *l == LABEL_CONTENT {
                *content.entry((p.site.as_str(), t)).or_default() += 1;
            }
        }
    }
    // The gold after the title (deck, bullets, body), on one line: a whole-body teaser
    // is the body's paragraphs joined.
    let bodies: Vec<(&str, String)> = pages
        .iter()
        .filter_map(|q| {
            q.gold
                .split_once('\n')
                .map(|x| (q.site.as_str(), x.1.replace('\n', " ")))
        })
        .collect();
    let mut checked = 0;
    for p in &pages {
        for (t, l) in p.text.split('\n').zip(&p.labels) {
            if *l != LABEL_RELATED {
                continue;
            }
            if content.contains_key(&(p.site.as_str(), t)) {
                checked += 1;
            } else {
                let joined = bodies
                    .iter()
                    .any(|(s, b)| *s == p.site && b.contains(t) && t.len() > 200);
                assert!(joined, "related line not content on its site: {t:.60}");
            }
        }
    }
    assert!(checked > 20);
}

#[test]
fn syndication_spans_sites() {
    let pages = corpus(&GenConfig::default());
    let mut sites_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for p in &pages {
        for (t, l) in p.text.split('\n').zip(&p.labels) {
            if *l == LABEL_CONTENT && t.len() > 150 {
                sites_of.entry(t).or_default().insert(&p.site);
            }
        }
    }
    let shared = sites_of.values().filter(|s| s.len() >= 2).count();
    assert!(shared >= 5, "only {shared} syndicated paragraphs");
    let none = corpus(&GenConfig {
        syndication: false,
        ..Default::default()
    });
    let mut sites_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for p in &none {
        for t in p.gold.split('\n').filter(|t| t.len() > 150) {
            sites_of.entry(t).or_default().insert(&p.site);
        }
    }
    assert!(sites_of.values().all(|s| s.len() == 1));
}

#[test]
fn seed_shaped_page_exists() {
    // Exact chrome strings: ASCII spelling, so no word of them is respelled.
    let pages = corpus(&GenConfig {
        charset: Charset::Ascii,
        ..Default::default()
    });
    let found = pages.iter().any(|p| {
        let lines: Vec<&str> = p.text.split('\n').collect();
        lines
            .windows(2)
            .any(|w| w[0] == "Try Our AI Features" && w[1].starts_with("Explore what "))
            && lines.contains(&"No comments yet...")
            && p.labels[0] == LABEL_CONTENT
    });
    assert!(found);
}

#[test]
fn templated_lines_vary() {
    let pages = corpus(&GenConfig::default());
    let mut per_site: HashMap<&str, (usize, HashSet<&str>)> = HashMap::new();
    for p in &pages {
        let e = per_site.entry(&p.site).or_default();
        for (t, l) in p.text.split('\n').zip(&p.labels) {
            if *l == LABEL_TEMPLATED {
                e.0 += 1;
                e.1.insert(t);
            }
        }
    }
    for (site, (n, distinct)) in per_site {
        if n > 20 {
            assert!(
                distinct.len() >= 10,
                "{site}: {} distinct of {n}",
                distinct.len()
            );
        }
    }
}

#[test]
fn target_bytes_roughly_honoured() {
    let cfg = GenConfig {
        sites: 1,
        pages_per_site: 10,
        zipf: true,
        target_bytes: Some(3_000_000),
        ..Default::default()
    };
    let out = jsonl(&cfg);
    let n = out.len() as u64;
    assert!((3_000_000..6_000_000).contains(&n), "{n} bytes");
    let mut counted = 0u64;
    let stats = write_jsonl(&cfg, io::sink()).expect("write");
    counted += stats.bytes;
    assert_eq!(counted, n);
    let est = generate_pages(&cfg, &mut |_| Ok(())).expect("gen");
    assert_eq!(est.pages, stats.pages);
    assert!(
        est.bytes.abs_diff(n) < n / 10,
        "estimate {} vs {n}",
        est.bytes
    );
}

#[test]
fn zipf_spreads_sizes_and_languages_differ() {
    let cfg = GenConfig {
        sites: 40,
        pages_per_site: 12,
        zipf: true,
        ..Default::default()
    };
    let pages = corpus(&cfg);
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for p in &pages {
        *sizes.entry(&p.site).or_default() += 1;
    }
    assert_eq!(sizes.len(), 40);
    assert!(sizes.values().any(|&s| s <= 5));
    assert!(sizes.values().any(|&s| s >= 24));
    // Second language shows up as non-ASCII content.
    assert!(pages
        .iter()
        .any(|p| p.gold.contains('ä') || p.gold.contains('ö')));
}

#[test]
fn default_text_has_real_text_character_statistics() {
    // Enough sites of the second language for all its non-Latin blocks (four sites each).
    let cfg = GenConfig {
        sites: 100,
        pages_per_site: 2,
        ..Default::default()
    };
    let pages = corpus(&cfg);
    let text: String = pages.iter().map(|p| p.text.as_str()).collect();
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    let share = non_ascii as f64 / text.chars().count() as f64;
    assert!(share > 0.03, "non-ASCII share {share:.3}");
    for c in ['“', '’', '—', '…', 'é'] {
        assert!(text.contains(c), "no {c}");
    }
    for (name, lo, hi) in [
        ("Cyrillic", '\u{0400}', '\u{04FF}'),
        ("Greek", '\u{0370}', '\u{03FF}'),
        ("Arabic", '\u{0600}', '\u{06FF}'),
        ("CJK", '\u{4E00}', '\u{9FFF}'),
    ] {
        assert!(
            text.chars().any(|c| (lo..=hi).contains(&c)),
            "no {name} page"
        );
    }
    let ascii = corpus(&GenConfig {
        charset: Charset::Ascii,
        ..cfg
    });
    let text: String = ascii.iter().map(|p| p.text.as_str()).collect();
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    assert!((non_ascii as f64) < 0.03 * text.chars().count() as f64);
}
