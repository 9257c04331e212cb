//! Deciding, block by block, what is chrome and what is the page's own content.
//!
//! The cleaner reads each page against the model and combines three kinds of evidence:
//!
//! 1. **Frequency** (the model): a block on a large share of the site's pages is the site's
//!    template; a block that occurs on several sites is generic chrome; a short block most of
//!    whose tokens recur in the site's short blocks is templated ("By `<name>`", dates).
//! 2. **Shape**: long blocks that read like sentences are content; short, punctuation-free
//!    blocks and separator-laden ones (menus, breadcrumbs) lean to chrome. Nothing here
//!    depends on a language: tokens are Unicode words and sentence punctuation covers the
//!    major scripts.
//! 3. **Context**: an article is a run of blocks. Each block gets a content score (positive
//!    for content evidence, negative for chrome evidence) and a two-state segmentation
//!    (content / chrome) with a cost per switch picks the runs that maximise the score, as a
//!    Viterbi pass. So a short line inside an article ("He said.") stays, and a teaser of
//!    another article, shared with other pages and surrounded by chrome, goes, while the same
//!    text on its own page, surrounded by that article's unique paragraphs, stays.
//! 4. **Vocabulary**: above the article, its header (title, deck, summary bullets) names the
//!    article's subject, so it shares the words of the article's opening; chrome there (a
//!    byline, a box of other stories' titles, a disclaimer on every page of one template era)
//!    does not. This is what tells this page's own title, teased on other pages, from a
//!    template line of the same frequency.
//!
//! Inside the content runs, blocks with hard chrome evidence (site template, cross-site
//! chrome, templated) are still removed. Every block gets a [`Reason`] and the figures behind
//! it, so the CLI can say why each block went.

use rustc_hash::{FxHashMap, FxHashSet};

use xxhash_rust::xxh3::xxh3_64;

use crate::block::Shape;
use crate::bytes::find_byte;
use crate::model::{Model, SiteView};
use crate::shingle::{
    BlockFeatures, PageFeatures, Shingler, KIND_BLOCK, KIND_PREFIX, KIND_SUFFIX, KIND_TOKEN,
};

/// Why a block was kept or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// Kept: content evidence, occurs on no other page of the site.
    KeptUnique,
    /// Kept: occurs on other pages too, but sits inside this page's article.
    KeptShared,
    /// Kept: weak on its own, but inside the article's run of blocks.
    KeptContext,
    /// Kept: the article's header above its first run (title, deck, summary bullets), which
    /// shares the article's words.
    KeptHeader,
    /// Removed: recurs on a large share of the site's pages.
    SiteTemplate,
    /// Removed: occurs on several sites (generic chrome: share rows, cookie lines).
    CrossSite,
    /// Removed: most of its tokens recur in the site's short chrome lines (dates, bylines).
    Templated,
    /// Removed: shared with other pages of the site (a teaser) and outside this page's article.
    Repeated,
    /// Removed: outside the article's run of blocks (menus, captions, comments).
    Context,
}

impl Reason {
    pub const ALL: [Reason; 9] = [
        Reason::KeptUnique,
        Reason::KeptShared,
        Reason::KeptContext,
        Reason::KeptHeader,
        Reason::SiteTemplate,
        Reason::CrossSite,
        Reason::Templated,
        Reason::Repeated,
        Reason::Context,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::KeptUnique => "kept:unique",
            Reason::KeptShared => "kept:shared",
            Reason::KeptContext => "kept:context",
            Reason::KeptHeader => "kept:header",
            Reason::SiteTemplate => "site-template",
            Reason::CrossSite => "cross-site",
            Reason::Templated => "templated",
            Reason::Repeated => "repeated",
            Reason::Context => "context",
        }
    }

    pub fn is_kept(self) -> bool {
        matches!(
            self,
            Reason::KeptUnique | Reason::KeptShared | Reason::KeptContext | Reason::KeptHeader
        )
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decision on one block, with the figures behind it.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    /// Index of the block among the page's blocks.
    pub line: u32,
    /// Byte range of the block in the page text.
    pub start: usize,
    pub end: usize,
    pub keep: bool,
    pub reason: Reason,
    /// Pages of the site that contain this block (model count; 0 when below the model's floor).
    pub site_pages_with: u64,
    /// Pages of the site in the model.
    pub site_pages: u64,
    /// Sites that contain this block.
    pub cross_sites: u64,
    /// Share of the block's tokens that recur in the site's short blocks (short blocks only).
    pub templated: f32,
    /// Content score: positive is content evidence, negative chrome evidence.
    pub score: f32,
}

/// Tunable parameters of the decision. Each has a reason that holds for sites in general; none
/// is fitted to a particular corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CleanConfig {
    /// A block on at least this share of the site's pages (and on ≥ 3 pages) is template.
    /// A tenth: a template element is on every page built from that template, and a site
    /// rarely runs more than a few templates at once; article text shared by a tenth of a
    /// site's pages is unheard of.
    pub template_share: f32,
    /// Blocks with up to this many tokens count as short: chrome candidates for cross-site and
    /// templated evidence. Sentences of prose are longer.
    pub short_tokens: u32,
    /// Blocks with up to this many tokens are labels (menu items, section names, buttons):
    /// when they recur on the site they are template, never a title.
    pub label_tokens: u32,
    /// Token count at which shape evidence is neutral: menu items, labels, bylines and most
    /// headlines are shorter; sentences of prose (15–25 words on average) longer.
    pub neutral_tokens: f32,
    /// Cost of switching between content and chrome in the segmentation, in token units.
    pub switch_cost: f32,
    /// Content score cap for a block shared with other pages but not template: such a block
    /// must be carried by its neighbours to be kept.
    pub shared_cap: f32,
    /// Runs with less than this share of the main run's content evidence are dropped: a
    /// page has one article, and what stands apart from it with much less text is a comment,
    /// a caption block or a teaser.
    pub secondary_share: f32,
    /// How many blocks above the article its header (title, deck, bullets) may reach.
    pub title_reach: usize,
    /// Runs parted only by this many blocks of hard chrome are one article: an inline box
    /// ("Advertisement", "Story continues below") is a line or three, while a share row, an
    /// author box and a comment form after an article's end are more.
    pub inline_box: usize,
    /// A token recurs if it is in short blocks on at least this share of the site's pages.
    pub token_share: f32,
    /// A short block is templated when at least this share of its tokens recur.
    pub templated_share: f32,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            template_share: 0.1,
            short_tokens: 12,
            label_tokens: 4,
            neutral_tokens: 10.0,
            switch_cost: 10.0,
            shared_cap: 2.0,
            token_share: 0.2,
            secondary_share: 0.4,
            title_reach: 12,
            inline_box: 3,
            templated_share: 0.75,
        }
    }
}

/// Evidence about one block before context is applied.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    df: u64,
    cross: u64,
    templ: f32,
    hard: Option<Reason>,
    /// Template by frequency, but possibly this page's own title or lead (see
    /// `settle_scores`).
    soft_template: bool,
    shared: bool,
    /// Occurs more than once on this page.
    page_dup: bool,
    tokens: u32,
    /// Content evidence from shape alone.
    base: f32,
    sentence_end: bool,
    score: f32,
}

/// Model lookups with a cache: a site's template blocks and tokens recur on every page, and a
/// hash table finds them again faster than the fst. Bounded: cleared when full.
struct Lookups<'m> {
    model: &'m Model,
    key: Vec<u8>,
    /// (site key id << 8 | kind, hash) → count; `u64::MAX` in place of the first for
    /// cross-site counts.
    cache: FxHashMap<(u64, u64), u64>,
    /// The model is hash tables already: probe it directly.
    direct: bool,
}

/// Entries a [`Lookups`] cache holds before it is cleared (about 2 MB).
const LOOKUP_CACHE_ENTRIES: usize = 1 << 16;

impl<'m> Lookups<'m> {
    #[inline]
    fn cached(&mut self, id: u64, hash: u64, f: impl FnOnce(&Model, &mut Vec<u8>) -> u64) -> u64 {
        if self.direct {
            return f(self.model, &mut self.key);
        }
        if let Some(&v) = self.cache.get(&(id, hash)) {
            return v;
        }
        let v = f(self.model, &mut self.key);
        if self.cache.len() >= LOOKUP_CACHE_ENTRIES {
            self.cache.clear();
        }
        self.cache.insert((id, hash), v);
        v
    }

    fn site_count(&mut self, view: &SiteView, kind: u8, hash: u64) -> u64 {
        let site = view.key_id();
        if view.pages == 0 || site == 0 {
            return 0;
        }
        self.cached(site << 8 | kind as u64, hash, |m, _| {
            m.site_count(view, kind, hash)
        })
    }

    fn cross_sites(&mut self, hash: u64) -> u64 {
        self.cached(u64::MAX, hash, |m, _| m.cross_sites(hash))
    }
}

/// Cleans pages against a model. One per worker thread: it owns its scratch buffers.
pub struct Cleaner<'m> {
    model: &'m Model,
    cfg: CleanConfig,
    shingler: Shingler,
    lookups: Lookups<'m>,
    ev: Vec<Evidence>,
    state: Vec<bool>,
    back: Vec<[bool; 2]>,
    header: Vec<bool>,
    lexicon: Lexicon,
    hashes: Vec<u64>,
    decisions: Vec<Decision>,
}

impl<'m> Cleaner<'m> {
    pub fn new(model: &'m Model, cfg: CleanConfig) -> Cleaner<'m> {
        Cleaner {
            model,
            cfg,
            shingler: Shingler::new(model.header.params.shingle_max_tokens),
            lookups: Lookups {
                model,
                key: Vec::with_capacity(64),
                cache: FxHashMap::default(),
                direct: model.is_in_memory(),
            },
            ev: Vec::new(),
            state: Vec::new(),
            back: Vec::new(),
            header: Vec::new(),
            lexicon: Lexicon::default(),
            hashes: Vec::new(),
            decisions: Vec::new(),
        }
    }

    /// Decides every block of a page and writes the kept blocks, joined by `\n`, into `out`
    /// (cleared first). Returns the decisions, one per block, in page order.
    pub fn clean_page(&mut self, site: &str, text: &str, out: &mut String) -> &[Decision] {
        let view = self.model.site(site);
        let feats = self.shingler.page_blocks(text);
        let cfg = self.cfg;
        self.ev.clear();
        for b in &feats.blocks {
            let ev = evidence(&mut self.lookups, &cfg, &view, feats, b);
            self.ev.push(ev);
        }
        // A block repeated on the page itself (a carousel, a "most read" box that lists the
        // page's own headline again) is shared too, whatever the model says.
        self.hashes.clear();
        self.hashes.extend(feats.blocks.iter().map(|b| b.hash));
        self.hashes.sort_unstable();
        for (b, e) in feats.blocks.iter().zip(self.ev.iter_mut()) {
            let first = self.hashes.partition_point(|&h| h < b.hash);
            if self.hashes.get(first + 1) == Some(&b.hash) && b.norm.tokens > 0 {
                e.shared = true;
                e.page_dup = true;
            }
        }
        settle_scores(&mut self.ev, &cfg);
        segment(&self.ev, cfg.switch_cost, &mut self.state, &mut self.back);
        if !self.state.iter().any(|&c| c) {
            // No run of blocks is strong enough to pay for its borders (a page with one short
            // article, or a site seen once): every block with content evidence stands alone.
            segment(&self.ev, 0.0, &mut self.state, &mut self.back);
        }
        self.header.clear();
        self.header.resize(self.ev.len(), false);
        if let Some(main) = select_runs(&self.ev, &mut self.state, &cfg) {
            let first = self.state.iter().position(|&c| c).unwrap_or(main);
            self.lexicon.learn(feats, &self.state, main);
            find_header(
                &self.ev,
                &self.state,
                first,
                &cfg,
                feats,
                &self.lexicon,
                &mut self.header,
            );
        }
        self.decisions.clear();
        out.clear();
        for (i, (b, ev)) in feats.blocks.iter().zip(&self.ev).enumerate() {
            let in_run = self.state[i];
            let reason = match (in_run, ev.hard) {
                _ if self.header[i] && (ev.shared || ev.hard.is_some()) => Reason::KeptShared,
                _ if self.header[i] => Reason::KeptHeader,
                (true, _) if ev.soft_template => Reason::KeptShared,
                (false, _) if ev.soft_template => Reason::SiteTemplate,
                (_, Some(r)) => r,
                (true, None) if ev.shared => Reason::KeptShared,
                (true, None) if ev.score > 0.0 => Reason::KeptUnique,
                (true, None) => Reason::KeptContext,
                (false, None) if ev.shared => Reason::Repeated,
                (false, None) => Reason::Context,
            };
            let keep = reason.is_kept();
            if keep {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&text[b.start..b.end]);
            }
            self.decisions.push(Decision {
                line: i as u32,
                start: b.start,
                end: b.end,
                keep,
                reason,
                site_pages_with: ev.df,
                site_pages: view.pages,
                cross_sites: ev.cross,
                templated: ev.templ,
                score: ev.score,
            });
        }
        &self.decisions
    }
}

/// Content evidence from the block's shape alone, in token units.
fn shape_score(cfg: &CleanConfig, tokens: u32, s: &Shape) -> f32 {
    if tokens == 0 {
        return -cfg.neutral_tokens;
    }
    let mut v = (tokens.min(80) as f32) - cfg.neutral_tokens;
    if s.sentence_end && tokens >= 3 {
        v += 4.0;
    }
    v += s.commas.min(3) as f32;
    v -= 3.0 * s.separators as f32;
    v
}

fn evidence(
    model: &mut Lookups,
    cfg: &CleanConfig,
    view: &SiteView,
    feats: &PageFeatures,
    b: &BlockFeatures,
) -> Evidence {
    let n = view.pages;
    let w = b.norm.tokens;
    let df = model.site_count(view, KIND_BLOCK, b.hash);
    let cross = model.cross_sites(b.hash);
    let short = w <= cfg.short_tokens;
    let base = shape_score(cfg, w, &b.shape);

    let share = if n == 0 { 0.0 } else { df as f32 / n as f32 };
    let template = df >= 3 && share >= cfg.template_share;
    let templ = if short && n >= 3 && df < 2 {
        templated_share(model, cfg, view, feats, b)
    } else {
        0.0
    };
    // A short line that opens or closes like the template's lines ("Posted by …",
    // "…, Staff Writer", "… minutes ago") on a tenth of the site's pages is templated.
    let affix_floor = ((cfg.template_share * n as f32).ceil() as u64).max(3);
    let affix = df < 2
        && n >= 3
        && ((b.prefix != 0 && model.site_count(view, KIND_PREFIX, b.prefix) >= affix_floor)
            || (b.suffix != 0 && model.site_count(view, KIND_SUFFIX, b.suffix) >= affix_floor));
    let templ = if affix { templ.max(1.0) } else { templ };
    // A block on a tenth of the site's pages may still be one article's title or lead, shown
    // as a teaser on the others; only a block on most pages, or one too short to be a title,
    // is template whatever its neighbours.
    let hard = if template && (share >= 0.5 || (w <= cfg.label_tokens && !b.shape.sentence_end)) {
        Some(Reason::SiteTemplate)
    } else if cross >= 2 && short && !b.shape.sentence_end {
        Some(Reason::CrossSite)
    } else if templ >= cfg.templated_share && !b.shape.sentence_end {
        Some(Reason::Templated)
    } else {
        None
    };
    Evidence {
        df,
        cross,
        templ,
        hard,
        soft_template: template && hard.is_none(),
        shared: df >= 2,
        page_dup: false,
        tokens: w,
        base,
        sentence_end: b.shape.sentence_end,
        score: base,
    }
}

/// Settles the score each block brings to the segmentation. Hard chrome weighs as mild chrome
/// (it is removed anyway; a byline between a title and its body must not cut the article in
/// two, while a long template menu does), and a block shared with other pages must be carried
/// by its neighbours.
fn settle_scores(ev: &mut [Evidence], cfg: &CleanConfig) {
    // Whether the nearest following block that is neither chrome nor a weak line is this
    // page's own text or leads into it: a shared block there (a quotation, a lead paragraph
    // teased elsewhere) is scored as what it is, not as a teaser.
    let mut owned_next = false;
    for e in ev.iter_mut().rev() {
        let chrome = e.hard.is_some() || e.soft_template;
        e.score = if chrome {
            e.base.min(0.0) - 4.0
        } else if e.shared && !owned_next {
            // Strictly below zero, so that a run of teasers after an article's end is not
            // taken in for free.
            e.base.min(cfg.shared_cap) - 2.0 * cfg.shared_cap
        } else {
            e.base
        };
        if !chrome && e.base >= 0.0 {
            owned_next = if e.shared {
                owned_next
            } else {
                e.base >= cfg.switch_cost
            };
        }
    }
}

fn templated_share(
    model: &mut Lookups,
    cfg: &CleanConfig,
    view: &SiteView,
    feats: &PageFeatures,
    b: &BlockFeatures,
) -> f32 {
    let toks = feats.tokens_of(b);
    if toks.is_empty() {
        return 0.0;
    }
    let floor = ((cfg.token_share * view.pages as f32).ceil() as u64).max(3);
    let recurring = toks
        .iter()
        .filter(|&&h| model.site_count(view, KIND_TOKEN, h) >= floor)
        .count();
    recurring as f32 / toks.len() as f32
}

/// Keeps the article's runs: the run with the most content evidence, any other run with at
/// least `secondary_share` of its evidence (counting what each block brings beyond a switch), and any run parted from those only by a short box
/// of hard chrome (an article cut in two by an inline "Advertisement" box); smaller runs elsewhere on the
/// page (a comment, a caption, a stray teaser) are dropped. Returns where the main run starts.
fn select_runs(ev: &[Evidence], state: &mut [bool], cfg: &CleanConfig) -> Option<usize> {
    // Each run's blocks (start, end), plain content evidence and the evidence its blocks bring
    // beyond the cost of a switch: what each could pay for standing alone. A list of teasers
    // (a dated title, a one-line blurb, again and again) has many blocks just above zero and
    // little of the latter, an article's paragraphs have much.
    let mut runs: Vec<(usize, usize, f32, f32)> = Vec::new();
    let mut i = 0;
    while i < state.len() {
        if state[i] {
            let start = i;
            let (mut mass, mut beyond) = (0.0, 0.0);
            while i < state.len() && state[i] {
                mass += ev[i].score.max(0.0);
                beyond += (ev[i].score - cfg.switch_cost).max(0.0);
                i += 1;
            }
            runs.push((start, i, mass, beyond));
        } else {
            i += 1;
        }
    }
    // On a page with no block that strong, the plain sum decides.
    let strong = runs.iter().any(|r| r.3 > 0.0);
    let weight = |r: &(usize, usize, f32, f32)| if strong { r.3 } else { r.2 };
    let main = runs
        .iter()
        .enumerate()
        .max_by(|a, b| weight(a.1).total_cmp(&weight(b.1)))?
        .0;
    let main_weight = weight(&runs[main]);
    let mut keep: Vec<bool> = runs
        .iter()
        .map(|r| weight(r) >= cfg.secondary_share * main_weight)
        .collect();
    // A run parted from the article only by the site's template (an inline "Advertisement /
    // Story continues below" box) is the same article, however short.
    let template_gap =
        |a: usize, b: usize| b - a <= cfg.inline_box && ev[a..b].iter().all(|e| e.hard.is_some());
    for k in main + 1..runs.len() {
        if !template_gap(runs[k - 1].1, runs[k].0) || !(keep[k - 1] || k - 1 == main) {
            break;
        }
        keep[k] = true;
    }
    for k in (0..main).rev() {
        if !template_gap(runs[k].1, runs[k + 1].0) || !(keep[k + 1] || k + 1 == main) {
            break;
        }
        keep[k] = true;
    }
    for (k, &(s, e, ..)) in runs.iter().enumerate() {
        if !keep[k] {
            state[s..e].iter_mut().for_each(|x| *x = false);
        }
    }
    let main_start = runs[main].0;
    Some(main_start)
}

/// Two-state Viterbi: picks content/chrome per block maximising the sum of the content blocks'
/// scores minus `switch` per change of state. The page starts and ends in chrome, which is
/// free to leave at the first content block.
fn segment(ev: &[Evidence], switch: f32, state: &mut Vec<bool>, back: &mut Vec<[bool; 2]>) {
    state.clear();
    back.clear();
    // best[s]: best total ending in state s (0 = chrome, 1 = content).
    let mut best = [0.0f32, f32::NEG_INFINITY];
    for e in ev {
        let from_chrome_to_content = best[0] - switch;
        let (c_prev, c_val) = if best[1] >= from_chrome_to_content {
            (true, best[1])
        } else {
            (false, from_chrome_to_content)
        };
        let to_chrome_from_content = best[1] - switch;
        let (n_prev, n_val) = if best[0] >= to_chrome_from_content {
            (false, best[0])
        } else {
            (true, to_chrome_from_content)
        };
        back.push([n_prev, c_prev]);
        best = [n_val, c_val + e.score];
    }
    // Leaving content at the end costs a switch like any other.
    let mut cur = best[1] - switch > best[0];
    state.resize(ev.len(), false);
    for i in (0..ev.len()).rev() {
        state[i] = cur;
        cur = back[i][cur as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_hash_depends_on_the_word_alone() {
        let text = b"storm warning storm stormy a0b9 zzzzzzzzzzzzz storm";
        let hashes: Vec<u64> = Lexicon::words(std::str::from_utf8(text).unwrap()).collect();
        // "a0b9" counts (4 chars, not a folded number); the last "storm" ends the text, where
        // fewer than 8 bytes follow.
        assert_eq!(hashes.len(), 7);
        assert_eq!(hashes[0], hashes[2]);
        assert_eq!(hashes[0], hashes[6]);
        assert_ne!(hashes[0], hashes[3]);
        assert_ne!(hashes[1], hashes[5]);
        let short: std::collections::HashSet<u64> = ["abc", "abcd", "abce", "bcd", "abcdefgh"]
            .iter()
            .map(|w| word_hash(w.as_bytes(), 0, w.as_bytes()))
            .collect();
        assert_eq!(short.len(), 5);
    }

    fn ev(score: f32) -> Evidence {
        Evidence {
            score,
            ..Default::default()
        }
    }

    #[test]
    fn segmentation_bridges_short_gaps_but_not_long_ones() {
        let mut st = Vec::new();
        let mut bk = Vec::new();
        let e: Vec<_> = [
            -7.0, -7.0, 30.0, -5.0, 25.0, -11.0, -11.0, -11.0, 2.0, -11.0,
        ]
        .into_iter()
        .map(ev)
        .collect();
        segment(&e, 10.0, &mut st, &mut bk);
        assert_eq!(
            st,
            vec![false, false, true, true, true, false, false, false, false, false]
        );
    }

    #[test]
    fn header_is_what_shares_the_articles_words() {
        let text = "Ferry strike ends in the harbour town\n\
                    Mayor opens the new bridge over the river\n\
                    By Jane Roe\n\
                    The mayor opened the bridge over the river on Monday, ending years of \
                    delays, and said the river crossing would carry trains by spring.";
        let mut shingler = Shingler::new(12);
        let feats = shingler.page_blocks(text);
        let heading = Evidence {
            tokens: 7,
            base: -3.0,
            ..Default::default()
        };
        let byline = Evidence {
            tokens: 3,
            hard: Some(Reason::Templated),
            ..Default::default()
        };
        // The title is teased on other pages (shared) and still this page's own.
        let title = Evidence {
            shared: true,
            df: 3,
            ..heading
        };
        let body = ev(40.0);
        let state = [false, false, false, true];
        // The header above block 3, with a lexicon from the blocks kept in `known`.
        let header_of = |evs: [Evidence; 4], known: &[bool]| {
            let mut lex = Lexicon::default();
            lex.learn(feats, known, 3);
            let mut header = [false; 4];
            let cfg = CleanConfig::default();
            find_header(&evs, &state, 3, &cfg, feats, &lex, &mut header);
            header
        };
        assert_eq!(
            header_of([heading, title, byline, body], &state),
            [false, true, false, false]
        );
        // When nothing shares the article's words, the nearest unique heading is its title.
        assert_eq!(
            header_of([heading, byline, byline, body], &[false; 4]),
            [true, false, false, false]
        );
    }

    #[test]
    fn short_article_outweighs_a_longer_list_of_teasers() {
        // Four paragraphs, chrome, then forty dated titles and one-line blurbs.
        let mut scores = vec![40.0, 50.0, 30.0, 25.0, -12.0, -12.0, -12.0];
        scores.extend((0..40).map(|i| if i % 2 == 0 { 8.0 } else { 6.0 }));
        let e: Vec<_> = scores.iter().map(|&s| ev(s)).collect();
        let mut state: Vec<bool> = scores.iter().map(|&s| s > 0.0).collect();
        let main = select_runs(&e, &mut state, &CleanConfig::default());
        assert_eq!(main, Some(0));
        assert!(state[..4].iter().all(|&k| k));
        assert!(state[4..].iter().all(|&k| !k), "the teaser list is dropped");
    }

    #[test]
    fn lone_weak_block_between_chrome_is_not_content() {
        let mut st = Vec::new();
        let mut bk = Vec::new();
        let e: Vec<_> = [-5.0, 2.0, -5.0].into_iter().map(ev).collect();
        segment(&e, 10.0, &mut st, &mut bk);
        assert_eq!(st, vec![false, false, false]);
    }
}

/// Marks the article's header: the blocks above its first run, within `title_reach`, that
/// share its words (its title, deck, summary bullets), whether they are unique to the page or
/// teased on other pages of the site (then they are template or shared by frequency, and the
/// words they share with this page's body are what makes them this page's own). Hard chrome,
/// labels and blocks that do not share the article's words (bylines, dates, captions of other
/// stories, lists of other titles) are passed over and stay removed. When no block shares its
/// words, a creative headline may not: the nearest unique heading-shaped block is taken.
fn find_header(
    ev: &[Evidence],
    state: &[bool],
    first: usize,
    cfg: &CleanConfig,
    feats: &PageFeatures,
    lex: &Lexicon,
    header: &mut [bool],
) {
    let mut j = first;
    let mut steps = 0;
    let mut found = false;
    let mut heading = None;
    while j > 0 && steps < cfg.title_reach {
        j -= 1;
        steps += 1;
        let e = &ev[j];
        if state[j] {
            break;
        }
        // A block frequent by count alone may be this page's own title: teased on most pages
        // of a small site, or a wire story's title on every site that runs it. Templated
        // lines (bylines, dates) are chrome by their form, whatever words they share.
        let by_share = matches!(e.hard, Some(Reason::SiteTemplate | Reason::CrossSite));
        if (e.hard.is_some() && !by_share) || e.tokens <= cfg.label_tokens {
            continue;
        }
        let shared = by_share || e.soft_template || (e.shared && !(e.page_dup && e.df < 2));
        if !shared && e.base <= -(cfg.neutral_tokens - cfg.label_tokens as f32) {
            continue;
        }
        if lex.shares_words(feats.normalized_of(&feats.blocks[j])) {
            header[j] = true;
            found = true;
        } else if heading.is_none() && !shared && !e.sentence_end && e.base < cfg.switch_cost {
            heading = Some(j);
        }
    }
    if let (false, Some(h)) = (found, heading) {
        header[h] = true;
    }
}

/// The words of the article's opening blocks, to tell a header block that belongs to the
/// article (its title, deck or bullets name its subject) from chrome above it.
///
/// Memory: one hash per distinct word of at most [`LEXICON_BLOCKS`] blocks.
#[derive(Default)]
struct Lexicon {
    words: FxHashSet<u64>,
}

/// Blocks of the article's main run whose words make the lexicon: the opening of an article
/// names its subject, and a bound keeps the cost per page small.
const LEXICON_BLOCKS: usize = 8;

/// Share of a block's words found in the lexicon for it to belong to the article. A title
/// names its subject in most of its words; a line of chrome (a disclaimer, another story's
/// title) shares only the odd common word.
const LEXICON_SHARE: f32 = 0.3;

/// A hash of the word `w`, which starts at `at` in `text`. Most words fit in 8 bytes: those
/// are read as one number (one load when 8 bytes of `text` follow) and multiplied by an odd
/// constant, which keeps them apart exactly; longer words take xxh3.
#[inline]
fn word_hash(text: &[u8], at: usize, w: &[u8]) -> u64 {
    if w.len() > 8 {
        return xxh3_64(w);
    }
    let x = match text.get(at..at + 8) {
        Some(e) => {
            u64::from_le_bytes(e.try_into().expect("8 bytes")) & (u64::MAX >> (64 - 8 * w.len()))
        }
        None => w.iter().rev().fold(0, |x, &c| x << 8 | c as u64),
    };
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ w.len() as u64
}

impl Lexicon {
    /// Content-bearing words of a normalised block: three characters or more, so that most
    /// function words and folded numbers do not count. Scripts without spaces give few, long
    /// words; they then rarely match, and the heading fallback decides.
    fn words(norm: &str) -> impl Iterator<Item = u64> + '_ {
        let b = norm.as_bytes();
        let mut start = 0;
        std::iter::from_fn(move || {
            let at = start;
            (at <= b.len()).then(|| {
                let end = find_byte(&b[at..], b' ').map_or(b.len(), |i| at + i);
                start = end + 1;
                (at, end)
            })
        })
        .filter_map(move |(at, end)| {
            let w = &b[at..end];
            // Chars are the bytes that do not continue a UTF-8 sequence; 12 bytes hold
            // at least three.
            let long = w.len() >= 12 || w.iter().filter(|&&c| (c as i8) >= -0x40).nth(2).is_some();
            (long && w[0] != b'0').then(|| word_hash(b, at, w))
        })
    }

    fn learn(&mut self, feats: &PageFeatures, state: &[bool], main: usize) {
        self.words.clear();
        let run = feats.blocks[main..].iter().zip(&state[main..]);
        for (b, _) in run.filter(|(_, &kept)| kept).take(LEXICON_BLOCKS) {
            self.words.extend(Self::words(feats.normalized_of(b)));
        }
    }

    /// Whether a normalised block shares enough of its words with the article.
    fn shares_words(&self, norm: &str) -> bool {
        let (mut n, mut hit) = (0u32, 0u32);
        for h in Self::words(norm) {
            n += 1;
            hit += self.words.contains(&h) as u32;
        }
        n > 0 && hit as f32 >= LEXICON_SHARE * n as f32
    }
}
