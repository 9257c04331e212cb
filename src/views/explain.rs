//! Showing the work: a page line by line, each line kept or removed, with the reason and the
//! figures behind the decision (site frequency, cross-site count, templated share, score).
//!
//! [`select_pages`] picks the pages to explain from a crawl (by id, by site, or a
//! deterministic sample); [`explain_page`] runs the cleaner on one and keeps every decision
//! with its text; [`PageExplanation::render`] writes the terminal view (ANSI colours optional)
//! and [`PageExplanation::to_json`] the machine view.

use std::collections::BinaryHeap;
use std::path::PathBuf;

use serde_json::json;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::clean::{Cleaner, Decision, DomFigures, Reason};
use crate::error::Result;
use crate::input::{InputConfig, Reader, Record};

/// Which pages of a crawl to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The first page.
    First,
    /// Pages with this id.
    Id(String),
    /// Every page of this site, in input order.
    Site(String),
    /// `n` pages (of `site` only, when given) drawn uniformly and deterministically: those
    /// whose hash of (site, id) under `seed` is smallest, shown in input order.
    Sample {
        /// How many pages.
        n: usize,
        /// Only this site's pages.
        site: Option<String>,
        /// Seed of the hash: another seed, another sample.
        seed: u64,
    },
}

/// Reads the inputs and returns the selected records in input order. Unreadable records are
/// skipped (this is a view, not a job). Reading stops as soon as the selection is complete.
pub fn select_pages(
    input: &InputConfig,
    inputs: &[PathBuf],
    sel: &Selection,
) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    // Sample: max-heap on the hash keeps the n smallest.
    let mut heap: BinaryHeap<(u64, u64)> = BinaryHeap::new();
    let mut kept: std::collections::HashMap<u64, Record> = std::collections::HashMap::new();
    for (seq, rec) in Reader::new(input.clone(), inputs)?.enumerate() {
        let Ok(rec) = rec else { continue };
        match sel {
            Selection::First => {
                out.push(rec);
                break;
            }
            Selection::Id(id) => {
                if &rec.id == id {
                    out.push(rec);
                }
            }
            Selection::Site(s) => {
                if &rec.site == s {
                    out.push(rec);
                }
            }
            Selection::Sample { n, site, seed } => {
                if *n == 0 || site.as_ref().is_some_and(|s| s != &rec.site) {
                    continue;
                }
                let h = sample_hash(&rec, *seed);
                let seq = seq as u64;
                if heap.len() < *n {
                    heap.push((h, seq));
                    kept.insert(seq, rec);
                } else if let Some(&(top, top_seq)) = heap.peek() {
                    if h < top {
                        heap.pop();
                        kept.remove(&top_seq);
                        heap.push((h, seq));
                        kept.insert(seq, rec);
                    }
                }
            }
        }
    }
    if !kept.is_empty() {
        let mut v: Vec<(u64, Record)> = kept.into_iter().collect();
        v.sort_by_key(|e| e.0);
        out.extend(v.into_iter().map(|e| e.1));
    }
    Ok(out)
}

/// The sampling hash of a record: stable across runs, machines and input order.
pub(crate) fn sample_hash(rec: &Record, seed: u64) -> u64 {
    let mut b = Vec::with_capacity(rec.site.len() + rec.id.len() + 1);
    b.extend_from_slice(rec.site.as_bytes());
    b.push(0);
    b.extend_from_slice(rec.id.as_bytes());
    xxh3_64_with_seed(&b, seed)
}

/// One line (block) of a page with its decision.
#[derive(Debug, Clone)]
pub struct LineExplanation {
    /// 1-based line number in the page text (blank lines count).
    pub line: u32,
    /// The line's text.
    pub text: String,
    /// The cleaner's decision on it.
    pub decision: Decision,
    /// The line's DOM path signature (pages read from HTML only).
    pub path: Option<String>,
}

/// A page with every decision.
#[derive(Debug, Clone)]
pub struct PageExplanation {
    /// The page's id.
    pub id: String,
    /// The page's site.
    pub site: String,
    /// The page's URL, when the input has one.
    pub url: Option<String>,
    /// Pages of the site in the model.
    pub site_pages: u64,
    /// Every line (block) of the page, in page order.
    pub lines: Vec<LineExplanation>,
    /// Text bytes of the page.
    pub bytes_in: u64,
    /// Text bytes kept.
    pub bytes_out: u64,
}

/// Cleans one page and keeps each decision with the text it is about.
pub fn explain_page(cleaner: &mut Cleaner<'_>, rec: &Record) -> PageExplanation {
    let mut out = String::new();
    let decisions = cleaner.clean_html_page(&rec.site, &rec.text, &rec.dom, &mut out);
    let mut lines = Vec::with_capacity(decisions.len());
    let mut line = 1u32;
    let mut pos = 0usize;
    for d in decisions {
        line += rec.text.as_bytes()[pos..d.start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        pos = d.start;
        lines.push(LineExplanation {
            line,
            text: rec.text[d.start..d.end].to_string(),
            decision: *d,
            path: rec.dom.get(d.line as usize).map(|b| b.path.clone()),
        });
    }
    PageExplanation {
        id: rec.id.clone(),
        site: rec.site.clone(),
        url: rec.url.clone(),
        site_pages: decisions.first().map(|d| d.site_pages).unwrap_or(0),
        lines,
        bytes_in: rec.text.len() as u64,
        bytes_out: out.len() as u64,
    }
}

/// ANSI SGR codes per reason: kept lines plain, removed ones coloured by kind of evidence.
fn reason_ansi(r: Reason) -> &'static str {
    match r {
        Reason::KeptUnique => "32",      // green
        Reason::KeptShared => "36",      // cyan
        Reason::KeptContext => "32;2",   // dim green
        Reason::KeptHeader => "32;1",    // bold green
        Reason::SiteTemplate => "31",    // red
        Reason::CrossSite => "35",       // magenta
        Reason::Templated => "33",       // yellow
        Reason::Repeated => "34",        // blue
        Reason::Context => "90",         // grey
        Reason::DuplicateCopy => "34;2", // dim blue
        Reason::ItemList => "33;2",      // dim yellow
        Reason::DomLinks => "35;2",      // dim magenta
        Reason::DomComments => "34;2",   // dim blue
        Reason::DomMedia => "90;2",      // dim grey
        Reason::DomShared => "31;2",     // dim red
    }
}

/// The DOM evidence of a line, for the terminal view: its path, how many of the pages (or
/// sites, for a path's name) with it had the article or links there, its link density and
/// what the DOM added to its score (and whether it is in the site's comment section or set-in
/// media).
fn dom_note(f: &DomFigures, path: &str) -> String {
    let of = if f.by_name { "sites" } else { "pages" };
    let comments = if f.comments { ", comment section" } else { "" };
    let media = if f.media { ", set-in media" } else { "" };
    let boilerplate = if f.boilerplate { ", boilerplate" } else { "" };
    format!(
        "dom {path}: article {}/{} links {}/{} {of}, link density {:.2}, {:+.1}{comments}{media}{boilerplate}",
        f.article, f.pages, f.links, f.pages, f.link_density, f.weight
    )
}

/// How to render an explanation for a person.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// ANSI colours (for a terminal).
    pub color: bool,
    /// Cut each line's text to this many characters (0: no limit).
    pub max_chars: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            max_chars: 100,
        }
    }
}

fn cut(s: &str, max: usize) -> String {
    if max == 0 || s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

impl PageExplanation {
    /// Lines (blocks) removed.
    pub fn blocks_removed(&self) -> usize {
        self.lines.iter().filter(|l| !l.decision.keep).count()
    }

    /// Share of the page's text bytes removed.
    pub fn removed_share(&self) -> f64 {
        if self.bytes_in == 0 {
            0.0
        } else {
            1.0 - self.bytes_out as f64 / self.bytes_in as f64
        }
    }

    /// The terminal view: a header, then one row per line: line number, `+` kept or `-`
    /// removed, reason, pages of the site with the line, sites with it, score, text.
    pub fn render(&self, o: RenderOptions) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let bold = |t: &str| {
            if o.color {
                format!("\x1b[1m{t}\x1b[0m")
            } else {
                t.to_string()
            }
        };
        let _ = writeln!(
            s,
            "{}",
            bold(&format!(
                "== {}  site {}  ({} pages in model){}",
                self.id,
                if self.site.is_empty() {
                    "-"
                } else {
                    &self.site
                },
                self.site_pages,
                self.url
                    .as_deref()
                    .map(|u| format!("  {u}"))
                    .unwrap_or_default()
            ))
        );
        let _ = writeln!(
            s,
            "   removed {} of {} lines, {} of {} bytes ({:.1}%)",
            self.blocks_removed(),
            self.lines.len(),
            self.bytes_in - self.bytes_out,
            self.bytes_in,
            100.0 * self.removed_share()
        );
        let _ = writeln!(
            s,
            "{:>5}   {:<13} {:>11} {:>6} {:>6}  text",
            "line", "reason", "site pages", "sites", "score"
        );
        for l in &self.lines {
            let d = &l.decision;
            let mark = if d.keep { '+' } else { '-' };
            let site = if d.site_pages > 0 {
                format!("{}/{}", d.site_pages_with, d.site_pages)
            } else {
                "-".to_string()
            };
            // Sites of the prior's corpus, marked `p`, where the crawl has none and the prior
            // has some.
            let sites = if d.prior_sites > d.cross_sites {
                format!("p{}", d.prior_sites)
            } else {
                d.cross_sites.to_string()
            };
            let row = format!(
                "{:>5} {} {:<13} {:>11} {:>6} {:>6.1}  {}",
                l.line,
                mark,
                d.reason.as_str(),
                site,
                sites,
                d.score,
                cut(l.text.trim(), o.max_chars)
            );
            let row = match (&d.dom, &l.path) {
                (Some(f), Some(p)) => format!("{row}  [{}]", dom_note(f, p)),
                _ => row,
            };
            if o.color {
                let strike = if d.keep { "" } else { ";9" };
                let _ = writeln!(s, "\x1b[{}{}m{}\x1b[0m", reason_ansi(d.reason), strike, row);
            } else {
                let _ = writeln!(s, "{row}");
            }
        }
        s
    }

    /// The machine view: one JSON object per page.
    pub fn to_json(&self) -> serde_json::Value {
        let lines: Vec<serde_json::Value> = self
            .lines
            .iter()
            .map(|l| {
                let d = &l.decision;
                let mut v = json!({
                    "line": l.line,
                    "block": d.line,
                    "keep": d.keep,
                    "reason": d.reason.as_str(),
                    "site_pages_with": d.site_pages_with,
                    "site_pages": d.site_pages,
                    "site_share": if d.site_pages == 0 { 0.0 } else { d.site_pages_with as f64 / d.site_pages as f64 },
                    "cross_sites": d.cross_sites,
                    "templated": d.templated,
                    "score": d.score,
                    "text": l.text,
                });
                if d.prior_sites > 0 {
                    v["prior_sites"] = d.prior_sites.into();
                }
                if let (Some(f), Some(p), Some(o)) = (&d.dom, &l.path, v.as_object_mut()) {
                    o.insert(
                        "dom".into(),
                        json!({
                            "path": p,
                            "by_name": f.by_name,
                            "pages": f.pages,
                            "article": f.article,
                            "links": f.links,
                            "link_density": f.link_density,
                            "weight": f.weight,
                            "comments": f.comments,
                            "media": f.media,
                            "boilerplate": f.boilerplate,
                        }),
                    );
                }
                v
            })
            .collect();
        json!({
            "id": self.id,
            "site": self.site,
            "url": self.url,
            "site_pages": self.site_pages,
            "blocks": self.lines.len(),
            "blocks_removed": self.blocks_removed(),
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "lines": lines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::CleanConfig;
    use crate::input::Payload;
    use crate::model::{self, Counter, ModelParams, SiteTable};
    use crate::shingle::Shingler;

    fn page(w: &str) -> String {
        format!(
            "Home | News | Sport\n\nA story about {w} has a long and winding body of text, told in words that only this page uses: {w}.\nShare this"
        )
    }

    fn rec(id: &str, text: String) -> Record {
        Record {
            id: id.into(),
            site: "example.org".into(),
            url: None,
            text,
            dom: Vec::new(),
            payload: Payload::Text { rel: "x".into() },
            loc: crate::error::Location::new(std::path::Path::new("x"), 1, 0),
            lossy: false,
            bytes: 0,
        }
    }

    #[test]
    fn explanation_has_line_numbers_reasons_and_text() {
        let words = ["apples", "boats", "clocks", "doors"];
        let mut sites = SiteTable::default();
        let site = sites.intern("example.org");
        let mut counter = Counter::new();
        let mut sh = Shingler::new(ModelParams::default().shingle_max_tokens);
        for w in words {
            counter.add_page(site, sh.features(&page(w)));
        }
        let (_dir, m) = model::test_model(counter, &sites);
        let mut c = Cleaner::new(&m, CleanConfig::default());
        let e = explain_page(&mut c, &rec("p1", page("apples")));
        assert_eq!(e.lines.len(), 3);
        assert_eq!(
            e.lines.iter().map(|l| l.line).collect::<Vec<_>>(),
            vec![1, 3, 4],
            "blank lines count in line numbers"
        );
        assert_eq!(e.lines[0].decision.reason, Reason::SiteTemplate);
        assert_eq!(e.lines[0].decision.site_pages_with, 4);
        assert!(e.lines[1].decision.keep);
        assert_eq!(e.blocks_removed(), 2);
        let plain = e.render(RenderOptions::default());
        assert!(plain.contains("site-template"), "{plain}");
        assert!(plain.contains("4/4"), "{plain}");
        assert!(!plain.contains('\x1b'));
        let colored = e.render(RenderOptions {
            color: true,
            max_chars: 20,
        });
        assert!(colored.contains("\x1b[31;9m"));
        assert!(colored.contains('…'));
        let j = e.to_json();
        assert_eq!(j["lines"][0]["reason"], "site-template");
        assert_eq!(j["lines"][1]["keep"], true);
        assert_eq!(j["bytes_in"], page("apples").len() as u64);
    }
}
