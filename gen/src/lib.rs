//! Synthetic multi-site crawl generator with per-line gold labels.
//!
//! Produces scraped-news-shaped pages (one block per line) for many invented
//! sites, deterministically from a seed, so that chrome-stripping can be tested
//! and benchmarked without real data. Article text is built from invented
//! syllable lexicons (an English-like one and, optionally, a second invented
//! language), while chrome uses generic UI phrases (translated word by word for
//! the second language). Every line carries one label: `content`, `template`
//! (the site's own recurring chrome), `templated` (site pattern, varying fill),
//! `related` (teasers of other articles of the same site), `unique-chrome`
//! (one-off non-article text such as comments and captions) or `crosssite`
//! (generic UI strings drawn from one pool shared by many sites). Template
//! lines like "Comments" may coincide with other sites' chrome; the label
//! records how a line was produced, not how often it occurs.
//!
//! Hard cases are included on purpose: wire stories whose body is published
//! as content on 2-4 sites, teasers whose lines are content on the teased
//! page, boilerplate sentences repeated in a site's articles, tiny sites, and
//! "seed-shaped" pages (article, AI/comments stubs, then long teaser groups).
//!
//! The API is [`GenConfig`], then [`write_jsonl`] (what `dechrome generate` writes) or
//! [`generate_pages`] (the same pages as values). Output depends only on the configuration:
//! randomness is a hand-written SplitMix64, so the bytes do not change with crate versions.
//!
//! ```
//! let cfg = dechrome_gen::GenConfig { sites: 2, pages_per_site: 3, ..Default::default() };
//! let mut jsonl = Vec::new();
//! let stats = dechrome_gen::write_jsonl(&cfg, &mut jsonl).unwrap();
//! assert_eq!(stats.pages, 6);
//! assert_eq!(stats.bytes, jsonl.len() as u64);
//! ```
//!
//! Inside, a corpus is built in stages, one module each: `rng` draws, `lang` writes
//! text in an invented language, `phrases` holds the UI strings, `site` draws a site's
//! template, `article` its stories, `render` lays out one page, `corpus` drives them.

#![warn(missing_docs)]

mod article;
mod charstats;
mod corpus;
mod lang;
mod phrases;
mod render;
mod rng;
mod site;

use std::io;

use serde::Serialize;

pub use charstats::Charset;

/// The page's own article text.
pub const LABEL_CONTENT: &str = "content";
/// Site chrome that recurs on most pages of a site.
pub const LABEL_TEMPLATE: &str = "template";
/// Site-specific pattern with varying fill (dates, bylines, counters).
pub const LABEL_TEMPLATED: &str = "templated";
/// Teasers of other articles of the same site.
pub const LABEL_RELATED: &str = "related";
/// Non-article text occurring on this page only (comments, captions).
pub const LABEL_UNIQUE_CHROME: &str = "unique-chrome";
/// Generic chrome shared by many sites.
pub const LABEL_CROSSSITE: &str = "crosssite";

/// All label kinds, in a stable order.
pub const LABELS: [&str; 6] = [
    LABEL_CONTENT,
    LABEL_TEMPLATE,
    LABEL_TEMPLATED,
    LABEL_RELATED,
    LABEL_UNIQUE_CHROME,
    LABEL_CROSSSITE,
];

/// Configuration for the synthetic crawl generator.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// Number of sites (a minimum when `target_bytes` is set).
    pub sites: usize,
    /// Mean pages per site; with `zipf` spread heavy-tailed, min 1.
    pub pages_per_site: usize,
    /// Spread page counts per site heavy-tailed instead of fixed.
    pub zipf: bool,
    /// Seed; equal seeds give byte-identical output.
    pub seed: u64,
    /// Include wire stories published on several sites.
    pub syndication: bool,
    /// 1 = English-like only, 2 = also a second invented language.
    pub languages: usize,
    /// Keep generating sites until this many (JSONL) bytes were produced.
    pub target_bytes: Option<u64>,
    /// How text is spelled: real-text character statistics (the default) or nearly pure
    /// ASCII as before.
    pub charset: Charset,
    /// Add the hard cases of real crawls, each line marked in [`GenPage::cases`]: comment
    /// lists with a templated line per comment, doubled articles, lead-in lines and lists
    /// inside articles, inline "READ MORE" lines and author bios, social posts embedded in
    /// articles, forum thread pages in place of some articles, and tutorials whose paragraphs
    /// code listings part. Drawn from their own random stream, so the rest of each page is as
    /// without them.
    pub hard_cases: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            sites: 8,
            pages_per_site: 30,
            zipf: false,
            seed: 1,
            syndication: true,
            languages: 2,
            target_bytes: None,
            charset: Charset::RealText,
            hard_cases: false,
        }
    }
}

/// One generated page (serialised as one JSONL line, keys in field order).
#[derive(Debug, Clone, Serialize)]
pub struct GenPage {
    /// Unique id: `domain/position` of the page in its site's order.
    pub id: String,
    /// The site's domain (`name-suffix.example`).
    pub site: String,
    /// The page's url on its site.
    pub url: String,
    /// The page as scraped: one block per line.
    pub text: String,
    /// The lines of `text` labelled [`LABEL_CONTENT`], in order.
    pub gold: String,
    /// One label (of [`LABELS`]) per line of `text`.
    pub labels: Vec<&'static str>,
    /// Per line, the hard case it belongs to (of [`CASES`]) or `""`; empty unless
    /// [`GenConfig::hard_cases`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<&'static str>,
}

/// A comment (its "NAME on DATE at TIME" line and its paragraphs) of a list after the article.
pub const CASE_COMMENT: &str = "comment-list";
/// A line of the second copy of an article the page holds twice.
pub const CASE_DUPLICATE: &str = "duplicate-copy";
/// A line that leads into a list inside the article ("… found:").
pub const CASE_LEAD_IN: &str = "lead-in";
/// A short, unpunctuated line of a list inside the article (dates, items).
pub const CASE_LIST: &str = "in-article-list";
/// An inline "READ MORE: <other story's title>" line inside the body.
pub const CASE_READ_MORE: &str = "read-more";
/// An author bio after the body ("NAME is a reporter at SITE covering …").
pub const CASE_BIO: &str = "bio";
/// A line of a social post embedded in the article (its text, or its "— NAME (@handle)
/// DATE" line): the article quotes it, so it is content, though its shape repeats.
pub const CASE_EMBED: &str = "embedded-post";
/// A content line of a forum thread page (no article): a post's author, date or text.
pub const CASE_THREAD: &str = "thread-post";
/// A chrome line of a forum thread page: a post's role, number or reply button.
pub const CASE_THREAD_CHROME: &str = "thread-chrome";
/// A line of a code listing between two paragraphs (a tutorial's snippet): short, without
/// sentence punctuation, on no other page, and the article's.
pub const CASE_CODE: &str = "code-listing";
/// Every hard case.
pub const CASES: [&str; 10] = [
    CASE_COMMENT,
    CASE_DUPLICATE,
    CASE_LEAD_IN,
    CASE_LIST,
    CASE_READ_MORE,
    CASE_BIO,
    CASE_EMBED,
    CASE_THREAD,
    CASE_THREAD_CHROME,
    CASE_CODE,
];

/// Totals of one generation run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Sites generated.
    pub sites: usize,
    /// Pages generated.
    pub pages: u64,
    /// Exact JSONL bytes for [`write_jsonl`], an estimate for [`generate_pages`].
    pub bytes: u64,
    /// Lines of page text.
    pub lines: u64,
    /// Lines labelled [`LABEL_CONTENT`].
    pub content_lines: u64,
}

/// Streams pages in a deterministic order to `sink`; memory stays bounded
/// (sites are generated one at a time, wire stories are regenerated on demand).
pub fn generate_pages(
    cfg: &GenConfig,
    sink: &mut dyn FnMut(GenPage) -> io::Result<()>,
) -> io::Result<GenStats> {
    corpus::generate(cfg, &mut |p: GenPage| {
        let est = estimate_json_len(&p);
        sink(p)?;
        Ok(est)
    })
}

/// Writes JSONL: one object per page with keys in order id, site, url, text,
/// gold, labels.
pub fn write_jsonl<W: io::Write>(cfg: &GenConfig, out: W) -> io::Result<GenStats> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let stats = corpus::generate(cfg, &mut |p: GenPage| {
        buf.clear();
        serde_json::to_writer(&mut buf, &p).map_err(io::Error::other)?;
        buf.push(b'\n');
        io::Write::write_all(&mut out, &buf)?;
        Ok(buf.len() as u64)
    })?;
    io::Write::flush(&mut out)?;
    Ok(stats)
}

/// About the JSONL length of `p` (newlines escape to two bytes, plus keys and quotes).
fn estimate_json_len(p: &GenPage) -> u64 {
    let newlines = p.text.bytes().filter(|&b| b == b'\n').count()
        + p.gold.bytes().filter(|&b| b == b'\n').count();
    let labels: usize = p.labels.iter().map(|l| l.len() + 3).sum();
    (p.id.len() + p.site.len() + p.url.len() + p.text.len() + p.gold.len() + newlines + labels + 60)
        as u64
}
