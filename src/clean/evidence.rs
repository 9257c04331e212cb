//! Evidence about each block on its own, before context: frequency from the model (site
//! template, cross-site chrome, templated lines), shape (length, sentence punctuation,
//! separators), and the vocabulary of the article's opening ([`Lexicon`]) that tells its
//! header from chrome above it. [`settle_scores`] turns the evidence into the score each
//! block brings to the segmentation.

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::xxh3_64;

use super::prior::prior_sites;
use super::{site_share, CleanConfig, Reason};
use crate::block::Shape;
use crate::bytes::find_byte;
use crate::model::{Model, Prior, SiteView};
use crate::shingle::{
    BlockFeatures, PageFeatures, KIND_BLOCK, KIND_PREFIX, KIND_SUFFIX, KIND_TOKEN,
};

/// Evidence about one block before context is applied.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Evidence {
    /// Pages of the site with the block.
    pub df: u64,
    /// On every page of the site (of `min_template_pages` or more).
    pub everywhere: bool,
    /// Sites with the block.
    pub cross: u64,
    /// Sites of the cross-site prior's corpus with the block, where it was asked (see
    /// `prior`).
    pub prior: u64,
    /// Share of the block's tokens that recur in the site's short blocks (1 for a templated
    /// prefix or suffix).
    pub templ: f32,
    /// Chrome evidence that context does not overturn.
    pub hard: Option<Reason>,
    /// Template by frequency, but possibly this page's own title or lead (see
    /// `settle_scores`).
    pub soft_template: bool,
    /// On other pages of the site too (or twice on this one).
    pub shared: bool,
    /// Occurs more than once on this page.
    pub page_dup: bool,
    /// Part of the article's body that other pages of the site hold too (see
    /// `mark_copied_bodies`): scored as what it is, not as a teaser.
    pub copied_body: bool,
    /// One of the copies of the page's own text held twice (see `Cleaner::clean_page`).
    pub own_copy: bool,
    /// Inside a list of like items after the article (see `items`).
    pub item: bool,
    /// Tokens of the normalised block.
    pub tokens: u32,
    /// Content evidence from shape alone (and, for pages read from HTML, the DOM's `dom`).
    pub base: f32,
    /// What the DOM evidence says of the block (token units; 0 for text input), added to
    /// `base` unless the block has hard chrome evidence.
    pub dom: f32,
    /// A top-level heading (`h1`–`h3`) alone under its path on the page: the shape of a
    /// page's own title (HTML input; see `dom::apply`).
    pub dom_heading: bool,
    /// Ends like a sentence.
    pub sentence_end: bool,
    /// Titles or menu entries run together on one line (see
    /// [`CleanConfig::title_run_tokens`]): its length is no content evidence in the
    /// segmentation, though it still counts as an item's text in a list.
    pub title_run: bool,
    /// What the block brings to the segmentation (see `settle_scores`).
    pub score: f32,
}

/// Model lookups with a cache: a site's template blocks and tokens recur on every page, and a
/// hash table finds them again faster than the fst. Bounded: cleared when full.
pub(super) struct Lookups<'m> {
    model: &'m Model,
    prior: Option<&'m Prior>,
    /// (site key id << 8 | kind, hash) → count; `u64::MAX` in place of the first for
    /// cross-site counts.
    cache: FxHashMap<(u64, u64), u64>,
    /// The model is hash tables already: probe it directly.
    direct: bool,
    /// Token and affix counts below this are not in the model
    /// ([`crate::ModelParams::min_affix_pages`]): a floor under them is at least this.
    affix_min: u64,
    /// Token counts below this share of their site's pages are not in the model
    /// ([`crate::ModelParams::token_share_permille`]): a share asked for is at least this.
    token_share_min: f32,
    /// The same for prefix and suffix counts
    /// ([`crate::ModelParams::affix_share_permille`]).
    affix_share_min: f32,
}

/// Entries a [`Lookups`] cache holds before it is cleared (about 2 MB).
const LOOKUP_CACHE_ENTRIES: usize = 1 << 16;

impl<'m> Lookups<'m> {
    pub(super) fn new(model: &'m Model, prior: Option<&'m Prior>) -> Lookups<'m> {
        Lookups {
            model,
            prior,
            cache: FxHashMap::default(),
            direct: model.is_in_memory(),
            affix_min: u64::from(model.header.params.min_affix_pages),
            token_share_min: model.header.params.token_share(),
            affix_share_min: model.header.params.affix_share(),
        }
    }

    #[inline]
    fn cached(&mut self, id: u64, hash: u64, f: impl FnOnce(&Model) -> u64) -> u64 {
        if self.direct {
            return f(self.model);
        }
        if let Some(&v) = self.cache.get(&(id, hash)) {
            return v;
        }
        let v = f(self.model);
        if self.cache.len() >= LOOKUP_CACHE_ENTRIES {
            self.cache.clear();
        }
        self.cache.insert((id, hash), v);
        v
    }

    pub(super) fn site_count(&mut self, view: &SiteView, kind: u8, hash: u64) -> u64 {
        let site = view.key_id();
        if view.pages == 0 || site == 0 {
            return 0;
        }
        if !self.direct && !self.model.may_have_site_feature(view, kind, hash) {
            return 0;
        }
        self.cached(site << 8 | kind as u64, hash, |m| {
            m.site_count(view, kind, hash)
        })
    }

    pub(super) fn cross_sites(&mut self, hash: u64) -> u64 {
        if !self.model.may_be_cross_site(hash) {
            return 0;
        }
        self.cached(u64::MAX, hash, |m| m.cross_sites(hash))
    }
}

/// Content evidence from the block's shape alone, in token units.
fn shape_score(cfg: &CleanConfig, tokens: u32, s: &Shape) -> f32 {
    if tokens == 0 {
        return -cfg.neutral_tokens;
    }
    let mut v = (tokens.min(cfg.max_shape_tokens) as f32) - cfg.neutral_tokens;
    if s.sentence_end && tokens >= cfg.sentence_tokens {
        v += cfg.sentence_bonus;
    }
    v += s.commas.min(cfg.max_commas) as f32;
    v -= cfg.separator_cost * s.separators as f32;
    v
}

/// The evidence on block `b` of a page of the site `view`, from the model and the block's
/// shape.
pub(super) fn evidence(
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
    let prior = prior_sites(model.prior, cfg, view, b.hash);
    let short = w <= cfg.short_tokens;
    let base = shape_score(cfg, w, &b.shape);

    let share = site_share(df, n);
    let template = cfg.is_template(df, n);
    let few = cfg.min_template_pages;
    // Blocks on other pages are shared or template already: templated evidence is for lines
    // unique in full, recurring in part.
    let templ = if short && n >= few && df < 2 {
        templated_share(model, cfg, view, feats, b)
    } else {
        0.0
    };
    // A short line that opens or closes like the template's lines ("Posted by …",
    // "…, Staff Writer", "… minutes ago") on a tenth of the site's pages is templated.
    let affix_share = cfg.template_share.max(model.affix_share_min);
    let affix_floor = ((affix_share * n as f32).ceil() as u64)
        .max(few)
        .max(model.affix_min);
    let affix = df < 2
        && n >= few
        && ((b.prefix != 0 && model.site_count(view, KIND_PREFIX, b.prefix) >= affix_floor)
            || (b.suffix != 0 && model.site_count(view, KIND_SUFFIX, b.suffix) >= affix_floor));
    let templ = if affix { templ.max(1.0) } else { templ };
    // A block on a tenth of the site's pages may still be one article's title or lead, shown
    // as a teaser on the others; only a block on most pages, or one too short to be a title,
    // is template whatever its neighbours.
    let hard = if template
        && (share >= cfg.hard_template_share || (w <= cfg.label_tokens && !b.shape.sentence_end))
    {
        Some(Reason::SiteTemplate)
    } else if cross.max(prior) >= cfg.cross_sites && short && !b.shape.sentence_end {
        Some(Reason::CrossSite)
    } else if templ >= cfg.templated_share && !b.shape.sentence_end {
        Some(Reason::Templated)
    } else {
        None
    };
    Evidence {
        df,
        everywhere: n >= few && df >= n,
        cross,
        prior,
        templ,
        hard,
        soft_template: template && hard.is_none(),
        shared: df >= 2,
        page_dup: false,
        copied_body: false,
        own_copy: false,
        item: false,
        tokens: w,
        base,
        dom: 0.0,
        dom_heading: false,
        sentence_end: b.shape.sentence_end,
        title_run: false,
        score: base,
    }
}

/// Settles the score each block brings to the segmentation. Hard chrome weighs as mild chrome
/// (it is removed anyway; a byline between a title and its body must not cut the article in
/// two, while a long template menu does), and a block shared with other pages must be carried
/// by its neighbours.
pub(super) fn settle_scores(ev: &mut [Evidence], cfg: &CleanConfig) {
    // Whether the nearest following block that is neither chrome nor a weak line is this
    // page's own text or leads into it: a shared block there (a quotation, a lead paragraph
    // teased elsewhere) is scored as what it is, not as a teaser.
    let mut owned_next = false;
    mark_copied_bodies(ev, cfg);
    for e in ev.iter_mut().rev() {
        let chrome = e.hard.is_some() || e.soft_template || e.item;
        e.score = if e.tokens == 0 && e.hard.is_some() {
            // A line of no words that the site or the crawl repeats is a drawn rule ("———",
            // "|"): its chrome cost stands for text that is not the article's, and it holds
            // none. Among menus it stands between chrome that costs on its own; between the
            // article's sections it parts them no more than a blank line.
            0.0
        } else if chrome {
            e.base.min(0.0) - cfg.chrome_cost
        } else if e.shared && !owned_next && !e.copied_body {
            // Strictly below zero, so that a run of teasers after an article's end is not
            // taken in for free.
            e.base.min(cfg.shared_cap) - 2.0 * cfg.shared_cap
        } else if e.title_run {
            e.base.min(0.0)
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

/// Marks the article's body where other pages of the site hold it too (`copied_body`): a
/// stretch of [`COPIED_PARAGRAPHS`] or more paragraphs, each on the same number of the site's
/// pages, that goes on right below a paragraph of the page's own, with nothing between. A
/// story the site runs twice, or an article a round-up page holds in full, is copied as a
/// whole, so each of its paragraphs is on the same pages; teasers after an article's end come
/// under a title each, and an author's bio or a disclaimer is one paragraph (or stands on
/// other pages than the lines around it).
fn mark_copied_bodies(ev: &mut [Evidence], cfg: &CleanConfig) {
    let chrome = |e: &Evidence| e.hard.is_some() || e.soft_template || e.item;
    let paragraph = |e: &Evidence| !chrome(e) && e.base > 0.0 && e.sentence_end;
    ev.iter_mut().for_each(|e| e.copied_body = false);
    let mut i = 0;
    while i < ev.len() {
        let own = !chrome(&ev[i]) && !ev[i].shared && ev[i].base >= cfg.switch_cost;
        i += 1;
        if !own || i == ev.len() {
            continue;
        }
        // Lines held twice on this page are the page's own copies, decided elsewhere.
        let df = ev[i].df;
        let copied = |e: &Evidence| e.shared && !e.page_dup && e.df == df && paragraph(e);
        let end = i + ev[i..].iter().take_while(|e| copied(e)).count();
        if end - i >= COPIED_PARAGRAPHS {
            ev[i..end].iter_mut().for_each(|e| e.copied_body = true);
        }
        i = end.max(i);
    }
}

/// Paragraphs a stretch of the article's body held by other pages needs (see
/// `mark_copied_bodies`): one shared paragraph below an article is as often the author's bio.
const COPIED_PARAGRAPHS: usize = 2;

/// Share of a short block's tokens that are in short blocks on at least `token_share` of the
/// site's pages.
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
    let share = cfg.token_share.max(model.token_share_min);
    let floor = ((share * view.pages as f32).ceil() as u64)
        .max(cfg.min_template_pages)
        .max(model.affix_min);
    let recurring = toks
        .iter()
        .filter(|&&h| model.site_count(view, KIND_TOKEN, h) >= floor)
        .count();
    recurring as f32 / toks.len() as f32
}

/// The words of the article's opening blocks, to tell a header block that belongs to the
/// article (its title, deck or bullets name its subject) from chrome above it.
///
/// Memory: one hash per distinct word of at most [`CleanConfig::lexicon_blocks`] blocks.
#[derive(Default)]
pub(super) struct Lexicon {
    words: FxHashSet<u64>,
    /// The blocks `words` were learned from, while valid for the page at hand: the
    /// segmentation is decided several times a page, mostly with the same opening.
    from: Vec<u32>,
    /// The blocks a learning would take from, to compare with `from`.
    next: Vec<u32>,
    valid: bool,
}

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

    /// Learns the words of the first `cfg.lexicon_blocks` content blocks from `main` on.
    pub(super) fn learn(
        &mut self,
        cfg: &CleanConfig,
        feats: &PageFeatures,
        state: &[bool],
        main: usize,
    ) {
        self.next.clear();
        let kept = (main..state.len()).filter(|&i| state[i]);
        self.next
            .extend(kept.take(cfg.lexicon_blocks).map(|i| i as u32));
        if self.valid && self.next == self.from {
            return;
        }
        self.words.clear();
        for &i in &self.next {
            self.words
                .extend(Self::words(feats.normalized_of(&feats.blocks[i as usize])));
        }
        std::mem::swap(&mut self.from, &mut self.next);
        self.valid = true;
    }

    /// Forgets what was learned: the next page's blocks are others.
    pub(super) fn forget(&mut self) {
        self.valid = false;
    }

    /// (words of the article, words) of a normalised block.
    pub(super) fn hits(&self, norm: &str) -> (u32, u32) {
        let (mut n, mut hit) = (0u32, 0u32);
        for h in Self::words(norm) {
            n += 1;
            hit += self.words.contains(&h) as u32;
        }
        (hit, n)
    }

    /// Whether a normalised block shares enough of its words with the article.
    pub(super) fn shares_words(&self, cfg: &CleanConfig, norm: &str) -> bool {
        let (mut n, mut hit) = (0u32, 0u32);
        for h in Self::words(norm) {
            n += 1;
            hit += self.words.contains(&h) as u32;
        }
        n > 0 && hit as f32 >= cfg.lexicon_share * n as f32
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
}
