//! Deciding, block by block, what is chrome and what is the page's own content.
//!
//! The cleaner reads each page against the model and combines four kinds of evidence:
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
//!
//! The parts: this module holds the API ([`Cleaner`], [`CleanConfig`], [`Decision`],
//! [`Reason`]) and the per-page driver; `evidence` scores each block from the model and its
//! shape (1, 2) and holds the article's vocabulary (4); `segment` finds the article's runs and
//! its header (3, 4).

mod dom;
mod evidence;
mod items;
mod prior;
mod segment;

use rustc_hash::FxHashSet;

use crate::input::BlockDom;
use crate::model::{Model, Prior, SiteView};
use crate::shingle::{PageFeatures, Shingler};

pub use dom::{page_features as dom_features, path_name, DomFigures};

use evidence::{evidence, Evidence, Lookups};
use items::{inner_lists, slideshow_captions, ItemLists};
use segment::Runs;

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
    /// Removed: a second copy of a block this page keeps elsewhere (a print copy or a hidden
    /// duplicate of the article).
    DuplicateCopy,
    /// Removed: an item of a list of like items set apart after the article (comments,
    /// teasers), each opened or closed by a line of one template.
    ItemList,
    /// Removed: outside the article, and mostly links, or under a DOM path whose text is
    /// links on most of the site's pages (menus, related lists; HTML input only).
    DomLinks,
    /// Removed: under a container named as the site's comments (a class or id `comment`,
    /// `comments`), recurring on the site's pages, on a page whose article stands outside it
    /// (readers' comments below a post; HTML input only).
    DomComments,
    /// Removed: under a container named as set-in media (a class or id `gallery`,
    /// `slideshow`, `embed`, `tweet`: photos and their captions, embedded posts), on a page
    /// whose article stands outside it (HTML input only).
    DomMedia,
    /// Removed: a line of prose shared with other pages of the site, under a DOM path that is
    /// on at least half the site's pages and never held the article (the site's boilerplate:
    /// a disclaimer, an about box, an archive's banner; HTML input only).
    DomShared,
}

impl Reason {
    /// Every reason, in [`Reason::index`] order: kept ones first.
    pub const ALL: [Reason; 15] = [
        Reason::KeptUnique,
        Reason::KeptShared,
        Reason::KeptContext,
        Reason::KeptHeader,
        Reason::SiteTemplate,
        Reason::CrossSite,
        Reason::Templated,
        Reason::Repeated,
        Reason::Context,
        Reason::DuplicateCopy,
        Reason::ItemList,
        Reason::DomLinks,
        Reason::DomComments,
        Reason::DomMedia,
        Reason::DomShared,
    ];

    /// The reason's name as the CLI, the JSON views and the stats print it.
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
            Reason::DuplicateCopy => "duplicate-copy",
            Reason::ItemList => "item-list",
            Reason::DomLinks => "dom-links",
            Reason::DomComments => "dom-comments",
            Reason::DomMedia => "dom-media",
            Reason::DomShared => "dom-shared",
        }
    }

    /// Whether a block with this reason is kept.
    pub fn is_kept(self) -> bool {
        matches!(
            self,
            Reason::KeptUnique | Reason::KeptShared | Reason::KeptContext | Reason::KeptHeader
        )
    }

    /// Whether only pages read from HTML can have this reason and tables leave it out while
    /// nothing has it (so text runs print the tables they did before it existed).
    pub fn html_only(self) -> bool {
        matches!(
            self,
            Reason::DomComments | Reason::DomMedia | Reason::DomShared
        )
    }

    /// Position in [`Reason::ALL`], for per-reason tables.
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
    /// Start of the block in the page text (bytes).
    pub start: usize,
    /// End of the block in the page text (bytes, exclusive).
    pub end: usize,
    /// Whether the block is kept (`reason.is_kept()`).
    pub keep: bool,
    /// Why it is kept or removed.
    pub reason: Reason,
    /// Pages of the site that contain this block (model count; 0 when below the model's floor).
    pub site_pages_with: u64,
    /// Pages of the site in the model.
    pub site_pages: u64,
    /// Sites that contain this block.
    pub cross_sites: u64,
    /// Sites of the cross-site prior's corpus that contain this block, where the prior was
    /// asked (a site with few pages); 0 otherwise.
    pub prior_sites: u64,
    /// Share of the block's tokens that recur in the site's short blocks (short blocks only).
    pub templated: f32,
    /// Content score: positive is content evidence, negative chrome evidence.
    pub score: f32,
    /// What the DOM said (pages read from HTML only).
    pub dom: Option<DomFigures>,
}

/// [`CleanConfig::min_template_pages`] by default; models leave out the token and affix
/// counts below it ([`crate::ModelParams::min_affix_pages`]).
pub(crate) const DEFAULT_MIN_TEMPLATE_PAGES: u64 = 3;
/// [`CleanConfig::token_share`] by default, in thousandths; models leave out the token counts
/// below that share of their site's pages ([`crate::ModelParams::token_share_permille`]).
pub(crate) const DEFAULT_TOKEN_SHARE_PERMILLE: u32 = 200;
/// [`CleanConfig::template_share`] by default, in thousandths; models leave out the prefix
/// and suffix counts below that share of their site's pages
/// ([`crate::ModelParams::affix_share_permille`]).
pub(crate) const DEFAULT_TEMPLATE_SHARE_PERMILLE: u32 = 100;

/// Tunable parameters of the decision: every threshold the cleaner uses. Each has a reason
/// that holds for sites in general; none is fitted to a particular corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CleanConfig {
    /// A block on at least this share of the site's pages (and on at least
    /// `min_template_pages`) is template. A tenth: a template element is on every page built
    /// from that template, and a site rarely runs more than a few templates at once; article
    /// text shared by a tenth of a site's pages is unheard of. Models leave out the prefix and
    /// suffix counts below the default ([`crate::ModelParams::affix_share_permille`]); with a
    /// model that does, a lower value acts as that one for affixes.
    pub template_share: f32,
    /// A template block on at least this share of the site's pages is removed whatever its
    /// neighbours. Below it (from `template_share`), a frequent block may still be one
    /// article's title or lead, shown as a teaser on the other pages; on half the pages, it is
    /// not.
    pub hard_template_share: f32,
    /// Frequency evidence needs this many pages: a block, token or affix on fewer of the
    /// site's pages is never template or templated, and a site with fewer pages has no
    /// templated evidence. Two pages sharing a line may be an article and its reprint; three
    /// start a pattern. Models leave out the token and affix counts below the default
    /// ([`crate::ModelParams::min_affix_pages`]); with a model that does, a lower value acts as
    /// that one for tokens and affixes.
    pub min_template_pages: u64,
    /// A short block on at least this many sites is generic chrome (share rows, cookie lines):
    /// unrelated sites do not write the same short line otherwise.
    pub cross_sites: u64,
    /// Blocks with up to this many tokens count as short: chrome candidates for cross-site and
    /// templated evidence. Sentences of prose are longer.
    pub short_tokens: u32,
    /// Blocks with up to this many tokens are labels (menu items, section names, buttons):
    /// when they recur on the site they are template, never a title.
    pub label_tokens: u32,
    /// Blocks of at least this many tokens that do not end like a sentence, with
    /// `title_case_share` of their words capitalised, are titles or menu entries run
    /// together on one line, not prose: their length brings no content evidence to the
    /// segmentation. Not a table's row (cells parted by tabs) nor a list of names or
    /// labelled values parted by commas or colons, which are an article's own.
    pub title_run_tokens: u32,
    /// See `title_run_tokens`.
    pub title_case_share: f32,
    /// Token count at which shape evidence is neutral: menu items, labels, bylines and most
    /// headlines are shorter; sentences of prose (15–25 words on average) longer.
    pub neutral_tokens: f32,
    /// Tokens beyond this many bring no more shape evidence: a paragraph this long is content
    /// already, and one huge block (a flattened table, a comment dump) must not outweigh a
    /// whole article.
    pub max_shape_tokens: u32,
    /// Content evidence (in token units) of a block that ends like a sentence and has at least
    /// `sentence_tokens` tokens: prose ends its sentences, menus and labels do not.
    pub sentence_bonus: f32,
    /// Tokens a block needs for its sentence-final punctuation to count ("Yes." or "Menu."
    /// is no sentence of prose).
    pub sentence_tokens: u32,
    /// Sentence-internal punctuation marks (`,` `;` `:`) that count as content evidence, one
    /// token unit each: prose has clauses, chrome rarely does; beyond a few, a list of tags
    /// or names is as likely.
    pub max_commas: u32,
    /// Chrome evidence (in token units) per separator character (`|` `»` `·` …): menus and
    /// breadcrumbs are made of them, prose almost never uses them.
    pub separator_cost: f32,
    /// How much below its shape's score (capped at zero) a block with chrome evidence weighs
    /// in the segmentation: mild, so that a byline between a title and its body does not cut
    /// the article in two, while a long template menu does.
    pub chrome_cost: f32,
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
    /// Models leave out the token counts below the default
    /// ([`crate::ModelParams::token_share_permille`]); with a model that does, a lower value
    /// acts as that one.
    pub token_share: f32,
    /// A short block is templated when at least this share of its tokens recur.
    pub templated_share: f32,
    /// Blocks of the article's main run whose words make its vocabulary: the opening of an
    /// article names its subject, and a bound keeps the cost per page small.
    pub lexicon_blocks: usize,
    /// Share of a block's words found in the article's vocabulary for it to belong to the
    /// article. A title names its subject in most of its words; a line of chrome (a
    /// disclaimer, another story's title) shares only the odd common word.
    pub lexicon_share: f32,
    /// Paragraphs (blocks that pay for a switch) a run needs to be chained to the article as
    /// one of its sections by sharing its words, whatever lies between: an article's section
    /// holds paragraphs, a teaser's blurb or a comment is mostly one.
    pub section_paragraphs: usize,
    /// Items a list needs (comments, teasers, each opened or closed by a line of one
    /// template): two like lines may be chance, three in a row with text between them are a
    /// pattern. Two suffice (when this is above two) for dated signatures right under the
    /// site's template: a "2 comments" heading and its comments.
    pub item_min: usize,
    /// Blocks an item of such a list holds, at most, as a median: a comment or a teaser is a
    /// line of the template, a title and a paragraph or a few; a section of an article, or a
    /// post of a thread, runs longer.
    pub item_blocks: usize,
    /// The cross-site prior is asked about pages of sites with fewer pages than this. A
    /// template used on a tenth of a site's pages (`template_share`) reaches the
    /// `min_template_pages` it needs to be seen by frequency only on sites of
    /// `min_template_pages / template_share` pages (30); below that the site's own counts can
    /// miss its chrome, above it they decide.
    pub prior_max_pages: u64,
    /// DOM evidence (HTML input), in token units: what a path that holds the article on most
    /// pages adds to a block's content evidence, and what a block of links (or a path whose
    /// text is links on most pages) takes away. As much as a label's worth of words below
    /// the neutral length: enough to tip a weak line, not to outweigh a paragraph.
    pub dom_weight: f32,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            template_share: DEFAULT_TEMPLATE_SHARE_PERMILLE as f32 / 1000.0,
            hard_template_share: 0.5,
            min_template_pages: DEFAULT_MIN_TEMPLATE_PAGES,
            cross_sites: 2,
            short_tokens: 12,
            label_tokens: 4,
            title_run_tokens: 20,
            title_case_share: 0.6,
            neutral_tokens: 10.0,
            max_shape_tokens: 80,
            sentence_bonus: 4.0,
            sentence_tokens: 3,
            max_commas: 3,
            separator_cost: 3.0,
            chrome_cost: 4.0,
            switch_cost: 10.0,
            shared_cap: 2.0,
            token_share: DEFAULT_TOKEN_SHARE_PERMILLE as f32 / 1000.0,
            secondary_share: 0.4,
            title_reach: 12,
            inline_box: 3,
            templated_share: 0.75,
            lexicon_blocks: 8,
            lexicon_share: 0.3,
            section_paragraphs: 2,
            item_min: 3,
            item_blocks: 8,
            prior_max_pages: 30,
            dom_weight: 6.0,
        }
    }
}

impl CleanConfig {
    /// The template rule: whether a block on `pages_with` of a site's `site_pages` pages is
    /// the site's template by frequency (on at least `min_template_pages` and on at least
    /// `template_share` of them). `clean` removes such blocks outside the article, and
    /// `inspect` marks them.
    pub fn is_template(&self, pages_with: u64, site_pages: u64) -> bool {
        pages_with >= self.min_template_pages
            && site_share(pages_with, site_pages) >= self.template_share
    }
}

/// `pages_with` over `site_pages` (0 for a site with no pages), in the precision the share
/// thresholds are compared in.
fn site_share(pages_with: u64, site_pages: u64) -> f32 {
    if site_pages == 0 {
        0.0
    } else {
        pages_with as f32 / site_pages as f32
    }
}

/// Cleans pages against a model. One per worker thread: it owns its scratch buffers.
pub struct Cleaner<'m> {
    model: &'m Model,
    cfg: CleanConfig,
    shingler: Shingler,
    lookups: Lookups<'m>,
    page: PageState,
}

impl<'m> Cleaner<'m> {
    /// A cleaner of pages against `model`, deciding by `cfg`, without a cross-site prior.
    pub fn new(model: &'m Model, cfg: CleanConfig) -> Cleaner<'m> {
        Cleaner::with_prior(model, cfg, None)
    }

    /// A cleaner of pages against `model` and, for sites with few pages, the cross-site
    /// `prior` (see [`Prior`]; `None` cleans by the crawl's model alone).
    pub fn with_prior(model: &'m Model, cfg: CleanConfig, prior: Option<&'m Prior>) -> Cleaner<'m> {
        Cleaner {
            model,
            cfg,
            shingler: Shingler::new(model.header.params.shingle_max_tokens),
            lookups: Lookups::new(model, prior),
            page: PageState::default(),
        }
    }

    /// Decides every block of a page and writes the kept blocks, joined by `\n`, into `out`
    /// (cleared first). Returns the decisions, one per block, in page order.
    pub fn clean_page(&mut self, site: &str, text: &str, out: &mut String) -> &[Decision] {
        self.clean_page_with(site, text, None, &[], out)
    }

    /// [`Cleaner::clean_page`] for a page read from HTML: `dom` describes its lines (as
    /// [`crate::input::html_to_blocks`] gives them), and the DOM evidence is weighed in. With
    /// an empty `dom` it is `clean_page`.
    pub fn clean_html_page(
        &mut self,
        site: &str,
        text: &str,
        dom: &[BlockDom],
        out: &mut String,
    ) -> &[Decision] {
        self.clean_page_with(site, text, None, dom, out)
    }

    /// [`Cleaner::clean_html_page`] with the page's features already computed (`feats`, from
    /// [`Shingler::page`] on this `text` with the model's shingle limit), as `run`'s first
    /// pass keeps them; `None` computes them.
    pub fn clean_page_with(
        &mut self,
        site: &str,
        text: &str,
        feats: Option<&PageFeatures>,
        dom: &[BlockDom],
        out: &mut String,
    ) -> &[Decision] {
        let view = self.model.site(site);
        let feats = match feats {
            Some(f) => f,
            None => self.shingler.page(text),
        };
        let page = &mut self.page;
        page.weigh(&mut self.lookups, &self.cfg, &view, text, feats, dom);
        page.segment(&self.cfg, text, feats, dom, view.pages);
        page.decide(text, feats, view.pages, out)
    }
}

/// One page's working state, reused from page to page so that cleaning a page allocates
/// nothing once the buffers have grown to the largest page seen.
#[derive(Default)]
struct PageState {
    ev: Vec<Evidence>,
    runs: Runs,
    items: ItemLists,
    hashes: Vec<u64>,
    /// Hashes of page-repeated blocks already kept once on this page.
    kept_copies: FxHashSet<u64>,
    decisions: Vec<Decision>,
    dom: Vec<DomFigures>,
}

impl PageState {
    /// Each block's evidence: the model's counts and the block's shape, then what the page
    /// itself (blocks it repeats, lists inside it) and its DOM say.
    fn weigh(
        &mut self,
        lookups: &mut Lookups,
        cfg: &CleanConfig,
        view: &SiteView,
        text: &str,
        feats: &PageFeatures,
        dom: &[BlockDom],
    ) {
        self.ev.clear();
        for b in &feats.blocks {
            let mut ev = evidence(lookups, cfg, view, feats, b);
            if ev.tokens >= cfg.title_run_tokens
                && !ev.sentence_end
                && !punctuated_list(&text[b.start..b.end], b.shape.commas, ev.tokens)
                && title_case(&text[b.start..b.end], cfg.title_case_share)
            {
                ev.title_run = true;
            }
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
        slideshow_captions(&mut self.ev, feats, cfg);
        dom::apply(lookups, cfg, view, dom, &mut self.ev, &mut self.dom);
        inner_lists(&mut self.ev, cfg);
    }

    /// The page's runs: the article's and the ones kept beside it, after weighing a text the
    /// page holds twice, a page whose text is all shared, and lists of like items
    /// (`site_pages`: the site's pages in the model).
    fn segment(
        &mut self,
        cfg: &CleanConfig,
        text: &str,
        feats: &PageFeatures,
        dom: &[BlockDom],
        site_pages: u64,
    ) {
        // What one copy of the blocks that only this page has, repeated on it, brings beyond
        // the cost of a switch: the weight of a print copy or hidden duplicate of the article.
        self.kept_copies.clear();
        self.runs.lexicon.forget();
        let mut copies = 0.0;
        for (b, e) in feats.blocks.iter().zip(&self.ev) {
            if e.page_dup && e.df < 2 && self.kept_copies.insert(b.hash) {
                copies += (e.base - cfg.switch_cost).max(0.0);
            }
        }
        let main = self.runs.decide(&mut self.ev, cfg, feats);
        if copies > main {
            // The page's text is mostly held twice: its own text, not a teaser. Scored as the
            // page's own; one copy is kept (in `decide`).
            for e in self.ev.iter_mut().filter(|e| e.page_dup && e.df < 2) {
                e.shared = false;
                e.own_copy = true;
            }
            self.runs.decide(&mut self.ev, cfg, feats);
        }
        // A page that keeps no article, whose text is shared with other pages but not the
        // site's template (the crawl holds the page twice, or its whole article runs
        // elsewhere too): the shared text is its own. A page whose text holds an article
        // never comes out empty.
        let carried = |e: &Evidence| e.shared && e.hard.is_none() && !e.soft_template;
        if !self.runs.main.is_some_and(|(_, w)| w > 0.0) {
            let shared: f32 = (self.ev.iter().filter(|e| carried(e)))
                .map(|e| (e.base - cfg.switch_cost).max(0.0))
                .sum();
            if shared > 0.0 {
                self.ev
                    .iter_mut()
                    .filter(|e| carried(e))
                    .for_each(|e| e.shared = false);
                self.runs.decide(&mut self.ev, cfg, feats);
            }
        }
        self.set_items_apart(cfg, text, feats);
        dom::extend_to_container(dom, &self.ev, &self.dom, &mut self.runs);
        let links = |i: usize| self.dom.get(i).is_some_and(|d| d.weight < 0.0);
        segment::keep_own_gaps(&self.ev, &mut self.runs, links);
        let lead_in = |i: usize| {
            let b = &feats.blocks[i];
            text[b.start..b.end]
                .trim_end()
                .ends_with([':', ';', '：', '；'])
        };
        let hash = |i: usize| feats.blocks[i].hash;
        let marker = |i: usize| {
            let b = &feats.blocks[i];
            let c = text[b.start..b.end].trim_start().chars().next()?;
            (!c.is_alphanumeric() && !c.is_whitespace()).then_some(c)
        };
        segment::keep_introduced_lists(
            &self.ev,
            &mut self.runs,
            lead_in,
            links,
            hash,
            marker,
            cfg.item_min,
        );
        // Only where other pages of the site say which lines are this page's own.
        if site_pages >= 2 {
            segment::keep_short_post(&self.ev, &mut self.runs, links);
        }
    }

    /// Lists of like items (comments, teasers) around the article: when the page has an
    /// article outside them, they are not its text; when it has none (a forum thread, a
    /// list page), the items are the page's content and stay.
    fn set_items_apart(&mut self, cfg: &CleanConfig, text: &str, feats: &PageFeatures) {
        let lexicon = &self.runs.lexicon;
        if !self
            .items
            .mark(text, feats, &mut self.ev, cfg, lexicon, &self.runs.state)
            || !dom::article_is_no_list(&self.dom, &mut self.ev)
        {
            if self.lone_comment(cfg, feats) {
                self.runs.decide(&mut self.ev, cfg, feats);
            }
            return;
        }
        // The article comes before its comments and its page's teasers: a page whose
        // first item comes before any strong run is the list itself, and so is one whose
        // strongest run stands under the items' own lines (a thread's first post).
        let first_item = self.ev.iter().position(|e| e.item).unwrap_or(0);
        self.runs.decide(&mut self.ev, cfg, feats);
        let mut article_first = self.article_before(feats, first_item);
        if !article_first && self.last_item_runs_on(cfg, first_item) {
            self.runs.decide(&mut self.ev, cfg, feats);
            article_first = self.article_before(feats, first_item);
        }
        if !article_first {
            self.ev.iter_mut().for_each(|e| e.item = false);
            self.runs.decide(&mut self.ev, cfg, feats);
            keep_thread(&self.ev, &mut self.runs, &self.items.spans);
        }
    }

    /// Whether the main run is an article before the lists' first item (at `first_item`),
    /// not under one of their lines.
    fn article_before(&self, feats: &PageFeatures, first_item: usize) -> bool {
        (self.runs.main).is_some_and(|(m, w)| {
            w > 0.0 && m < first_item && !self.items.item_above(feats, &self.ev, m)
        })
    }

    /// Whether the main run is a lone comment (a page with no list of items): it stands right
    /// under a signature (a stamp the site templates, another of its pages holds or other
    /// sites write: "Mark08-08-2012"), that under the site's template (a "1 Comment" heading),
    /// and the signature shares none of the article's words, which stands above, its last
    /// paragraph farther than an inline box (a share row, related posts and the heading lie
    /// between). A comment longer than a short post outweighs it and was taken for the
    /// article. A deck above its body's byline and date is closer; a video box's "TITLE 03:31"
    /// inside a story shares its words. Then the run is made an item.
    fn lone_comment(&mut self, cfg: &CleanConfig, feats: &PageFeatures) -> bool {
        let Some((m, _)) = self.runs.main.filter(|&(m, _)| m >= 2) else {
            return false;
        };
        let (ev, sign) = (&self.ev, m - 1);
        let norm = feats.normalized_of(&feats.blocks[sign]);
        let signature = items::is_stamp(norm)
            && ev[sign].tokens <= cfg.short_tokens
            && (matches!(ev[sign].hard, Some(Reason::Templated | Reason::CrossSite))
                || ev[sign].df >= 2);
        let state = &self.runs.state;
        let article = (0..sign - 1)
            .rfind(|&i| state[i] && ev[i].score > cfg.switch_cost)
            .is_some_and(|a| sign - a - 1 > cfg.inline_box);
        if !(signature && ev[sign - 1].hard == Some(Reason::SiteTemplate) && article) {
            return false;
        }
        self.runs.lexicon.learn(cfg, feats, state, m);
        if self.runs.lexicon.shares_words(cfg, norm) {
            return false;
        }
        self.run_is_item(sign, m);
        true
    }

    /// Makes blocks `start` up to the end of the kept run at `m` an item of a list whose lines
    /// open their items.
    fn run_is_item(&mut self, start: usize, m: usize) {
        let state = &self.runs.state;
        let end = (m..state.len()).find(|&k| !state[k]).unwrap_or(state.len());
        self.ev[start..end].iter_mut().for_each(|e| e.item = true);
        self.items.spans.push((start, end));
        self.items.opened.push(true);
    }

    /// Whether the main run is a list's last item running on past where the list reaches (a
    /// long last comment, longer than the items before it, or one under a line of the
    /// site's, such as a greeting): then the run is made an item of the list. The run starts
    /// right below a list whose lines open their items ([`ItemLists::opened`]), with no
    /// prose between, and an article stands above the list, set apart from it by the site's
    /// template (a "N comments" heading): not posts of a thread whose lines the list did not
    /// all catch.
    fn last_item_runs_on(&mut self, cfg: &CleanConfig, first_item: usize) -> bool {
        let Some((m, _)) = self.runs.main else {
            return false;
        };
        let ev = &self.ev;
        let prose = |e: &Evidence| e.hard.is_none() && !e.soft_template && e.base > 0.0;
        let list = (self.items.spans.iter().zip(&self.items.opened))
            .filter(|(&(_, end), &opened)| opened && end <= m && m - end <= 2)
            .map(|(&(_, end), _)| end)
            .find(|&end| !ev[end..m].iter().any(prose));
        let state = &self.runs.state;
        let article = (0..first_item).rfind(|&i| state[i] && ev[i].score > cfg.switch_cost);
        let apart = article.is_some_and(|a| {
            (a..first_item).any(|j| matches!(ev[j].hard, Some(Reason::SiteTemplate)))
        });
        let Some(start) = list.filter(|_| apart && m > first_item) else {
            return false;
        };
        self.run_is_item(start, m);
        true
    }

    /// Each block's decision and reason; the kept blocks joined by `\n` into `out`.
    fn decide(
        &mut self,
        text: &str,
        feats: &PageFeatures,
        site_pages: u64,
        out: &mut String,
    ) -> &[Decision] {
        self.decisions.clear();
        self.kept_copies.clear();
        out.clear();
        for (i, (b, ev)) in feats.blocks.iter().zip(&self.ev).enumerate() {
            let reason = run_reason(self.runs.state[i], self.runs.header[i], ev);
            // Of the copies of a block only this page has, the first kept one stays.
            let reason = if reason.is_kept() && ev.own_copy && !self.kept_copies.insert(b.hash) {
                Reason::DuplicateCopy
            } else {
                reason
            };
            let dom = self.dom.get(i).copied();
            let reason = match reason {
                Reason::Context | Reason::Repeated if dom.is_some_and(|d| d.weight < 0.0) => {
                    Reason::DomLinks
                }
                r => r,
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
                site_pages,
                cross_sites: ev.cross,
                prior_sites: ev.prior,
                templated: ev.templ,
                score: ev.score,
                dom,
            });
        }
        &self.decisions
    }
}

/// Whether a line is a list of names or of labelled values, parted by commas or colons
/// ("Photography: NAME // Venue: PLACE // Cake: NAME …", a list of film titles): three
/// commas or more, and one comma or colon every [`LIST_MARK_TOKENS`] tokens or more often.
/// Titles run together carry one now and then, inside a title ("How to Seed a Pomegranate
/// Mess-Free, in Pictures").
fn punctuated_list(text: &str, commas: u32, tokens: u32) -> bool {
    commas >= 3 && tokens <= LIST_MARK_TOKENS * (commas + text.matches(':').count() as u32)
}

/// Tokens per comma or colon, at most, in a list of names or labelled values (see
/// [`punctuated_list`]): an entry is a name, or a label and its value, of two to six words.
const LIST_MARK_TOKENS: u32 = 8;

/// Whether at least `share` of the words of `text` (those that open with a letter) open
/// with a capital: a run of titles or menu entries on one line ("Top Stories Latest News
/// How To Bake Bread"), not prose, which capitalises the first word of a sentence and names.
/// A table's row, its cells parted by tabs, is the article's own (a schedule, a roster).
fn title_case(text: &str, share: f32) -> bool {
    crate::bytes::word_caps(text)
        .is_some_and(|(words, caps)| words > 0 && caps as f32 >= share * words as f32)
}

/// A block's reason from the segmentation (in a kept run, in the article's header) and its
/// evidence, before copies and DOM links are weighed.
fn run_reason(in_run: bool, header: bool, ev: &Evidence) -> Reason {
    match (in_run, ev.hard) {
        _ if header && (ev.shared || ev.hard.is_some()) => Reason::KeptShared,
        _ if header => Reason::KeptHeader,
        _ if ev.item && ev.hard.is_none() => Reason::ItemList,
        (true, _) if ev.soft_template => Reason::KeptShared,
        (false, _) if ev.soft_template => Reason::SiteTemplate,
        (_, Some(r)) => r,
        (true, None) if ev.shared || ev.df >= 2 => Reason::KeptShared,
        (true, None) if ev.score > 0.0 => Reason::KeptUnique,
        (true, None) => Reason::KeptContext,
        (false, None) if ev.shared => Reason::Repeated,
        (false, None) => Reason::Context,
    }
}

/// A page that is a list of like items (a forum thread, a page of comments or of posts, with
/// no article before them): its items are its content, short ones ("Great post!") and
/// signatures too, though a post of a line does not pay for its borders in the segmentation.
/// So every block of the list that holds the main run, but its chrome, is kept.
fn keep_thread(ev: &[Evidence], runs: &mut Runs, spans: &[(usize, usize)]) {
    let Some((main, _)) = runs.main else {
        return;
    };
    let Some(&(start, end)) = spans.iter().find(|s| s.0 <= main && main < s.1) else {
        return;
    };
    for (e, st) in ev[start..end].iter().zip(&mut runs.state[start..end]) {
        *st |= e.hard.is_none() && !e.soft_template && e.tokens > 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuated_lists_are_told_from_titles_with_a_comma_or_two() {
        let count = |t: &str| {
            (
                t.matches(',').count() as u32,
                t.split_whitespace().count() as u32,
            )
        };
        let credits = "Photography: Ann Lee Studio // Venue: A Barn in Napa // Cake: Sweet On \
                       Cake // Flowers: Rose, Fern and Moss // Gown: Lovely Bride // Shoes: \
                       Valentino // Dresses: Zara, Club Monaco, Free People";
        let (c, t) = count(credits);
        assert!(punctuated_list(credits, c, t));
        let films = "Casablanca, Vertigo, Rear Window, Psycho, Notorious, The Birds, Rebecca";
        let (c, t) = count(films);
        assert!(punctuated_list(films, c, t));
        // Regression (a food blog's "You Might Also Like" line in dragnet-dev): three commas
        // inside seventy words of titles made it a list, and its length outweighed the post.
        let titles = "10 Fall Cocktails to Toast to This Thanksgiving How to Seed a Pomegranate \
                      Mess-Free, in Pictures How to Caramelize Onions 10 Quintessentially \
                      American Dishes Bread Winner: The Easiest Loaf You Will Ever Bake 6 \
                      Champagne Cocktails For the Holidays 2011 Holiday Gift Guides: Kitchen \
                      Gadgets, Stocking Stuffers, and What to Get Guys 10 Hostess Gifts to Bring";
        let (c, t) = count(titles);
        assert!(c >= 3 && !punctuated_list(titles, c, t));
    }

    #[test]
    fn title_case_tells_titles_run_together_from_prose() {
        let share = CleanConfig::default().title_case_share;
        let titles = "12 Thoughtful Edible Gifts For the Holidays How to Seed a Pomegranate \
                      Mess-Free in Pictures Bread Winner The Easiest Loaf You Will Ever Bake";
        assert!(title_case(titles, share));
        let prose = "One of the main stresses in my life happens to be doing the dishes after \
                     a long day at work with Anna and the kids";
        assert!(!title_case(prose, share));
        // A table's row is the article's, whatever its case; a script without case is prose.
        assert!(!title_case(
            "Week\tMonday Rest\tTuesday Easy Run\tWednesday Hill Reps",
            share
        ));
        assert!(!title_case(
            "東京 大阪 京都 名古屋 札幌 福岡 神戸 横浜",
            share
        ));
    }
}
