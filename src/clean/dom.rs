//! DOM evidence, for pages read from HTML: where a block sits in the page's tree, learned per
//! site and across sites.
//!
//! The model counts, per site, three things about each path signature (see
//! [`crate::input::BlockDom`]): the pages it occurs on, the pages where it holds the page's
//! article (the most prose of any path on the page, or at least half as much), and the pages
//! where its text is mostly links (menus, related lists, tag clouds). A path that holds the
//! article on most of the site's pages marks the article even where the text alone is weak
//! (a short paragraph, a shared quotation); a path whose text is links on most pages is chrome
//! even when the links' text is unique (another story's title). For sites with too few pages
//! to tell, the same counts are taken across sites for the path's *name* (its innermost
//! element with a class or id, `div.comment-body`, `ul.related`): each site counts once, so
//! names that mean the same on many sites become generic evidence learned from the crawl
//! itself, not from a list. A block's own link density says which of the two applies: a
//! block of links under a path of links is chrome; a block of links alone is not evidence
//! (a blog's post titles and a page of references are links too).
//!
//! The evidence goes into the block's shape score (`Evidence::base`) before the segmentation,
//! so context still decides: it tips weak blocks, it does not overrule hard chrome. Text
//! input has no DOM side array and is cleaned exactly as without this module.

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::evidence::{Evidence, Lookups};
use super::segment::Runs;
use super::CleanConfig;
use crate::input::BlockDom;
use crate::model::SiteView;
use crate::shingle::{
    KIND_NAME, KIND_NAME_LINKS, KIND_NAME_MAIN, KIND_PATH, KIND_PATH_LINKS, KIND_PATH_MAIN,
};

/// Seeds that keep path and name hashes apart from block hashes and from each other (the
/// cross-site counts of names share one table with blocks').
const SEEDS: [u64; 6] = [
    0x646f_6d70_6174_6801,
    0x646f_6d70_6174_6802,
    0x646f_6d70_6174_6803,
    0x646f_6d6e_616d_6501,
    0x646f_6d6e_616d_6502,
    0x646f_6d6e_616d_6503,
];

/// Words a line needs to count as prose when the article's path is picked: shorter lines are
/// labels, menu items and headlines, on any site.
const PROSE_WORDS: u32 = 10;

/// One path of a page, with what the page says about it.
#[derive(Debug, Clone, Copy, Default)]
struct PathOnPage {
    /// Words in its prose lines.
    prose: u32,
    /// Characters of its text, and those inside links.
    chars: f32,
    link_chars: f32,
}

/// The name of a path: its innermost element with a class or id (`None` when it has none).
pub fn path_name(path: &str) -> Option<&str> {
    path.rsplit('>').find(|s| s.contains(['.', '#']))
}

/// Whether a path runs through a container named as comments: an element with a class or id
/// word holding `comment` (`div.comment-body`, `ol.commentlist`, `div#comments`,
/// `div#postcomments`, `p.comment-content`). The convention of every blog engine and comment
/// service (WordPress, Blogger, Disqus, Drupal), so a generic name, not a site's; the words
/// `commentary` and `commentator` (an opinion section, its writer) are articles, not it.
pub fn comment_path(path: &str) -> bool {
    name_words(path).any(|w| {
        has_word_part(w, "comment")
            && !has_word_part(w, "commentar")
            && !has_word_part(w, "commentator")
    })
}

/// The words of a path's class and id names (`div#post-comments.x_y` → `post`, `comments`,
/// `x`, `y`), as written.
fn name_words(path: &str) -> impl Iterator<Item = &str> {
    (path.split('>'))
        .flat_map(|el| el.split(['.', '#']).skip(1))
        .flat_map(|name| name.split(['-', '_']))
}

/// Whether `word` holds `part` (lower-case ASCII), whatever the word's case: compared in
/// place, since it is asked of every block's path.
fn has_word_part(word: &str, part: &str) -> bool {
    (word.as_bytes().windows(part.len())).any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
}

/// Whether a path runs through a container named as media set into the page: an element
/// with a class or id word holding `gallery` or `slideshow` (a row of photos and their
/// captions: `div.gallery-item`, `div#photo-gallery`), `embed` (a post, video or story of
/// another page shown in this one: `div.embed-container`, `div.trb_embed_related`) or
/// `tweet` (the markup every site's embedded tweet comes in, `blockquote.twitter-tweet`).
/// The conventions of every CMS and of the embedding services, so generic names, not a
/// site's: what such a container holds stands beside an article, not in it.
pub fn media_path(path: &str) -> bool {
    name_words(path).any(|w| {
        ["gallery", "slideshow", "embed", "tweet"]
            .iter()
            .any(|m| has_word_part(w, m))
    })
}

/// Takes the blocks under the site's article path (DOM weight above zero: the path holds the
/// article on most of the site's pages) out of the lists of like items that `items` found:
/// a line of one template recurring through an article's body (a dateline, a "Read more"
/// after each section) does not make its paragraphs comments or teasers. Returns whether an
/// item is left. Without DOM figures nothing changes.
pub(super) fn article_is_no_list(figs: &[DomFigures], ev: &mut [Evidence]) -> bool {
    if figs.len() == ev.len() {
        for (e, f) in ev.iter_mut().zip(figs) {
            if f.weight > 0.0 && !f.comments && !f.media {
                e.item = false;
            }
        }
    }
    ev.iter().any(|e| e.item)
}

/// The paths of a page, in order of first occurrence, with their prose and link figures.
fn paths_of<'d>(text: &str, dom: &'d [BlockDom]) -> Vec<(&'d str, PathOnPage)> {
    let mut at: FxHashMap<&str, usize> = FxHashMap::default();
    let mut out: Vec<(&str, PathOnPage)> = Vec::new();
    for (line, d) in text.lines().zip(dom) {
        let i = *at.entry(&d.path).or_insert_with(|| {
            out.push((&d.path, PathOnPage::default()));
            out.len() - 1
        });
        let words = line.split_whitespace().count() as u32;
        let p = &mut out[i].1;
        if words >= PROSE_WORDS {
            p.prose += words;
        }
        p.chars += line.len() as f32;
        p.link_chars += line.len() as f32 * d.link_density;
    }
    out
}

/// Whether a path's text on the page is mostly links.
fn link_heavy(p: &PathOnPage) -> bool {
    p.chars > 0.0 && p.link_chars >= 0.5 * p.chars
}

/// Appends the DOM features of a page (`dom` describes the lines of `text`) for the model to
/// count: each path and path name, those that hold the article, those that are mostly links.
pub fn page_features(text: &str, dom: &[BlockDom], out: &mut Vec<(u8, u64)>) {
    if dom.is_empty() {
        return;
    }
    let paths = paths_of(text, dom);
    let best = paths.iter().map(|p| p.1.prose).max().unwrap_or(0);
    for (path, p) in &paths {
        let main = best > 0 && 2 * p.prose >= best;
        let links = link_heavy(p);
        let kinds = [
            (KIND_PATH, true, *path, 0),
            (KIND_PATH_MAIN, main, *path, 1),
            (KIND_PATH_LINKS, links, *path, 2),
        ];
        let name = path_name(path);
        let names = name.map(|n| {
            [
                (KIND_NAME, true, n, 3),
                (KIND_NAME_MAIN, main, n, 4),
                (KIND_NAME_LINKS, links, n, 5),
            ]
        });
        for (kind, on, key, seed) in kinds.into_iter().chain(names.into_iter().flatten()) {
            if on {
                out.push((kind, xxh3_64_with_seed(key.as_bytes(), SEEDS[seed])));
            }
        }
    }
}

/// What the DOM said about one block, for `explain`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DomFigures {
    /// Pages (of the site, or sites when `by_name`) with the block's path.
    pub pages: u64,
    /// Of those, pages (or sites) where the path held the article.
    pub article: u64,
    /// Of those, pages (or sites) where the path's text was mostly links.
    pub links: u64,
    /// The figures are the path name's, across sites (the site has too few pages).
    pub by_name: bool,
    /// The share of the block's characters inside links.
    pub link_density: f32,
    /// What the DOM added to the block's content evidence (token units; negative: chrome).
    pub weight: f32,
    /// The block is in the site's comment section: under a container named as comments (see
    /// [`comment_path`]) whose path the site has on at least `min_template_pages` pages, or
    /// on a page where such a block is (the thread's own paths vary from page to page).
    pub comments: bool,
    /// The block is set-in media: under a container named as a gallery, a slide show or an
    /// embed (see [`media_path`]).
    pub media: bool,
    /// The block is the site's boilerplate: its text is on other pages of the site, and its
    /// path on at least `hard_template_share` of them, never holding the article.
    pub boilerplate: bool,
}

/// Sites a path name needs to be on for its cross-site figures to count: two may share a
/// CMS theme, three start a convention.
const NAME_SITES: u64 = 3;

/// Looks up a block's path in the model: the site's counts when the site has enough pages
/// with it, else its name's across sites.
fn figures(lookups: &mut Lookups, cfg: &CleanConfig, view: &SiteView, d: &BlockDom) -> DomFigures {
    let h = |s: &str, seed: usize| xxh3_64_with_seed(s.as_bytes(), SEEDS[seed]);
    let pages = lookups.site_count(view, KIND_PATH, h(&d.path, 0));
    let mut f = DomFigures {
        link_density: d.link_density,
        ..DomFigures::default()
    };
    if pages >= cfg.min_template_pages {
        f.pages = pages;
        f.article = lookups.site_count(view, KIND_PATH_MAIN, h(&d.path, 1));
        f.links = lookups.site_count(view, KIND_PATH_LINKS, h(&d.path, 2));
    } else if let Some(n) = path_name(&d.path) {
        let sites = lookups.cross_sites(h(n, 3));
        if sites >= NAME_SITES {
            f.by_name = true;
            f.pages = sites;
            f.article = lookups.cross_sites(h(n, 4));
            f.links = lookups.cross_sites(h(n, 5));
        }
    }
    f
}

/// Weighs the DOM evidence of each block into its content evidence (`ev[i].base`) and
/// records the figures in `out` (one per block). `dom` must describe the page's blocks one to
/// one; otherwise nothing is done.
pub(super) fn apply(
    lookups: &mut Lookups,
    cfg: &CleanConfig,
    view: &SiteView,
    dom: &[BlockDom],
    ev: &mut [Evidence],
    out: &mut Vec<DomFigures>,
) {
    out.clear();
    if dom.len() != ev.len() {
        return;
    }
    mark_headings(dom, ev);
    for (d, e) in dom.iter().zip(ev.iter_mut()) {
        let mut f = figures(lookups, cfg, view, d);
        let share = |n: u64| n as f32 / f.pages.max(1) as f32;
        let mut w = 0.0;
        if f.pages > 0 && d.link_density >= 0.5 {
            // Links under a path that is links on most pages: a menu, a related list, a tag
            // cloud, even when the links' text is unique. (A block of links alone is not
            // enough: a blog's post titles and a page of references are links too.)
            if share(f.links) >= 0.5 {
                w -= cfg.dom_weight;
            }
        } else if f.pages > 0 && share(f.article) >= 0.5 {
            // The site's (or the convention's) article container.
            w += cfg.dom_weight;
        }
        if e.hard.is_none() {
            e.base += w;
        }
        e.dom = w;
        f.weight = w;
        f.comments = !f.by_name && f.pages > 0 && comment_path(&d.path);
        f.media = media_path(&d.path);
        // Text the site shows on other pages, under a path that is on at least half its
        // pages (its template, as `hard_template_share` says of blocks) and never held the
        // article on any: the site's boilerplate region (a disclaimer, an about box, an
        // archive's banner), whose text varies too much to be template by frequency. A
        // line of prose and no page's title (teased on other pages, shown in the same
        // heading on each), which are left to the header.
        f.boilerplate = !f.by_name
            && !e.dom_heading
            && f.pages >= cfg.min_template_pages
            && f.article == 0
            && super::site_share(f.pages, view.pages) >= cfg.hard_template_share
            && e.df >= 2
            && e.tokens >= PROSE_WORDS;
        if f.boilerplate && e.hard.is_none() {
            e.hard = Some(super::Reason::DomShared);
        }
        out.push(f);
    }
    spread_comment_section(dom, out);
    mark_sections(cfg, ev, out);
}

/// Where the site's comment section is on the page (a block under a container named as
/// comments whose path recurs on the site: its heading, its form), every block under a
/// container so named is in it: the threads themselves differ from page to page (a reply
/// nests one level deeper, a page's only comment thread has paths no other page has).
fn spread_comment_section(dom: &[BlockDom], figs: &mut [DomFigures]) {
    if figs.iter().any(|f| f.comments) {
        for (d, f) in dom.iter().zip(figs) {
            f.comments = f.comments || comment_path(&d.path);
        }
    }
}

/// Whether a block under `path` is a top-level heading (`h1`, `h2`, `h3`): the element a
/// page's own title is set in. Teasers of other pages sit lower in the outline or in items
/// of a list.
fn heading_path(path: &str) -> bool {
    let last = path.rsplit('>').next().unwrap_or("");
    matches!(last.split(['.', '#']).next(), Some("h1" | "h2" | "h3"))
}

/// Marks the blocks that are a top-level heading alone under its path on the page (see
/// `Evidence::dom_heading`): a list of headings (related stories, a blog's index) shares
/// one path, a page's own title does not.
fn mark_headings(dom: &[BlockDom], ev: &mut [Evidence]) {
    let mut count: FxHashMap<&str, u32> = FxHashMap::default();
    for d in dom.iter().filter(|d| heading_path(&d.path)) {
        *count.entry(d.path.as_str()).or_default() += 1;
    }
    for (d, e) in dom.iter().zip(ev.iter_mut()) {
        e.dom_heading = count.get(d.path.as_str()) == Some(&1);
    }
}

/// Removes the site's comment section (blocks whose figures say `comments`) and the page's
/// set-in media (`media`) from a page that has an article of its own outside them: readers'
/// text below a post is not the post, however much prose it holds, and its container recurs
/// on every post of the site; a slide show's captions (often dozens, each a sentence or two)
/// describe photos beside the article, and an embedded tweet or story is another page's
/// text. A page whose prose is all in them (a discussion page, a forum thread, a gallery
/// page) keeps them, as does a site with too few pages for the comment container to recur:
/// a lone page's comments may be what it is about.
fn mark_sections(cfg: &CleanConfig, ev: &mut [Evidence], figs: &[DomFigures]) {
    let apart = |f: &DomFigures| f.comments || f.media;
    // An article of its own: a paragraph outside them that pays for its own run.
    let article = (ev.iter().zip(figs))
        .any(|(e, f)| !apart(f) && e.hard.is_none() && e.base >= cfg.switch_cost);
    if !article {
        return;
    }
    for (e, f) in ev.iter_mut().zip(figs) {
        if e.hard.is_none() && f.comments {
            e.hard = Some(super::Reason::DomComments);
        } else if e.hard.is_none() && f.media {
            e.hard = Some(super::Reason::DomMedia);
        }
    }
}

/// Extends the article to its container: a block outside the article's runs that sits under
/// the page's article path (the path holding most of the kept words) is the article's too,
/// unless it carries chrome evidence of its own (template, cross-site, templated, an item of
/// a list, a copy, links under a path of links). An article's paragraphs share one
/// container; what cuts a run in two inside it (a table of data, a short paragraph, a
/// quotation shared with other pages) does not make the second half chrome, while menus,
/// sidebars and comment threads sit in containers of their own. `dom` must describe the
/// page's blocks one to one (as for [`apply`], whose figures are `figs`); otherwise nothing
/// is done.
pub(super) fn extend_to_container(
    dom: &[BlockDom],
    ev: &[Evidence],
    figs: &[DomFigures],
    runs: &mut Runs,
) {
    if dom.len() != ev.len() || figs.len() != ev.len() || runs.state.len() != ev.len() {
        return;
    }
    let kept = |i: usize| super::run_reason(runs.state[i], runs.header[i], &ev[i]).is_kept();
    let mut words: FxHashMap<&str, u64> = FxHashMap::default();
    for (i, d) in dom.iter().enumerate() {
        if kept(i) {
            *words.entry(d.path.as_str()).or_default() += u64::from(ev[i].tokens);
        }
    }
    // Ties go to the path that comes first on the page, so the choice is deterministic.
    let mut best: Option<(&str, u64)> = None;
    for d in dom {
        let w = words.get(d.path.as_str()).copied().unwrap_or(0);
        if w > 0 && !matches!(best, Some((_, b)) if b >= w) {
            best = Some((d.path.as_str(), w));
        }
    }
    let Some((path, _)) = best else {
        return;
    };
    for (i, d) in dom.iter().enumerate() {
        let e = &ev[i];
        let chrome = e.hard.is_some() || e.soft_template || e.item || e.own_copy;
        if !runs.state[i] && !chrome && figs[i].weight >= 0.0 && d.path == path {
            runs.state[i] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dom(path: &str, link_density: f32) -> BlockDom {
        BlockDom {
            path: path.into(),
            link_density,
        }
    }

    #[test]
    fn the_article_path_and_link_paths_are_counted() {
        let text = "Home\nNews\nA paragraph of the article, long enough to be prose on any site.\n\
                    Another paragraph of the article, also long enough to be prose here.";
        let d = [
            dom("nav.menu>ul>li", 1.0),
            dom("nav.menu>ul>li", 1.0),
            dom("article>div.body>p", 0.0),
            dom("article>div.body>p", 0.0),
        ];
        let mut out = Vec::new();
        page_features(text, &d, &mut out);
        let kinds: Vec<u8> = out.iter().map(|f| f.0).collect();
        assert_eq!(
            kinds,
            [
                KIND_PATH,
                KIND_PATH_LINKS,
                KIND_NAME,
                KIND_NAME_LINKS,
                KIND_PATH,
                KIND_PATH_MAIN,
                KIND_NAME,
                KIND_NAME_MAIN
            ]
        );
        assert_eq!(path_name("article>div.body>p"), Some("div.body"));
        assert_eq!(path_name("div>p"), None);
    }

    #[test]
    fn a_second_run_in_the_articles_container_is_the_article() {
        // cleaneval: a report whose paragraphs all sit in one container, cut in two by a
        // table of data; the segmentation kept only the first half. The menu, the templated
        // line and the links stay out.
        let d = [
            dom("div#menu>ul>li", 1.0),
            dom("div#content>p", 0.0),
            dom("div#content>p", 0.0),
            dom("div#content>table>tr", 0.0),
            dom("div#content>p", 0.0),
            dom("div#content>p", 0.0),
            dom("div#content>p", 1.0),
            dom("div#footer>p", 0.0),
        ];
        let mut ev = vec![
            Evidence {
                tokens: 30,
                ..Evidence::default()
            };
            d.len()
        ];
        ev[5].hard = Some(super::super::Reason::Templated);
        let mut figs = vec![DomFigures::default(); d.len()];
        figs[6].weight = -6.0;
        let mut runs = Runs::default();
        runs.state = vec![false, true, true, false, false, false, false, false];
        runs.header = vec![false; d.len()];
        extend_to_container(&d, &ev, &figs, &mut runs);
        assert_eq!(
            runs.state,
            [false, true, true, false, true, false, false, false]
        );
        // Without a DOM side array nothing changes.
        runs.state = vec![false, true, true, false, false, false, false, false];
        extend_to_container(&[], &ev, &figs, &mut runs);
        assert_eq!(runs.state.iter().filter(|&&s| s).count(), 2);
    }

    #[test]
    fn a_recurring_comment_section_is_removed_when_the_page_has_an_article() {
        assert!(comment_path(
            "div#comments>ol.commentlist>li.comment.even>p"
        ));
        assert!(comment_path("div.post>div.comment-body>p"));
        assert!(comment_path("div#dsq-comment-0>p"));
        assert!(comment_path("div#postcomments>dl>dd#body_0"));
        assert!(!comment_path("div.commentary>article>p"));
        assert!(!comment_path("article>div.body>p"));
        let prose = Evidence {
            base: 30.0,
            tokens: 30,
            ..Evidence::default()
        };
        let recurring = DomFigures {
            pages: 5,
            comments: true,
            ..DomFigures::default()
        };
        let cfg = CleanConfig::default();
        // An article, then two comments: the comments go.
        let mut ev = vec![prose; 3];
        let figs = [DomFigures::default(), recurring, recurring];
        mark_sections(&cfg, &mut ev, &figs);
        let hard: Vec<_> = ev.iter().map(|e| e.hard).collect();
        let c = Some(super::super::Reason::DomComments);
        assert_eq!(hard, [None, c, c]);
        // A page that is only the thread keeps it.
        let mut ev = vec![prose; 2];
        mark_sections(&cfg, &mut ev, &figs[1..]);
        assert!(ev.iter().all(|e| e.hard.is_none()));
    }

    #[test]
    fn a_thread_under_the_sites_recurring_comment_section_is_in_it() {
        // The section's heading recurs on the site; this page's thread has paths of its own.
        let d = [
            dom("div.post>div.entry>p", 0.0),
            dom("div.main>h3#comments", 0.0),
            dom(
                "div.main>ol.commentlist>li.comment#comment-0>div.comment-body>p",
                0.0,
            ),
            dom("div.sidebar>p", 0.0),
        ];
        let recurring = DomFigures {
            pages: 5,
            comments: true,
            ..DomFigures::default()
        };
        let mut figs = [
            DomFigures::default(),
            recurring,
            DomFigures::default(),
            DomFigures::default(),
        ];
        spread_comment_section(&d, &mut figs);
        let marked: Vec<bool> = figs.iter().map(|f| f.comments).collect();
        assert_eq!(marked, [false, true, true, false]);
        // Without a recurring section on the page (a site of one page), nothing is marked.
        let mut figs = [DomFigures::default(); 4];
        spread_comment_section(&d, &mut figs);
        assert!(figs.iter().all(|f| !f.comments));
    }

    #[test]
    fn set_in_media_go_beside_an_article_and_stay_on_a_page_of_their_own() {
        assert!(media_path("div.post>div.photo-gallery>div.gallery-item>p"));
        assert!(media_path("div#cnnarticlegalleryphotocontainer>div>p"));
        assert!(media_path("div.slideshow-description>p"));
        assert!(media_path(
            "div.trb_embed_media>div.trb_embed_related_caption"
        ));
        assert!(media_path("div.entry>blockquote.twitter-tweet>p"));
        assert!(!media_path("article>div.body>p"));
        assert!(!media_path("div.comment-body>p"));
        let prose = Evidence {
            base: 30.0,
            tokens: 30,
            ..Evidence::default()
        };
        let media = DomFigures {
            media: true,
            ..DomFigures::default()
        };
        let cfg = CleanConfig::default();
        // An article, then two captions: the captions go, whether the site has the path on
        // other pages or not.
        let mut ev = vec![prose; 3];
        let figs = [DomFigures::default(), media, media];
        mark_sections(&cfg, &mut ev, &figs);
        let m = Some(super::super::Reason::DomMedia);
        assert_eq!(ev.iter().map(|e| e.hard).collect::<Vec<_>>(), [None, m, m]);
        // A gallery page: the captions are its text.
        let mut ev = vec![prose; 2];
        mark_sections(&cfg, &mut ev, &figs[1..]);
        assert!(ev.iter().all(|e| e.hard.is_none()));
    }

    #[test]
    fn a_lone_top_level_heading_is_a_title_a_list_of_headings_is_not() {
        assert!(heading_path("div.post>h2"));
        assert!(heading_path("article>header>h1.entry-title"));
        assert!(!heading_path("div.related>h5"));
        assert!(!heading_path("div.h1>p"));
        let d = [
            dom("div.post>h2", 1.0),
            dom("div.related>ul>li>h3", 1.0),
            dom("div.related>ul>li>h3", 1.0),
            dom("div.post>div.entry>p", 0.0),
        ];
        let mut ev = vec![Evidence::default(); d.len()];
        mark_headings(&d, &mut ev);
        let marked: Vec<bool> = ev.iter().map(|e| e.dom_heading).collect();
        assert_eq!(marked, [true, false, false, false]);
    }

    #[test]
    fn paragraphs_under_the_sites_article_path_are_no_list_of_items() {
        let item = Evidence {
            item: true,
            ..Evidence::default()
        };
        let article = DomFigures {
            pages: 5,
            article: 5,
            weight: 6.0,
            ..DomFigures::default()
        };
        let mut ev = vec![item; 3];
        let figs = [article, article, DomFigures::default()];
        assert!(article_is_no_list(&figs, &mut ev));
        assert_eq!(
            ev.iter().map(|e| e.item).collect::<Vec<_>>(),
            [false, false, true]
        );
        // Text input (no figures): the items stand.
        let mut ev = vec![item; 3];
        assert!(article_is_no_list(&[], &mut ev));
        assert!(ev.iter().all(|e| e.item));
    }

    #[test]
    fn text_pages_have_no_dom_features() {
        let mut out = Vec::new();
        page_features("a\nb", &[], &mut out);
        assert!(out.is_empty());
    }
}
