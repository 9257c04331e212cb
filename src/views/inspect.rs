//! Looking inside a model: its sites, each site's most frequent blocks, the cross-site chrome,
//! and searches over site names. [`inspect`] answers an [`InspectQuery`] with an
//! [`Inspection`], which renders as text or JSON.
//!
//! The model stores hashes of normalised blocks, never their text, so the only text an `fst`
//! automaton can search in a model is the site names (`P` keys). A [`SiteQuery`] runs a
//! prefix automaton ([`fst::automaton::Str`]) or a regular expression compiled to a lazy DFA
//! (`RegexAutomaton`, an adapter from `regex-automata`'s hybrid DFA to [`fst::Automaton`])
//! over those keys, so the fst skips every branch that cannot match.
//!
//! To show what a frequent block *says*, `find_examples` reads a crawl (normally the one the
//! model was learned from, an [`ExampleSource`]) and keeps the first text seen for each
//! wanted hash. Searching block texts is then a regular expression over those examples. A sidecar of
//! example texts written by `learn` would avoid the extra read, but it costs a second pass (or
//! the text of every block) during learning, so it is left out.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use fst::{Automaton, IntoStreamer, Streamer};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::util::start;
use regex_automata::Anchored;
use serde_json::json;

use crate::block::{blocks, hash_normalized, normalize_into};
use crate::clean::CleanConfig;
use crate::error::{Error, Result};
use crate::input::{InputConfig, Reader};
use crate::model::{Header, Model, FORMAT_VERSION};
use crate::shingle::KIND_BLOCK;

/// Size and parameters of a model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelSummary {
    /// The model's file.
    pub path: PathBuf,
    /// The file format's version.
    pub format_version: u32,
    /// Size of the file.
    pub file_bytes: u64,
    /// The model's header: pages, sites, keys, learning parameters.
    pub header: Header,
    /// Blocks that occur on two or more sites (`G` keys).
    pub cross_site_blocks: u64,
}

/// The fst of a model's shard that holds the keys of tag `tag` (`G`, `P`): what inspection
/// reads. (Only `run` holds a model in memory, and it inspects nothing.)
fn fst_of(model: &Model, tag: u8) -> &fst::Map<crate::model::FstBytes> {
    model
        .tag_shard(tag)
        .expect("inspection runs on models opened from files")
}

/// Describes a model: size, header and the number of cross-site blocks.
fn summary(model: &Model) -> Result<ModelSummary> {
    let file_bytes = std::fs::metadata(&model.path)
        .map_err(|e| Error::io(&model.path, e))?
        .len();
    let mut s = fst_of(model, b'G')
        .range()
        .ge([b'G'])
        .lt([b'H'])
        .into_stream();
    let mut cross = 0u64;
    while s.next().is_some() {
        cross += 1;
    }
    Ok(ModelSummary {
        path: model.path.clone(),
        format_version: FORMAT_VERSION,
        file_bytes,
        header: model.header.clone(),
        cross_site_blocks: cross,
    })
}

/// One frequent block of the model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrequentBlock {
    /// xxh3-64 of the normalised block.
    pub hash: u64,
    /// For a site's block: pages of the site that contain it. For a cross-site block: 0.
    pub pages_with: u64,
    /// `pages_with` over the site's pages (0 for cross-site blocks).
    pub share: f64,
    /// Sites that contain the block (0 when on one site only).
    pub cross_sites: u64,
    /// A text of the block, when an example crawl was read.
    pub example: Option<String>,
}

/// The site's `n` most frequent blocks (ties by hash), most frequent first.
fn top_site_blocks(model: &Model, site: &str, n: usize) -> Vec<FrequentBlock> {
    let pages = model.site(site).pages;
    let mut v: Vec<FrequentBlock> = model
        .site_features(site)
        .into_iter()
        .filter(|&(kind, _, _)| kind == KIND_BLOCK)
        .map(|(_, hash, c)| FrequentBlock {
            hash,
            pages_with: c,
            share: if pages == 0 {
                0.0
            } else {
                c as f64 / pages as f64
            },
            cross_sites: model.cross_sites(hash),
            example: None,
        })
        .collect();
    v.sort_by(|a, b| b.pages_with.cmp(&a.pages_with).then(a.hash.cmp(&b.hash)));
    v.truncate(n);
    v
}

/// The `n` blocks found on most sites, most first (ties by hash). Streams the `G` keys with a
/// bounded heap: memory is `n` entries whatever the model's size.
fn top_cross_site(model: &Model, n: usize) -> Vec<FrequentBlock> {
    if n == 0 {
        return Vec::new();
    }
    let mut heap: BinaryHeap<Reverse<(u64, Reverse<u64>)>> = BinaryHeap::with_capacity(n + 1);
    let mut s = fst_of(model, b'G')
        .range()
        .ge([b'G'])
        .lt([b'H'])
        .into_stream();
    while let Some((k, v)) = s.next() {
        if k.len() != 10 || k[1] != KIND_BLOCK {
            continue;
        }
        let hash = u64::from_be_bytes(k[2..10].try_into().expect("8 bytes"));
        heap.push(Reverse((v, Reverse(hash))));
        if heap.len() > n {
            heap.pop();
        }
    }
    let mut v: Vec<(u64, u64)> = heap
        .into_iter()
        .map(|Reverse((c, Reverse(h)))| (c, h))
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter()
        .map(|(c, hash)| FrequentBlock {
            hash,
            pages_with: 0,
            share: 0.0,
            cross_sites: c,
            example: None,
        })
        .collect()
}

/// Reads a crawl and returns, for each wanted block hash, the first text seen with it (trimmed).
/// With `site`, only that site's pages are read. Stops early once every hash has a text.
/// Unreadable records are skipped: examples are illustrations, not counts.
fn find_examples(
    input: &InputConfig,
    inputs: &[PathBuf],
    site: Option<&str>,
    wanted: &HashSet<u64>,
) -> Result<HashMap<u64, String>> {
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let mut norm = String::new();
    for rec in Reader::new(input.clone(), inputs)? {
        let Ok(rec) = rec else { continue };
        if site.is_some_and(|s| s != rec.site) {
            continue;
        }
        for b in blocks(&rec.text) {
            normalize_into(b.text, &mut norm);
            let h = hash_normalized(&norm);
            if wanted.contains(&h) {
                found.entry(h).or_insert_with(|| b.text.trim().to_string());
            }
        }
        if found.len() == wanted.len() {
            break;
        }
    }
    Ok(found)
}

/// Fills in `example` from `examples`.
fn attach_examples(blocks: &mut [FrequentBlock], examples: &HashMap<u64, String>) {
    for b in blocks {
        b.example = examples.get(&b.hash).cloned();
    }
}

/// Keeps the blocks whose example text matches `re` (unanchored); blocks with no example go.
fn grep_examples(blocks: Vec<FrequentBlock>, re: &regex::Regex) -> Vec<FrequentBlock> {
    blocks
        .into_iter()
        .filter(|b| b.example.as_deref().is_some_and(|t| re.is_match(t)))
        .collect()
}

/// What [`inspect`] looks at.
#[derive(Debug, Clone)]
pub enum InspectQuery {
    /// The sites whose names match.
    Sites(SiteQuery),
    /// One site's most frequent blocks.
    Site(String),
    /// The model as a whole: size, parameters, its largest sites, the cross-site chrome.
    Model,
}

/// Where the example texts of blocks come from: a crawl, normally the one the model was
/// learned from.
#[derive(Debug, Clone)]
pub struct ExampleSource {
    /// How to read the crawl (fields, site key).
    pub input: InputConfig,
    /// The crawl's files.
    pub inputs: Vec<PathBuf>,
    /// Keep only the blocks whose example matches (unanchored). For a site, all of its
    /// recurring blocks are searched, not only the top ones.
    pub grep: Option<regex::Regex>,
}

/// How [`inspect`] looks.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// How many sites or blocks to list.
    pub top: usize,
    /// Example texts of the blocks, when a crawl is given.
    pub examples: Option<ExampleSource>,
    /// The cleaner's configuration, whose template rule marks a site's template blocks.
    pub clean: CleanConfig,
}

/// What [`inspect`] found, to render as text ([`Inspection::render`]) or JSON
/// ([`Inspection::to_json`]).
#[derive(Debug, Clone)]
pub enum Inspection {
    /// Sites matching a [`SiteQuery`], with their page counts, in name order.
    Sites(Vec<(String, u64)>),
    /// One site's most frequent blocks.
    Site {
        /// The site's name.
        site: String,
        /// Pages of the site in the model.
        pages: u64,
        /// Its most frequent blocks, most frequent first.
        blocks: Vec<FrequentBlock>,
        /// The configuration whose template rule marks blocks.
        clean: CleanConfig,
        /// Whether example texts were looked for.
        have_examples: bool,
    },
    /// The model as a whole.
    Model {
        /// Size, header and cross-site block count.
        summary: ModelSummary,
        /// The sites with most pages (ties by name), up to the `top` asked for.
        sites: Vec<(String, u64)>,
        /// Sites in the model.
        site_count: usize,
        /// The blocks on most sites.
        cross_site: Vec<FrequentBlock>,
        /// Whether example texts were looked for.
        have_examples: bool,
    },
}

/// Looks at what the query asks for. A site not in the model is an error.
pub fn inspect(model: &Model, q: &InspectQuery, o: &InspectOptions) -> Result<Inspection> {
    let ex = o.examples.as_ref();
    Ok(match q {
        InspectQuery::Sites(q) => Inspection::Sites(search_sites(model, q)?),
        InspectQuery::Site(site) => {
            let pages = model.site(site).pages;
            if pages == 0 {
                return Err(Error::Config(format!("site {site:?} is not in the model")));
            }
            let grep = ex.is_some_and(|e| e.grep.is_some());
            let n = if grep { usize::MAX } else { o.top };
            let blocks = top_site_blocks(model, site, n);
            Inspection::Site {
                site: site.clone(),
                pages,
                blocks: with_examples(ex, Some(site), blocks, o.top)?,
                clean: o.clean,
                have_examples: ex.is_some(),
            }
        }
        InspectQuery::Model => {
            let summary = summary(model)?;
            let mut sites = model.sites();
            sites.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            let site_count = sites.len();
            sites.truncate(o.top);
            let global = top_cross_site(model, o.top);
            Inspection::Model {
                summary,
                sites,
                site_count,
                cross_site: with_examples(ex, None, global, o.top)?,
                have_examples: ex.is_some(),
            }
        }
    })
}

/// Adds example texts to the blocks (and keeps the `top` that match `grep`, if given).
fn with_examples(
    ex: Option<&ExampleSource>,
    site: Option<&str>,
    mut blocks: Vec<FrequentBlock>,
    top: usize,
) -> Result<Vec<FrequentBlock>> {
    let Some(ex) = ex else {
        return Ok(blocks);
    };
    let wanted: HashSet<u64> = blocks.iter().map(|b| b.hash).collect();
    let found = find_examples(&ex.input, &ex.inputs, site, &wanted)?;
    attach_examples(&mut blocks, &found);
    if let Some(re) = &ex.grep {
        blocks = grep_examples(blocks, re);
        blocks.truncate(top);
    }
    Ok(blocks)
}

impl Inspection {
    /// The terminal view: tables of sites and blocks.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match self {
            Inspection::Sites(found) => {
                let _ = writeln!(out, "{} matching sites", found.len());
                for (s, p) in found {
                    let _ = writeln!(out, "{p:>8}  {s}");
                }
            }
            Inspection::Site {
                site,
                pages,
                blocks,
                clean,
                have_examples,
            } => render_site(&mut out, site, *pages, blocks, clean, *have_examples),
            Inspection::Model {
                summary,
                sites,
                site_count,
                cross_site,
                have_examples,
            } => render_model(
                &mut out,
                summary,
                sites,
                *site_count,
                cross_site,
                *have_examples,
            ),
        }
        out
    }

    /// The machine view.
    pub fn to_json(&self) -> serde_json::Value {
        let site_json = |(s, p): &(String, u64)| json!({"site": s, "pages": p});
        match self {
            Inspection::Sites(found) => found.iter().map(site_json).collect(),
            Inspection::Site {
                site,
                pages,
                blocks,
                clean,
                ..
            } => json!({
                "site": site,
                "pages": pages,
                "template_share": clean.template_share as f64,
                "blocks": blocks.iter().map(block_json).collect::<Vec<_>>(),
            }),
            Inspection::Model {
                summary,
                sites,
                cross_site,
                ..
            } => json!({
                "model": summary,
                "sites": sites.iter().map(site_json).collect::<Vec<_>>(),
                "cross_site": cross_site.iter().map(block_json).collect::<Vec<_>>(),
            }),
        }
    }
}

fn block_json(b: &FrequentBlock) -> serde_json::Value {
    json!({
        "hash": format!("{:016x}", b.hash),
        "pages_with": b.pages_with,
        "share": b.share,
        "cross_sites": b.cross_sites,
        "example": b.example,
    })
}

/// A block's example text, quoted and cut to 70 characters, or why there is none.
fn example_cell(b: &FrequentBlock, have_examples: bool) -> String {
    match &b.example {
        Some(t) => {
            let t: String = if t.chars().count() > 70 {
                t.chars().take(69).chain(['…']).collect()
            } else {
                t.clone()
            };
            format!("{t:?}")
        }
        None if have_examples => "(not found in the examples)".into(),
        None => "(pass --examples INPUT for text)".into(),
    }
}

fn render_site(
    out: &mut String,
    site: &str,
    pages: u64,
    blocks: &[FrequentBlock],
    clean: &CleanConfig,
    have_ex: bool,
) {
    let _ = writeln!(out, "site {site}: {pages} pages in the model");
    let _ = writeln!(
        out,
        "most frequent blocks (T: on ≥ {:.0}% of the pages, removed as site-template; sites: sites that have it, when more than this one)",
        100.0 * clean.template_share as f64
    );
    let _ = writeln!(
        out,
        "{:>6} {:>6}   {:>5}  {:<16}  example",
        "pages", "share", "sites", "hash"
    );
    for b in blocks {
        let t = if clean.is_template(b.pages_with, pages) {
            'T'
        } else {
            ' '
        };
        let _ = writeln!(
            out,
            "{:>6} {:>5.1}% {t} {:>5}  {:016x}  {}",
            b.pages_with,
            100.0 * b.share,
            b.cross_sites,
            b.hash,
            example_cell(b, have_ex)
        );
    }
    if blocks.is_empty() {
        out.push_str("(no block recurs on two or more of its pages)\n");
    }
}

fn render_model(
    out: &mut String,
    sum: &ModelSummary,
    sites: &[(String, u64)],
    site_count: usize,
    global: &[FrequentBlock],
    have_ex: bool,
) {
    let h = &sum.header;
    let _ = writeln!(
        out,
        "model {}: {} bytes, format {}, {}",
        sum.path.display(),
        sum.file_bytes,
        sum.format_version,
        if h.partial {
            "partial (for merge)"
        } else {
            "final"
        }
    );
    let _ = writeln!(
        out,
        "learned from {} pages of {} sites; {} keys; {} cross-site blocks; shingle_max_tokens {}",
        h.pages, h.sites, h.keys, sum.cross_site_blocks, h.params.shingle_max_tokens
    );
    let _ = writeln!(
        out,
        "\nsites ({} of {}, most pages first)",
        sites.len(),
        site_count
    );
    for (s, p) in sites {
        let _ = writeln!(out, "{p:>8}  {s}");
    }
    let _ = writeln!(out, "\ncross-site chrome (blocks on most sites)");
    let _ = writeln!(out, "{:>6}  {:<16}  example", "sites", "hash");
    for b in global {
        let _ = writeln!(
            out,
            "{:>6}  {:016x}  {}",
            b.cross_sites,
            b.hash,
            example_cell(b, have_ex)
        );
    }
    if global.is_empty() {
        out.push_str("(no block occurs on two or more sites)\n");
    }
}

/// How to search site names.
#[derive(Debug, Clone)]
pub enum SiteQuery {
    /// Names starting with this string.
    Prefix(String),
    /// Names matched in full by this regular expression (anchored at both ends, as with
    /// fst's own automata: use `.*news.*` to find "news" anywhere).
    Regex(String),
}

/// Sites whose names match the query, with their page counts, in name order. The search runs
/// an automaton over the model's fst, so it costs the matching names, not the whole model.
fn search_sites(model: &Model, q: &SiteQuery) -> Result<Vec<(String, u64)>> {
    // Site page counts are the keys `P` + name: the automaton reads the tag byte first.
    Ok(match q {
        SiteQuery::Prefix(p) => stream_sites(
            model,
            Tagged::new(b'P', fst::automaton::Str::new(p).starts_with()),
        ),
        SiteQuery::Regex(r) => stream_sites(model, Tagged::new(b'P', RegexAutomaton::new(r)?)),
    })
}

fn stream_sites<A: Automaton>(model: &Model, a: A) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut s = fst_of(model, b'P').search(a).into_stream();
    while let Some((k, v)) = s.next() {
        out.push((String::from_utf8_lossy(&k[1..]).into_owned(), v));
    }
    out
}

/// An automaton that reads one tag byte, then runs `inner` on the rest of the key.
#[derive(Debug)]
struct Tagged<A> {
    tag: u8,
    inner: A,
}

impl<A> Tagged<A> {
    fn new(tag: u8, inner: A) -> Tagged<A> {
        Tagged { tag, inner }
    }
}

/// State of a [`Tagged`] automaton.
#[derive(Debug, Clone)]
enum TaggedState<S> {
    /// Before the tag byte.
    Start,
    /// The tag byte did not match.
    Dead,
    /// After the tag byte: the inner automaton's state.
    Inner(S),
}

impl<A: Automaton> Automaton for Tagged<A> {
    type State = TaggedState<A::State>;
    fn start(&self) -> Self::State {
        TaggedState::Start
    }
    fn is_match(&self, s: &Self::State) -> bool {
        matches!(s, TaggedState::Inner(x) if self.inner.is_match(x))
    }
    fn can_match(&self, s: &Self::State) -> bool {
        match s {
            TaggedState::Start => true,
            TaggedState::Dead => false,
            TaggedState::Inner(x) => self.inner.can_match(x),
        }
    }
    fn will_always_match(&self, s: &Self::State) -> bool {
        matches!(s, TaggedState::Inner(x) if self.inner.will_always_match(x))
    }
    fn accept(&self, s: &Self::State, byte: u8) -> Self::State {
        match s {
            TaggedState::Start if byte == self.tag => TaggedState::Inner(self.inner.start()),
            TaggedState::Inner(x) => TaggedState::Inner(self.inner.accept(x, byte)),
            _ => TaggedState::Dead,
        }
    }
}

/// A regular expression as an [`fst::Automaton`], matching whole keys: `regex-automata`'s
/// lazy (hybrid) DFA, whose states are built on demand into a cache. The cache sits in a
/// `RefCell` because fst's trait takes `&self`; one automaton serves one search at a time.
struct RegexAutomaton {
    dfa: DFA,
    cache: RefCell<Cache>,
}

impl std::fmt::Debug for RegexAutomaton {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegexAutomaton")
    }
}

impl RegexAutomaton {
    /// Compiles `pattern`; an invalid one is a configuration error.
    fn new(pattern: &str) -> Result<RegexAutomaton> {
        let dfa = DFA::new(pattern).map_err(|e| {
            Error::Config(format!(
                "invalid regular expression {pattern:?}: {e}; see https://docs.rs/regex for the syntax"
            ))
        })?;
        let cache = RefCell::new(dfa.create_cache());
        Ok(RegexAutomaton { dfa, cache })
    }
}

impl Automaton for RegexAutomaton {
    /// `None`: dead (no key with this prefix can match), or the DFA gave up.
    type State = Option<LazyStateID>;

    fn start(&self) -> Self::State {
        let cfg = start::Config::new().anchored(Anchored::Yes);
        self.dfa
            .start_state(&mut self.cache.borrow_mut(), &cfg)
            .ok()
    }

    fn is_match(&self, state: &Self::State) -> bool {
        // DFA matches are delayed by one byte: feed the end of input to see whether the key
        // read so far matches.
        match state {
            Some(s) => self
                .dfa
                .next_eoi_state(&mut self.cache.borrow_mut(), *s)
                .is_ok_and(|e| e.is_match()),
            None => false,
        }
    }

    fn can_match(&self, state: &Self::State) -> bool {
        state.is_some_and(|s| !s.is_dead() && !s.is_quit())
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        let s = (*state)?;
        let n = self
            .dfa
            .next_state(&mut self.cache.borrow_mut(), s, byte)
            .ok()?;
        (!n.is_dead() && !n.is_quit()).then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{self, Counter, SiteTable};

    fn model_with_sites(names: &[&str]) -> (tempfile::TempDir, Model) {
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        for (i, n) in names.iter().enumerate() {
            let id = sites.intern(n);
            for _ in 0..=i {
                c.add_page(id, &[(KIND_BLOCK, 7), (KIND_BLOCK, 100 + i as u64)]);
            }
        }
        model::test_model(c, &sites)
    }

    #[test]
    fn site_search_by_prefix_and_regex() {
        let (_d, m) = model_with_sites(&["news.example", "newt.example", "blog.example"]);
        let names = |v: Vec<(String, u64)>| v.into_iter().map(|x| x.0).collect::<Vec<_>>();
        let p = search_sites(&m, &SiteQuery::Prefix("new".into())).unwrap();
        assert_eq!(names(p), vec!["news.example", "newt.example"]);
        let r = search_sites(&m, &SiteQuery::Regex("ne[w]s\\..*".into())).unwrap();
        assert_eq!(r, vec![("news.example".to_string(), 1)]);
        // Anchored: "example" alone matches no whole name.
        assert!(search_sites(&m, &SiteQuery::Regex("example".into()))
            .unwrap()
            .is_empty());
        let all = search_sites(&m, &SiteQuery::Regex(".*\\.example".into())).unwrap();
        assert_eq!(all.len(), 3);
        assert!(RegexAutomaton::new("(").is_err());
    }

    #[test]
    fn frequent_blocks_are_ordered_and_cross_site_counted() {
        let (_d, m) = model_with_sites(&["a.example", "b.example", "c.example"]);
        let top = top_site_blocks(&m, "c.example", 10);
        // c.example has 3 pages with blocks 7 and 102 on each.
        assert_eq!(top.len(), 2);
        assert!(top.iter().all(|b| b.pages_with == 3 && b.share == 1.0));
        assert_eq!(top[0].hash, 7);
        assert_eq!(top[0].cross_sites, 3);
        let g = top_cross_site(&m, 5);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].hash, g[0].cross_sites), (7, 3));
        let s = summary(&m).unwrap();
        assert_eq!(s.cross_site_blocks, 1);
        assert_eq!(s.header.sites, 3);
    }
}
