//! Cleaning quality per case, on crawls from the project's generator with per-line labels:
//! template chrome, templated lines, teasers of other articles, cross-site chrome, unique
//! chrome, syndicated bodies, teased articles on their own page, few-page sites and a second
//! language; and, with the generator's hard cases, comment lists, doubled articles, lead-ins
//! and lists inside articles, READ MORE lines and bios, social posts embedded in articles
//! forum thread pages and tutorials' code listings. The thresholds sit a little under what the cleaner achieves, so
//! that a regression in any one case breaks its assertion.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use dechrome_gen::{generate_pages, GenConfig, GenPage};

/// Removed and total line counts of one case.
#[derive(Default, Debug, Clone, Copy)]
struct Count {
    removed: u64,
    total: u64,
}

impl Count {
    fn add(&mut self, removed: bool) {
        self.total += 1;
        self.removed += removed as u64;
    }
    fn removed_share(&self) -> f64 {
        self.removed as f64 / self.total.max(1) as f64
    }
    fn kept_share(&self) -> f64 {
        1.0 - self.removed_share()
    }
}

/// Runs `dechrome run --keep-removed` on the crawl and counts removals per case.
fn measure(cfg: &GenConfig) -> HashMap<&'static str, Count> {
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("crawl.jsonl");
    dechrome_gen::write_jsonl(cfg, std::fs::File::create(&crawl).unwrap()).unwrap();
    let out = dir.path().join("out.jsonl");
    let st = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(["run", "-q", "--keep-removed", "-o"])
        .arg(&out)
        .arg(&crawl)
        .status()
        .unwrap();
    assert!(st.success());
    let mut pages: Vec<GenPage> = Vec::new();
    generate_pages(cfg, &mut |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    let removed = removed_lines(&out);

    // Content lines seen on more than one site (wire stories), content lines that other
    // pages show as teasers, and page counts per site.
    let mut content_sites: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut related_text: HashSet<&str> = HashSet::new();
    let mut site_pages: HashMap<&str, usize> = HashMap::new();
    for p in &pages {
        *site_pages.entry(&p.site).or_default() += 1;
        for (l, lab) in p.text.lines().zip(&p.labels) {
            match *lab {
                "content" => {
                    content_sites.entry(l).or_default().insert(&p.site);
                }
                "related" => {
                    related_text.insert(l);
                }
                _ => {}
            }
        }
    }
    let mut c: HashMap<&'static str, Count> = HashMap::new();
    for p in &pages {
        let gone = &removed[p.id.as_str()];
        let few = site_pages[p.site.as_str()] <= 5;
        // The English-like language uses English function words; the invented one does not.
        let second_language = !p.gold.to_lowercase().contains(" the ");
        // The article's header: its title (the first content line) and what follows it
        // before the body (a deck, summary bullets); chrome above the title (a box of other
        // stories' titles) is unique to the page but not its own.
        let title_at = p.labels.iter().position(|l| *l == "content");
        let tutorial = p.cases.contains(&"code-listing");
        // Comment lists of two comments (their signatures are the case's templated lines).
        let signatures = (p.cases.iter().zip(&p.labels))
            .filter(|(c, l)| **c == "comment-list" && **l == "templated")
            .count();
        for (i, (l, lab)) in p.text.lines().zip(&p.labels).enumerate() {
            let r = gone.contains(&i);
            // A tutorial (code listings between its paragraphs) is counted apart, so that the
            // other cases' levels are those of the pages they were set on.
            if tutorial {
                let case = p.cases.get(i).copied().unwrap_or("");
                let key = match (case, *lab) {
                    ("code-listing", _) if few => Some("code-listing:few-page-site"),
                    ("code-listing", _) => Some("code-listing"),
                    ("duplicate-copy", _) => Some("tutorial:duplicate-copy"),
                    ("comment-list", _) => Some("tutorial:comment-list"),
                    ("", "content") => Some("tutorial:content"),
                    _ => None,
                };
                if let Some(key) = key {
                    c.entry(key).or_default().add(r);
                    if key == "code-listing:few-page-site" {
                        c.entry("code-listing").or_default().add(r);
                    }
                }
                continue;
            }
            c.entry(lab).or_default().add(r);
            // The hard cases of real crawls (GenConfig::hard_cases), one count each, and on
            // sites with few pages apart.
            // Lists of two comments are counted apart (fewer like lines to go by).
            let two = signatures == 2 && p.cases.get(i) == Some(&"comment-list");
            if two {
                c.entry("comment-list:two").or_default().add(r);
            }
            if let Some(&case) = p.cases.get(i).filter(|c| !c.is_empty() && !two) {
                c.entry(case).or_default().add(r);
                if few {
                    let key: &'static str = match case {
                        "comment-list" => "comment-list:few-page-site",
                        "duplicate-copy" => "duplicate-copy:few-page-site",
                        "in-article-list" => "in-article-list:few-page-site",
                        "thread-post" => "thread-post:few-page-site",
                        _ => "other-case:few-page-site",
                    };
                    c.entry(key).or_default().add(r);
                }
            }
            if Some(i) == title_at {
                c.entry("content:title").or_default().add(r);
            }
            if *lab == "unique-chrome" && title_at.is_some_and(|t| i < t) {
                c.entry("unique-chrome:above-title").or_default().add(r);
            }
            if *lab == "content" {
                if content_sites[l].len() > 1 {
                    c.entry("content:syndicated").or_default().add(r);
                }
                if related_text.contains(l) {
                    c.entry("content:teased-elsewhere").or_default().add(r);
                }
                if few {
                    c.entry("content:few-page-site").or_default().add(r);
                }
                if second_language {
                    c.entry("content:second-language").or_default().add(r);
                }
            } else if few {
                c.entry("chrome:few-page-site").or_default().add(r);
            }
        }
    }
    for (k, v) in &c {
        eprintln!(
            "{k:26} lines {:6} removed {:.3}",
            v.total,
            v.removed_share()
        );
    }
    c
}

/// Line numbers removed per page id (lines of the text, blank lines included in numbering as
/// the generator never writes blank lines).
fn removed_lines(out: &Path) -> HashMap<String, HashSet<usize>> {
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let lines = v["removed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["line"].as_u64().unwrap() as usize)
                .collect();
            (v["id"].as_str().unwrap().to_owned(), lines)
        })
        .collect()
}

fn at_least(c: &HashMap<&'static str, Count>, case: &str, kept: bool, level: f64) {
    let v = c
        .get(case)
        .unwrap_or_else(|| panic!("the corpus has no {case} lines"));
    let got = if kept {
        v.kept_share()
    } else {
        v.removed_share()
    };
    assert!(
        got >= level,
        "{case}: {} {got:.3} < {level} over {} lines",
        if kept { "kept" } else { "removed" },
        v.total
    );
}

#[test]
fn every_case_on_an_even_crawl() {
    let c = measure(&GenConfig {
        sites: 8,
        pages_per_site: 30,
        seed: 1,
        ..GenConfig::default()
    });
    at_least(&c, "template", false, 0.99);
    at_least(&c, "crosssite", false, 0.99);
    at_least(&c, "templated", false, 0.95);
    at_least(&c, "related", false, 0.96);
    // Comment lists after the article go as item lists (0.47 before they did).
    at_least(&c, "unique-chrome", false, 0.6);
    at_least(&c, "content", true, 0.96);
    at_least(&c, "content:syndicated", true, 0.9);
    at_least(&c, "content:teased-elsewhere", true, 0.84);
    at_least(&c, "content:second-language", true, 0.95);
    at_least(&c, "content:title", true, 0.8);
}

#[test]
fn few_page_sites_and_cold_start() {
    let c = measure(&GenConfig {
        sites: 30,
        pages_per_site: 12,
        zipf: true,
        seed: 2,
        ..GenConfig::default()
    });
    at_least(&c, "template", false, 0.99);
    at_least(&c, "related", false, 0.97);
    at_least(&c, "templated", false, 0.93);
    at_least(&c, "content", true, 0.95);
    at_least(&c, "content:teased-elsewhere", true, 0.84);
    at_least(&c, "content:title", true, 0.83);
    at_least(&c, "unique-chrome:above-title", false, 0.75);
    at_least(&c, "content:few-page-site", true, 0.95);
    at_least(&c, "unique-chrome", false, 0.45);
    at_least(&c, "chrome:few-page-site", false, 0.7);
    at_least(&c, "content:syndicated", true, 0.9);
}

/// The shared dev data beside the clone (`../shared/data`), or beside a worktree's parent.
fn shared_data(rel: &str) -> Option<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/data", "../../shared/data"]
        .iter()
        .map(|d| root.join(d).join(rel))
        .find(|p| p.exists())
}

/// The seed page alone (one page, one site: no frequency at all): its article (title and
/// eleven paragraphs) is kept whole, and nothing of what follows it — the AI and comment
/// stubs, and the "Related Articles" list of source / "N minutes ago" / title / whole body
/// items, which is prose but a list of like items set apart after the article.
#[test]
fn seed_page_alone_is_its_article() {
    let Some(seed) = shared_data("seed/daily8-page.txt") else {
        eprintln!("../shared/data/seed absent; skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let st = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&seed)
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    let page = std::fs::read_to_string(&seed).unwrap();
    let want: Vec<&str> = page.lines().take(12).collect();
    let got: Vec<&str> = v["text"].as_str().unwrap().lines().collect();
    assert_eq!(got, want);
}

/// Pages whose text holds their article twice (a print copy after the page, as some text
/// views have it): one copy stays, the other goes as `duplicate-copy`, and no such page
/// comes out empty. Built from a generated crawl: every third page gets its article's lines
/// again after its footer.
#[test]
fn doubled_article_keeps_one_copy() {
    let cfg = GenConfig {
        sites: 6,
        pages_per_site: 12,
        seed: 5,
        ..GenConfig::default()
    };
    let mut pages: Vec<GenPage> = Vec::new();
    generate_pages(&cfg, &mut |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("crawl.jsonl");
    let mut doubled: HashMap<String, (usize, usize)> = HashMap::new();
    let mut f = std::io::BufWriter::new(std::fs::File::create(&crawl).unwrap());
    for (k, p) in pages.iter().enumerate() {
        let mut text = p.text.clone();
        if k % 3 == 0 {
            let lines = p.text.lines().count();
            let copy: Vec<&str> = p
                .text
                .lines()
                .zip(&p.labels)
                .filter(|(_, l)| **l == "content")
                .map(|(t, _)| t)
                .collect();
            text.push('\n');
            text.push_str(&copy.join("\n"));
            doubled.insert(p.id.clone(), (lines, copy.len()));
        }
        let rec = serde_json::json!({"id": p.id, "site": p.site, "text": text});
        std::io::Write::write_all(&mut f, format!("{rec}\n").as_bytes()).unwrap();
    }
    drop(f);
    let out = dir.path().join("out.jsonl");
    let st = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(["run", "-q", "--keep-removed", "-o"])
        .arg(&out)
        .arg(&crawl)
        .status()
        .unwrap();
    assert!(st.success());
    let (mut first, mut second, mut copies) = (Count::default(), Count::default(), 0);
    for l in std::fs::read_to_string(&out).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let Some(&(at, n)) = doubled.get(v["id"].as_str().unwrap()) else {
            continue;
        };
        assert!(
            !v["text"].as_str().unwrap().trim().is_empty(),
            "{}: a page that holds its article twice came out empty",
            v["id"]
        );
        let removed: HashMap<usize, &str> = v["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["line"].as_u64().unwrap() as usize,
                    d["reason"].as_str().unwrap(),
                )
            })
            .collect();
        let page = pages.iter().find(|p| p.id == v["id"]).unwrap();
        for (i, lab) in page.labels.iter().enumerate() {
            if *lab == "content" {
                first.add(removed.contains_key(&i));
            }
        }
        for i in at..at + n {
            second.add(removed.contains_key(&i));
            copies += (removed.get(&i) == Some(&"duplicate-copy")) as u64;
        }
    }
    eprintln!(
        "doubled: first copy kept {:.3}, second removed {:.3} ({} lines, {copies} as duplicate-copy)",
        first.kept_share(),
        second.removed_share(),
        second.total
    );
    assert!(
        first.kept_share() >= 0.9,
        "first copy kept {:.3}",
        first.kept_share()
    );
    assert!(
        second.removed_share() >= 0.93,
        "second copy removed {:.3}",
        second.removed_share()
    );
    assert!(
        copies as f64 >= 0.7 * second.total as f64,
        "removed as duplicate-copy: {copies}"
    );
}

/// The hard cases of real crawls (issue 12), generated with per-line cases, on an even crawl.
#[test]
fn hard_cases_on_an_even_crawl() {
    let c = measure(&GenConfig {
        sites: 8,
        pages_per_site: 24,
        seed: 3,
        hard_cases: true,
        ..GenConfig::default()
    });
    // Items 1 and 2: removed. Item 5 (READ MORE lines, bios): mostly removed, READ MORE
    // lines only where their label recurs enough. Items 3 and 4 (lead-ins, lists inside
    // articles, the title above them): kept in part; the levels hold what is reached.
    // Comments signed below each, on a third of the sites: 0.837 since a first comment right
    // below the site's heading sets such a list apart, 0.724 before.
    // 0.812 on the pages that are no tutorials (0.837 over all pages before tutorials).
    at_least(&c, "comment-list", false, 0.8);
    at_least(&c, "duplicate-copy", false, 0.95);
    at_least(&c, "bio", false, 0.7);
    at_least(&c, "read-more", false, 0.15);
    // Lead-ins kept 0.738 and lists inside articles 0.235 since a list announced by a lead-in
    // ending in a colon right after a kept paragraph is kept (0.643 and 0.224 before).
    at_least(&c, "lead-in", true, 0.7);
    at_least(&c, "in-article-list", true, 0.2);
    // Wire stories carry the hard cases too (embedded posts, lists): 0.927 since posts were
    // embedded, 0.93 before.
    at_least(&c, "content:syndicated", true, 0.9);
    // 0.976 since some pages are threads (fewer teaser lists to learn from), 0.98 before.
    at_least(&c, "related", false, 0.97);
    // Social posts embedded in articles repeat a skeleton within the page as item lists do,
    // yet are the article's: about half are still taken for an item list (kept 0.486).
    at_least(&c, "embedded-post", true, 0.45);
    // Thread pages: posts (author, date, text) kept 0.686, their chrome removed 1.0.
    at_least(&c, "thread-post", true, 0.65);
    at_least(&c, "thread-chrome", false, 0.95);
    // Tutorials: code listings between paragraphs kept 0.523 since a gap of the page's own
    // lines between two kept paragraphs is kept (0.291 before), 0.794 since a listing whose
    // first line ends in a colon ("def NAME(ARGS):") right after a kept paragraph is kept as
    // a list it announces; their other paragraphs 0.764, then 0.818 (0.735 before).
    at_least(&c, "code-listing", true, 0.75);
    at_least(&c, "tutorial:content", true, 0.78);
    // Lists of two comments: removed 0.591 since two dated signatures right under the site's
    // template make a list (0.552 before).
    at_least(&c, "comment-list:two", false, 0.57);
}

/// The hard cases on sites with few pages (Zipf page counts: many sites with 1–5 pages).
#[test]
fn hard_cases_on_few_page_sites() {
    let c = measure(&GenConfig {
        sites: 30,
        pages_per_site: 8,
        zipf: true,
        seed: 4,
        hard_cases: true,
        ..GenConfig::default()
    });
    // 0.781 and 0.862 with comments signed below each set apart by the heading above them,
    // 0.747 and 0.810 before.
    at_least(&c, "comment-list:few-page-site", false, 0.77);
    at_least(&c, "duplicate-copy:few-page-site", false, 0.95);
    at_least(&c, "comment-list", false, 0.84);
    at_least(&c, "duplicate-copy", false, 0.95);
    at_least(&c, "chrome:few-page-site", false, 0.9);
    // 0.913 since wire stories embed posts too (0.93 before).
    at_least(&c, "content:syndicated", true, 0.88);
    at_least(&c, "embedded-post", true, 0.44);
    at_least(&c, "thread-post", true, 0.65);
    at_least(&c, "thread-post:few-page-site", true, 0.5);
    at_least(&c, "thread-chrome", false, 0.95);
    // A list between an article's lead-in and its body, on a site with five pages or fewer:
    // kept 0.600 since the lines above the main run that neither the site nor the crawl
    // says anything of cost nothing in the chain (0.314 before; 0.222 and 0.180 over all
    // sites).
    at_least(&c, "in-article-list:few-page-site", true, 0.55);
    at_least(&c, "in-article-list", true, 0.2);
    // Tutorials: code listings kept 0.687 since a gap of the page's own lines between two
    // kept paragraphs is kept (0.265 before), 0.459 on sites of five pages or fewer (0.192);
    // their other paragraphs 0.841 (0.809 before).
    // Then 0.859, 0.925 and 0.879 since a listing announced right after a kept paragraph (its
    // first line ending in a colon) is kept.
    at_least(&c, "code-listing", true, 0.8);
    at_least(&c, "code-listing:few-page-site", true, 0.85);
    at_least(&c, "tutorial:content", true, 0.85);
    // Lists of two comments: removed 0.687 since two dated signatures right under the site's
    // template make a list (0.529 before).
    at_least(&c, "comment-list:two", false, 0.65);
}
