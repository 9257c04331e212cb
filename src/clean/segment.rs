//! Finding the article on a page from its blocks' scores: a two-state (content / chrome)
//! Viterbi segmentation ([`segment`]), the choice of the article's runs among those it finds
//! ([`select_runs`]), and the article's header above its first run ([`find_header`]).

use super::evidence::{settle_scores, Evidence, Lexicon};
use super::{CleanConfig, Reason};
use crate::shingle::PageFeatures;

/// A run of content blocks: (start, end, plain content evidence, evidence beyond the cost of a
/// switch).
type Run = (usize, usize, f32, f32);

/// Keeps the article's runs: the run with the most content evidence, any other run with at
/// least `secondary_share` of its evidence (counting what each block brings beyond a
/// switch) in blocks no other page of the site holds, but a block or two past the article's
/// end and the site's template, and any run parted from those only by a short box of hard
/// chrome (an article cut in two by an inline "Advertisement" box); smaller runs elsewhere on
/// the page (a comment, a caption, a stray teaser, other stories' blurbs) are dropped. With
/// `topic` (the page's features, and a lexicon that learns the main run's words), runs that
/// are sections of the article by what they say are kept too ([`section_on_topic`]). Returns
/// where the main run starts and what its blocks bring beyond the cost of a switch.
pub(super) fn select_runs(
    ev: &[Evidence],
    state: &mut [bool],
    cfg: &CleanConfig,
    mut topic: Option<(&PageFeatures, &mut Lexicon)>,
) -> Option<(usize, f32)> {
    // Each run's blocks (start, end), plain content evidence and the evidence its blocks bring
    // beyond the cost of a switch: what each could pay for standing alone. A list of teasers
    // (a dated title, a one-line blurb, again and again) has many blocks just above zero and
    // little of the latter, an article's paragraphs have much.
    let mut runs: Vec<Run> = Vec::new();
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
    let weight = |r: &Run| if strong { r.3 } else { r.2 };
    let main = runs
        .iter()
        .enumerate()
        .max_by(|a, b| weight(a.1).total_cmp(&weight(b.1)))?
        .0;
    let main_weight = weight(&runs[main]);
    // Another run must hold its share in text of its own: paragraphs that other pages of
    // the site show too are other stories' blurbs (a "From the home page" list of title,
    // blurb, "Read preview"), not more of this article, which the main run holds whether
    // or not other pages tease it.
    let own_weight = |r: &Run| -> f32 {
        let own = ev[r.0..r.1].iter().filter(|e| e.df < 2);
        if strong {
            own.map(|e| (e.score - cfg.switch_cost).max(0.0)).sum()
        } else {
            own.map(|e| e.score.max(0.0)).sum()
        }
    };
    let mut keep: Vec<bool> = (runs.iter().enumerate())
        .map(|(k, r)| k == main || own_weight(r) >= cfg.secondary_share * main_weight)
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
    // A run of a block or two kept for its share alone, past the article's end (hard chrome
    // right below the kept run before it) and past a line of the site's template on every
    // page, farther than an inline box: an author's bio, another story's blurb, a comment,
    // not the article resuming below the site's furniture.
    let mut last = runs[main].1;
    for k in main + 1..runs.len() {
        if !keep[k] {
            continue;
        }
        let (a, b) = (last, runs[k].0);
        let stray = b - a > cfg.inline_box
            && runs[k].1 - runs[k].0 <= STRAY_BLOCKS
            && ev[a].hard.is_some()
            && (ev[a..b].iter()).any(|e| e.everywhere && e.hard == Some(Reason::SiteTemplate));
        if stray {
            keep[k] = false;
        } else {
            last = runs[k].1;
        }
    }
    // `chain_runs` asks only about the runs not kept yet; the lexicon is learned only when
    // one of them has the paragraphs of a section (most pages have none).
    let mut on_topic = vec![false; runs.len()];
    if let Some((feats, lex)) = topic.as_mut() {
        let mut learned = false;
        for k in (0..runs.len()).filter(|&k| k != main && !keep[k]) {
            if paragraphs(ev, &runs[k], cfg) {
                if !learned {
                    lex.learn(cfg, feats, state, runs[main].0);
                    learned = true;
                }
                on_topic[k] = section_on_topic(ev, &runs[k], cfg, feats, lex);
            }
        }
    }
    let boxes = match topic.as_ref() {
        Some((feats, _)) if on_topic.iter().any(|&t| t) => box_lines(ev, feats, cfg),
        _ => Vec::new(),
    };
    let gaps = chain_runs(
        ev,
        &runs,
        main,
        &mut keep,
        &weight,
        (&on_topic, &boxes),
        cfg.inline_box,
    );
    for (k, &(s, e, ..)) in runs.iter().enumerate() {
        if !keep[k] {
            state[s..e].iter_mut().for_each(|x| *x = false);
        }
    }
    for (a, b) in gaps {
        fill_gap(ev, &mut state[a..b], a);
    }
    Some((runs[main].0, runs[main].3))
}

/// The lines of a box the page repeats section after section (a list article's "Pros" /
/// "Cons" / "Best prices today:" under each product): lines of the site's template that the
/// page holds `cfg.item_min` times or more, as a list's skeleton repeats. The article's end
/// (a share row, a comments heading) stands once, or twice with the share row above the
/// article too. Empty when there is none.
fn box_lines(ev: &[Evidence], feats: &PageFeatures, cfg: &CleanConfig) -> Vec<bool> {
    let mut lines: Vec<(u64, usize)> = (0..ev.len())
        .filter(|&i| ev[i].page_dup && ev[i].hard == Some(Reason::SiteTemplate))
        .map(|i| (feats.blocks[i].hash, i))
        .collect();
    let mut boxed = Vec::new();
    lines.sort_unstable();
    for same in lines.chunk_by(|a, b| a.0 == b.0) {
        if same.len() >= cfg.item_min {
            boxed.resize(ev.len(), false);
            same.iter().for_each(|&(_, i)| boxed[i] = true);
        }
    }
    boxed
}

/// Blocks a run past the article's end may hold and still be a stray (see [`select_runs`]): an
/// author's bio, a blurb or a comment is a paragraph or two.
const STRAY_BLOCKS: usize = 2;

/// Whether a run that holds [`paragraphs`] is a section of the article by what it says:
/// paragraphs (`cfg.section_paragraphs` blocks that pay for a switch, as an article's section
/// holds and a teaser's blurb or a comment mostly does not) whose words are the article's
/// (its vocabulary, [`Lexicon`], in `cfg.lexicon_share` of the words of the run's content
/// blocks).
/// Such a run is chained to the article past any cost of the gap before it (a product's spec
/// table, a row of ratings, "Pros" and "Cons" labels between a listicle's sections), which
/// on a page whose site says nothing of its lines can outweigh each section alone.
fn section_on_topic(
    ev: &[Evidence],
    &(s, e, ..): &Run,
    cfg: &CleanConfig,
    feats: &PageFeatures,
    lex: &Lexicon,
) -> bool {
    let (mut hit, mut words) = (0u32, 0u32);
    for (b, x) in feats.blocks[s..e].iter().zip(&ev[s..e]) {
        if x.score > 0.0 {
            let (h, n) = lex.hits(feats.normalized_of(b));
            hit += h;
            words += n;
        }
    }
    words > 0 && hit as f32 >= cfg.lexicon_share * words as f32
}

/// Whether a run holds the paragraphs of a section: `cfg.section_paragraphs` blocks that pay
/// for a switch.
fn paragraphs(ev: &[Evidence], &(s, e, ..): &Run, cfg: &CleanConfig) -> bool {
    let strong = ev[s..e].iter().filter(|x| x.score > cfg.switch_cost);
    strong.count() >= cfg.section_paragraphs
}

/// The blocks of a gap between two sections of the article (`state`, from block `at`): when
/// the site says nothing of it (no line of its template, none templated, none on its other
/// pages), the gap is the article's own subheading or list, and its blocks without chrome
/// evidence are kept; a gap that holds the site's lines is a box inside the article (a
/// "follow the story" list of other titles) and stays out.
fn fill_gap(ev: &[Evidence], state: &mut [bool], at: usize) {
    let gap = &ev[at..at + state.len()];
    let site_says = |e: &Evidence| {
        matches!(e.hard, Some(Reason::SiteTemplate | Reason::Templated))
            || e.soft_template
            || e.df >= 2
    };
    if gap.iter().any(site_says) {
        return;
    }
    for (e, st) in gap.iter().zip(state) {
        *st |= e.hard.is_none() && !e.shared && !e.item && e.tokens > 0;
    }
}

/// Chains the article's sections to its main run: outward from it, a run is the article's too
/// when what it brings (its `weight`) pays for what lies between it and the nearest kept run
/// (the gap's chrome evidence, net of any weak text in it). A long article is often cut into
/// sections by what scores as chrome on its own: a subheading, a spec list, a row of "Pros" /
/// "Cons" labels, a box of links. Each section may hold much less text than the longest (the
/// `secondary_share` test alone drops it), yet the gap before it costs less than the section
/// brings; a menu, a footer or the site's boxes between the article and a stray run cost
/// more. A run that is a section by what it says (`on_topic`, [`section_on_topic`]) is
/// chained whatever its gap costs. The chain stops at the site's template between two runs
/// (a share row, a comments heading on every page) and at a list of items (comments): what
/// stands there parts sections of the page, not of the article; but a section by what it
/// says, past a gap no longer than `inline_box` blocks, lies past a box of the site's inside
/// the article (a gallery's "23 Photos / TITLE / View the Full Gallery »"), and so does one
/// past a box the page repeats under each of its sections (`boxes`, [`box_lines`]) or, above
/// the main run, past lines of the site's that not all its pages hold. Above the main run, a
/// block that neither the site nor the crawl says anything of ([`says_nothing`]) costs
/// nothing: the chrome above an article is the site's header and menus, which other pages
/// or other sites hold, while the page's own short lines there are the article's (a list of
/// steps or changes between its intro and its body, on a site with one page in the crawl).
/// Below it, the same lines are as often other stories' titles or comments that no list of
/// items caught, and cost what their shape says. Returns the gaps bridged, as block ranges.
fn chain_runs(
    ev: &[Evidence],
    runs: &[Run],
    main: usize,
    keep: &mut [bool],
    weight: &dyn Fn(&Run) -> f32,
    (on_topic, boxes): (&[bool], &[bool]),
    inline_box: usize,
) -> Vec<(usize, usize)> {
    let mut gaps = Vec::new();
    let after = (main + 1..runs.len()).map(|k| (k, true));
    let before = (0..main).rev().map(|k| (k, false));
    for side in [after.collect::<Vec<_>>(), before.collect()] {
        let mut last = main;
        for (k, later) in side {
            let (a, b) = if later {
                (runs[last].1, runs[k].0)
            } else {
                (runs[k].1, runs[last].0)
            };
            if !keep[k] {
                let gap = &ev[a..b];
                // A box the page repeats under each section parts nothing from a section
                // that speaks of the article's subject.
                let boxed = |j: usize| on_topic[k] && boxes.get(j).is_some_and(|&b| b);
                // Above the main run, neither does a line of the site's that only some of its
                // pages hold: the article's first part lies past a box of other stories set
                // inside it ("(Story continues below)", a related list), while the site's
                // header and menus above an article stand on every page.
                let inset = |j: usize| !later && on_topic[k] && !ev[j].everywhere;
                let parts = (a..b).any(|j| {
                    (ev[j].hard == Some(Reason::SiteTemplate) && !boxed(j) && !inset(j))
                        || ev[j].item
                });
                let inline = on_topic[k] && b - a <= inline_box && !gap.iter().any(|e| e.item);
                if parts && !inline {
                    break;
                }
                let cost = -ev[a..b]
                    .iter()
                    .filter(|e| later || e.score > 0.0 || !says_nothing(e))
                    .map(|e| e.score)
                    .sum::<f32>();
                if weight(&runs[k]) < cost.max(0.0) && !on_topic[k] {
                    continue;
                }
                keep[k] = true;
                gaps.push((a, b));
            }
            last = k;
        }
    }
    gaps
}

/// A block that neither the site nor the crawl says anything of: no chrome evidence, not on
/// the site's other pages or twice on this one, on no other site of the crawl or the prior.
fn says_nothing(e: &Evidence) -> bool {
    e.hard.is_none() && !e.soft_template && e.df < 2 && !e.shared && e.cross < 2 && e.prior == 0
}

/// Two-state Viterbi: picks content/chrome per block maximising the sum of the content blocks'
/// scores minus `switch` per change of state. The page starts and ends in chrome, which is
/// free to leave at the first content block.
pub(super) fn segment(
    ev: &[Evidence],
    switch: f32,
    state: &mut Vec<bool>,
    back: &mut Vec<[bool; 2]>,
) {
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

/// Blocks above the body within which a deck may sit: under it at most a byline, a date and
/// an image's caption.
const DECK_REACH: usize = 4;

/// Marks the article's header: the blocks above its first run, within `title_reach`, that
/// share its words (its title, deck, summary bullets), whether they are unique to the page or
/// teased on other pages of the site (then they are template or shared by frequency, and the
/// words they share with this page's body are what makes them this page's own). Hard chrome,
/// labels and blocks that do not share the article's words (bylines, dates, captions of other
/// stories, lists of other titles) are passed over and stay removed. When no block shares its
/// words, a creative headline may not: the nearest unique heading-shaped block is taken. From
/// HTML, the page's lone top-level heading (`Evidence::dom_heading`) is taken when it shares
/// the article's words, whatever its shape, its link or its likeness to other pages' lines
/// (the title every teaser of the post repeats), and even past the reach when only the site's
/// template (share buttons, a byline box) lies between it and the body; links under a path of
/// links (a menu, however much of a blurb its items carry) are no header.
pub(super) fn find_header(
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
    // Whether a block may be the header (`Some(shared)`) and, if so, whether it is frequent.
    let candidate = |e: &Evidence, dist: usize| {
        // A block frequent by count alone may be this page's own title: teased on most pages
        // of a small site, or a wire story's title on every site that runs it. Templated
        // lines (bylines, dates) are chrome by their form, whatever words they share, but a
        // lone top-level heading (HTML) is a title whose text other pages link to.
        let by_share = matches!(e.hard, Some(Reason::SiteTemplate | Reason::CrossSite))
            || (e.dom_heading && e.hard == Some(Reason::Templated));
        // Prose on every page of the site (an about box, a mega-menu's blurbs) is the
        // site's, whatever words it shares, unless it sits where a deck does: right above the
        // body, under at most a title, a byline and a date (a deck teased on every page of a
        // small site).
        let site_prose = e.hard == Some(Reason::SiteTemplate)
            && e.sentence_end
            && e.everywhere
            && dist > DECK_REACH;
        // Links under a path of links (a menu, however long its items) are no header either,
        // but for the lone heading, whose link is its permalink.
        let menu_links = e.dom < 0.0 && !e.dom_heading;
        if (e.hard.is_some() && !by_share)
            || site_prose
            || menu_links
            || e.tokens == 0
            || (e.tokens <= cfg.label_tokens && !e.dom_heading)
        {
            return None;
        }
        let shared = by_share || e.soft_template || (e.shared && !(e.page_dup && e.df < 2));
        // A post's title links to the post's own page (every blog engine makes it the
        // permalink), so the DOM counts it as links, and a short title scores as a label: for
        // a lone top-level heading, whether it shares the article's words decides here, not
        // its shape or its link.
        if !shared && !e.dom_heading && e.base <= -(cfg.neutral_tokens - cfg.label_tokens as f32) {
            return None;
        }
        Some(shared)
    };
    let mut blocked = false;
    // Blocks passed that are not the site's template.
    let mut other = 0;
    while j > 0 && steps < cfg.title_reach {
        j -= 1;
        steps += 1;
        let e = &ev[j];
        if state[j] {
            blocked = true;
            break;
        }
        other += usize::from(e.hard != Some(Reason::SiteTemplate));
        let Some(shared) = candidate(e, first - j) else {
            continue;
        };
        if lex.shares_words(cfg, feats.normalized_of(&feats.blocks[j])) {
            header[j] = true;
            found = true;
        } else if heading.is_none() && !shared && !e.sentence_end && e.base < cfg.switch_cost {
            heading = Some(j);
        }
    }
    if let (false, Some(h)) = (found, heading) {
        header[h] = true;
    }
    if blocked || (j..first).any(|i| header[i] && ev[i].dom_heading) {
        return;
    }
    // Past the reach, the page's lone top-level heading (HTML) is still its title when only
    // the site's furniture parts it from the body (rows of share buttons, a byline box, the
    // same disclaimer on every page): those blocks do not count toward the reach.
    while j > 0 && first - j < 4 * cfg.title_reach && other < cfg.title_reach {
        j -= 1;
        let e = &ev[j];
        if state[j] {
            return;
        }
        if e.dom_heading {
            if candidate(e, first - j).is_some()
                && lex.shares_words(cfg, feats.normalized_of(&feats.blocks[j]))
            {
                header[j] = true;
            }
            return;
        }
        other += usize::from(e.hard != Some(Reason::SiteTemplate));
    }
}

/// Keeps what stands between two of the article's paragraphs when none of it is anything
/// but this page's own: no line of the gap is on another page of the site, on another site
/// or in the prior, and none is chrome by its shape, its list or its DOM (`links`: a block
/// the DOM marks as links). Chrome is known by its repetition; a page's own lines between two
/// stretches of its prose (a code listing, a list of steps, a diagram's labels) are the
/// article's, however weak each is alone, since a run of short lines costs the segmentation
/// more than the prose after it brings back. The gap's bounds must be kept prose (a score
/// above zero): between a title and a body, or between header lines, a page's own short
/// lines are bylines, captions and the headlines of its related stories.
pub(super) fn keep_own_gaps(ev: &[Evidence], runs: &mut Runs, links: impl Fn(usize) -> bool) {
    let kept = |runs: &Runs, i: usize| runs.reason(ev, i).is_kept();
    let own = |runs: &Runs, i: usize| {
        runs.reason(ev, i) == Reason::Context && unknown(&ev[i]) && !links(i)
    };
    let mut i = 0;
    while i < ev.len() {
        if !(kept(runs, i) && ev[i].score > 0.0) {
            i += 1;
            continue;
        }
        // The gap below this kept prose: own lines up to the next kept block.
        let mut j = i + 1;
        while j < ev.len() && own(runs, j) {
            j += 1;
        }
        if j > i + 1 && j < ev.len() && kept(runs, j) && ev[j].score > 0.0 {
            runs.state[i + 1..j].iter_mut().for_each(|s| *s = true);
        }
        i = j.max(i + 1);
    }
}

/// Keeps a list that the article introduces right after one of its kept paragraphs: a
/// lead-in of `LEAD_IN_TOKENS` tokens or more that ends in a colon or a semicolon ("Here is
/// the full changelog of version 0:", `lead_in`), then two or more lines, each this page's own
/// (as in [`keep_own_gaps`], or templated by form, as a changelog's "- NAME v0.0" lines are).
/// Below the article, a page's own short lines are as often other stories' titles; a sentence
/// that announces a list is the article's, and so is the list it announces, up to the first
/// line the site, the crawl or the prior knows. A line the page holds twice does not end the
/// list (a changelog names one fix under two headings, an article shows its code twice) unless
/// the list itself holds it `item_min` times (`hash`: a block's hash): a line that recurs in
/// a list, item after item, is the skeleton of a list of teasers ("Read more"), not an item.
/// Nor does a line the crawl knows with the list's bullets (`marker`: a line's opening mark,
/// "-", "•") right above and below it, followed by two more of the list's lines.
pub(super) fn keep_introduced_lists(
    ev: &[Evidence],
    runs: &mut Runs,
    lead_in: impl Fn(usize) -> bool,
    links: impl Fn(usize) -> bool,
    hash: impl Fn(usize) -> u64,
    marker: impl Fn(usize) -> Option<char>,
    item_min: usize,
) {
    let own = |runs: &Runs, i: usize, dup: bool| {
        (matches!(runs.reason(ev, i), Reason::Context | Reason::Templated)
            || (dup && ev[i].page_dup && runs.reason(ev, i) == Reason::Repeated))
            && unknown(&ev[i])
            && !links(i)
    };
    let mut i = 0;
    while i + 1 < ev.len() {
        let l = i + 1;
        let announces = runs.reason(ev, i).is_kept()
            && ev[i].score > 0.0
            && own(runs, l, false)
            && ev[l].tokens >= LEAD_IN_TOKENS
            && lead_in(l);
        if !announces {
            i += 1;
            continue;
        }
        let mut j = l + 1;
        // A line the crawl knows (a share row's "EMAIL") ends the list, but not one that
        // the list's own bullets stand right above and below: a changelog's section heading
        // that happens to be a common word. Not the site's lines, which part its boxes.
        let bridge = |runs: &Runs, j: usize| {
            j > l + 1
                && j + 2 < ev.len()
                && ev[j].df < 2
                && ev[j].hard == Some(Reason::CrossSite)
                && own(runs, j + 1, true)
                && own(runs, j + 2, true)
                && marker(j - 1).is_some_and(|m| marker(j + 1) == Some(m))
        };
        while j < ev.len() && (own(runs, j, true) || bridge(runs, j)) {
            j += 1;
        }
        let mut dups: Vec<u64> = (l + 1..j).filter(|&a| ev[a].page_dup).map(&hash).collect();
        dups.sort_unstable();
        if dups.chunk_by(|a, b| a == b).any(|c| c.len() >= item_min) {
            // The list then ends at its first line held twice, as any other list does.
            j = (l + 1..j).find(|&a| !own(runs, a, false)).unwrap_or(j);
        }
        if j - l > 2 {
            runs.state[l..j].iter_mut().for_each(|s| *s = true);
        }
        i = j;
    }
}

/// Keeps a short post's own lines around it: on a page whose article is a line or two (its
/// main run brings nothing beyond the cost of a switch), the page's own lines right above and
/// below what is kept (as in [`keep_introduced_lists`]: on no other page of the site, on no
/// other site, not in the prior, not links, templated by form or not, as the "via SOURCE.com"
/// lines of a site's posts are) are the post too: its title, its source line, a few lines of
/// a list. The caller asks this only of a site with other pages in the crawl:
/// on a site seen once every line is on no other page, and a menu beside a weak post would
/// join it.
pub(super) fn keep_short_post(ev: &[Evidence], runs: &mut Runs, links: impl Fn(usize) -> bool) {
    if !matches!(runs.main, Some((_, w)) if w <= 0.0) {
        return;
    }
    let own = |runs: &Runs, i: usize| {
        matches!(runs.reason(ev, i), Reason::Context | Reason::Templated)
            && ev[i].tokens > 0
            && unknown(&ev[i])
            && !links(i)
    };
    let kept = |i: &usize| runs.reason(ev, *i).is_kept();
    let (Some(first), Some(last)) = ((0..ev.len()).find(kept), (0..ev.len()).rfind(kept)) else {
        return;
    };
    let mut a = first;
    while a > 0 && own(runs, a - 1) {
        a -= 1;
    }
    let mut b = last + 1;
    while b < ev.len() && own(runs, b) {
        b += 1;
    }
    runs.state[a..first].iter_mut().for_each(|s| *s = true);
    runs.state[last + 1..b].iter_mut().for_each(|s| *s = true);
}

/// A block on no other page of the site, on no other site and not in the prior: the page's
/// own, whatever its shape.
fn unknown(e: &Evidence) -> bool {
    e.df < 2 && e.cross == 0 && e.prior == 0
}

/// Tokens a lead-in to a list holds at least: a sentence ("Here is what changed:"), not a
/// box's label ("Related posts:").
const LEAD_IN_TOKENS: u32 = 5;

/// Scratch state of the segmentation of one page.
#[derive(Default)]
pub(super) struct Runs {
    pub state: Vec<bool>,
    back: Vec<[bool; 2]>,
    pub header: Vec<bool>,
    pub lexicon: Lexicon,
    /// Where the main run starts and what it brings beyond the cost of a switch.
    pub main: Option<(usize, f32)>,
}

impl Runs {
    /// Block `i`'s reason from the segmentation as it stands (see [`super::run_reason`]).
    fn reason(&self, ev: &[Evidence], i: usize) -> Reason {
        super::run_reason(self.state[i], self.header[i], &ev[i])
    }

    /// Settles the scores, segments the page, keeps the article's runs and marks its header.
    /// Returns what the main run brings beyond the cost of a switch (0 when there is none).
    pub(super) fn decide(
        &mut self,
        ev: &mut [Evidence],
        cfg: &CleanConfig,
        feats: &PageFeatures,
    ) -> f32 {
        settle_scores(ev, cfg);
        segment(ev, cfg.switch_cost, &mut self.state, &mut self.back);
        if !self.state.iter().any(|&c| c) {
            // No run of blocks is strong enough to pay for its borders (a page with one short
            // article, or a site seen once): every block with content evidence stands alone.
            segment(ev, 0.0, &mut self.state, &mut self.back);
        }
        self.header.clear();
        self.header.resize(ev.len(), false);
        self.main = select_runs(ev, &mut self.state, cfg, Some((feats, &mut self.lexicon)));
        if self.main.is_none() {
            // Not one block with content evidence (a post of a line or two): the block with
            // the most, of those without chrome evidence, is the page's text, with its header.
            let best = (ev.iter().enumerate())
                .filter(|(_, e)| e.hard.is_none() && !e.soft_template && !e.item && e.tokens > 0)
                .max_by(|a, b| a.1.score.total_cmp(&b.1.score));
            if let Some((i, _)) = best {
                self.state[i] = true;
                self.main = Some((i, 0.0));
            }
        }
        let Some((main, weight)) = self.main else {
            return 0.0;
        };
        let first = self.state.iter().position(|&c| c).unwrap_or(main);
        self.lexicon.learn(cfg, feats, &self.state, main);
        find_header(
            ev,
            &self.state,
            first,
            cfg,
            feats,
            &self.lexicon,
            &mut self.header,
        );
        weight
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::Shingler;

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
        let feats = shingler.page(text);
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
            let cfg = CleanConfig::default();
            let mut lex = Lexicon::default();
            lex.learn(&cfg, feats, known, 3);
            let mut header = [false; 4];
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
        // A title that links to its own page (HTML): the DOM's link penalty does not hide a
        // lone heading from the header, while a block of links that is no lone heading
        // stays out (and the nearest unique heading above is taken instead).
        let linked = Evidence {
            base: -9.0,
            dom: -6.0,
            dom_heading: true,
            ..heading
        };
        let links = Evidence {
            dom_heading: false,
            ..linked
        };
        assert_eq!(
            header_of([heading, linked, byline, body], &state),
            [false, true, false, false]
        );
        assert_eq!(
            header_of([heading, links, byline, body], &state),
            [true, false, false, false]
        );
        // An item of the site's menu (on every page, its links under a path of links) that
        // shares the article's words, as a mega-menu's blurbs do, is no header.
        let menu = Evidence {
            hard: Some(Reason::SiteTemplate),
            dom: -6.0,
            ..title
        };
        assert_eq!(
            header_of([heading, menu, byline, body], &state),
            [true, false, false, false]
        );
        let teased = Evidence { dom: 0.0, ..menu };
        assert_eq!(
            header_of([heading, teased, byline, body], &state),
            [false, true, false, false]
        );
    }

    /// The header `find_header` marks above a page whose last block is its body (the
    /// lexicon learned from that block).
    fn header_above_last(evs: &[Evidence], feats: &PageFeatures) -> Vec<bool> {
        let n = evs.len();
        let mut state = vec![false; n];
        state[n - 1] = true;
        let cfg = CleanConfig::default();
        let mut lex = Lexicon::default();
        lex.learn(&cfg, feats, &state, n - 1);
        let mut header = vec![false; n];
        find_header(evs, &state, n - 1, &cfg, feats, &lex, &mut header);
        header
    }

    #[test]
    fn a_lone_heading_is_the_title_past_the_sites_furniture() {
        // HTML: the post's title (a lone h1, its text linked from the site's other pages, so
        // templated), then fourteen share buttons and a byline, then the body: past the reach
        // by count, but only the site's template parts it from the body.
        let mut text = String::from("Harbour bridge opens\n");
        for _ in 0..14 {
            text.push_str("Share on a network\n");
        }
        text.push_str(
            "By Jane Roe\nThe mayor opened the harbour bridge on Monday, ending years of delays.",
        );
        let mut shingler = Shingler::new(12);
        let feats = shingler.page(&text);
        let n = feats.blocks.len();
        let button = Evidence {
            tokens: 4,
            hard: Some(Reason::SiteTemplate),
            df: 9,
            base: -13.0,
            ..Default::default()
        };
        let title = Evidence {
            tokens: 3,
            hard: Some(Reason::Templated),
            dom_heading: true,
            base: -7.0,
            ..Default::default()
        };
        let mut evs = vec![button; n];
        evs[0] = title;
        evs[n - 2] = Evidence {
            tokens: 3,
            base: -7.0,
            ..Default::default()
        };
        evs[n - 1] = ev(40.0);
        let header_of = |evs: &[Evidence]| header_above_last(evs, feats);
        assert!(header_of(&evs)[0], "the lone heading is the title");
        // The same line as text (no DOM): a short templated line, not a title.
        evs[0].dom_heading = false;
        assert!(!header_of(&evs)[0]);
        // Other text between them (not the site's template) parts them.
        evs[0].dom_heading = true;
        for e in &mut evs[1..n - 2] {
            e.hard = None;
        }
        assert!(!header_of(&evs)[0]);
    }

    #[test]
    fn prose_on_every_page_is_a_header_only_where_a_deck_sits() {
        // A mega-menu's blurb (prose on every page of the site, sharing the article's words)
        // six blocks above the body is the site's; the same line right above the body is a
        // deck teased on every page of a small site.
        let line = "The mayor opened the harbour bridge over the river on Monday.";
        let text = [line; 7].join("\n") + "\n" + line;
        let mut shingler = Shingler::new(12);
        let feats = shingler.page(&text);
        let blurb = Evidence {
            tokens: 11,
            hard: Some(Reason::SiteTemplate),
            df: 5,
            everywhere: true,
            sentence_end: true,
            base: -4.0,
            ..Default::default()
        };
        let item = Evidence {
            tokens: 1,
            hard: Some(Reason::SiteTemplate),
            df: 5,
            everywhere: true,
            base: -13.0,
            ..Default::default()
        };
        let header_of = |evs: &[Evidence]| header_above_last(evs, feats);
        let mut evs = [item; 8];
        evs[7] = ev(40.0);
        evs[1] = blurb;
        assert_eq!(header_of(&evs), [false; 8], "the menu's blurb");
        evs[1] = item;
        evs[5] = blurb;
        let mut want = [false; 8];
        want[5] = true;
        assert_eq!(header_of(&evs), want, "a deck");
    }

    #[test]
    fn short_article_outweighs_a_longer_list_of_teasers() {
        // Four paragraphs, chrome, then forty dated titles and one-line blurbs.
        let mut scores = vec![40.0, 50.0, 30.0, 25.0, -12.0, -12.0, -12.0];
        scores.extend((0..40).map(|i| if i % 2 == 0 { 8.0 } else { 6.0 }));
        let e: Vec<_> = scores.iter().map(|&s| ev(s)).collect();
        let mut state: Vec<bool> = scores.iter().map(|&s| s > 0.0).collect();
        let main = select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert_eq!(main.map(|m| m.0), Some(0));
        assert!(state[..4].iter().all(|&k| k));
        assert!(state[4..].iter().all(|&k| !k), "the teaser list is dropped");
    }

    /// A page of `scores` as `select_runs` sees it after the segmentation: blocks with a
    /// positive score in runs, each a short line (5 tokens) where its score is negative.
    fn page(scores: &[f32]) -> (Vec<Evidence>, Vec<bool>) {
        let e = scores
            .iter()
            .map(|&s| Evidence {
                score: s,
                tokens: if s > 0.0 { 40 } else { 5 },
                ..Default::default()
            })
            .collect();
        (e, scores.iter().map(|&s| s > 0.0).collect())
    }

    #[test]
    fn sections_parted_by_short_lines_are_one_article() {
        // A long section, a subheading and a spec list (three short lines), a shorter
        // section (under `secondary_share` of the first), then a long menu and a stray
        // paragraph.
        let mut scores = vec![60.0; 5];
        scores.extend([-6.0, -6.0, -6.0, 30.0, 30.0]);
        scores.extend([-8.0; 20]);
        scores.push(30.0);
        let (e, mut state) = page(&scores);
        select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert!(
            state[..10].iter().all(|&k| k),
            "second section and its subheading kept"
        );
        assert!(
            state[10..].iter().all(|&k| !k),
            "the menu and the stray run are not"
        );
    }

    #[test]
    fn box_of_the_sites_lines_inside_an_article_stays_out() {
        // The gap holds a templated line ("follow the story") and titles of other stories:
        // the sections are one article, the box is not its text.
        let scores = [60.0, 60.0, 60.0, 60.0, -6.0, -4.0, -4.0, 30.0, 30.0];
        let (mut e, mut state) = page(&scores);
        e[4].hard = Some(Reason::Templated);
        select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert_eq!(
            state,
            [true, true, true, true, false, false, false, true, true]
        );
        // The site's template between the two runs parts sections of the page.
        let (mut e, mut state) = page(&scores);
        e[4].hard = Some(Reason::SiteTemplate);
        select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert!(state[4..].iter().all(|&k| !k));
        // So does a list of items (comments) between them: what runs on below is a comment
        // longer than the others, not the article's next section.
        let (mut e, mut state) = page(&scores);
        e[4..7].iter_mut().for_each(|x| x.item = true);
        select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert!(state[4..].iter().all(|&k| !k));
    }

    #[test]
    fn list_above_the_body_that_only_this_page_holds_is_the_articles() {
        // An intro paragraph, a step list (twelve short lines no other page or site holds),
        // then the body; below it, a like list and a stray paragraph.
        let mut scores = vec![20.0];
        scores.extend([-4.0; 12]);
        scores.extend([60.0; 5]);
        scores.extend([-4.0; 12]);
        scores.push(20.0);
        let (e, mut state) = page(&scores);
        select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert!(state[..18].iter().all(|&k| k), "intro, list and body kept");
        assert!(
            state[18..].iter().all(|&k| !k),
            "below the body it costs as before"
        );
        // The same lines on other sites (a menu) cost what they say.
        let (mut e, mut state) = page(&scores);
        e[1..13].iter_mut().for_each(|x| x.cross = 5);
        select_runs(&e, &mut state, &CleanConfig::default(), None);
        assert!(
            state[..13].iter().all(|&k| !k),
            "a menu above the body stays out"
        );
        assert!(state[13..18].iter().all(|&k| k));
    }

    #[test]
    fn a_list_a_kept_paragraph_announces_is_the_articles() {
        // Prose, a lead-in of five tokens ending in a colon, three own short lines, a menu
        // line of other sites.
        let scores = [40.0, -2.0, -6.0, -6.0, -6.0, -12.0];
        let keep = |e: &[Evidence], state: Vec<bool>, colon: bool| {
            let mut r = Runs {
                header: vec![false; state.len()],
                state,
                ..Default::default()
            };
            let (lead_in, links) = (|i| colon && i == 1, |_| false);
            keep_introduced_lists(e, &mut r, lead_in, links, |i| i as u64, |_| None, 3);
            r.state
        };
        let (mut e, state) = page(&scores);
        e[5].cross = 9;
        let kept = keep(&e, state.clone(), true);
        assert_eq!(kept, [true, true, true, true, true, false]);
        // No colon, or a label too short for a sentence ("Related posts:"): nothing kept.
        assert_eq!(keep(&e, state.clone(), false), state);
        e[1].tokens = 2;
        assert_eq!(keep(&e, state.clone(), true), state);
        // The list stops at the first line another page of the site holds; one line is no list.
        let (mut e, state) = page(&scores);
        e[3].df = 2;
        assert_eq!(keep(&e, state.clone(), true), state);
    }

    #[test]
    fn own_lines_between_two_kept_paragraphs_are_the_articles() {
        // Prose, a code listing of six lines no other page or site holds, prose.
        let mut scores = vec![40.0];
        scores.extend([-6.0; 6]);
        scores.push(30.0);
        let runs = |e: &[Evidence], state: Vec<bool>| {
            let mut r = Runs {
                header: vec![false; state.len()],
                state,
                ..Default::default()
            };
            keep_own_gaps(e, &mut r, |_| false);
            r.state
        };
        let (e, state) = page(&scores);
        assert!(!state[1], "the listing is out before");
        assert!(runs(&e, state).iter().all(|&k| k), "the listing is kept");
        // A line of the gap on another site, on another page of the site, or a link block:
        // the gap stays out.
        for change in 0..3 {
            let (mut e, state) = page(&scores);
            match change {
                0 => e[3].cross = 2,
                1 => e[3].df = 2,
                _ => {}
            }
            let links = |i: usize| change == 2 && i == 3;
            let mut r = Runs {
                header: vec![false; state.len()],
                state,
                ..Default::default()
            };
            keep_own_gaps(&e, &mut r, links);
            assert!(r.state[1..7].iter().all(|&k| !k), "change {change}");
        }
        // Below a title (a kept line of no weight), the page's own short lines are a byline
        // and a caption: they stay out.
        let mut scores = vec![-2.0];
        scores.extend([-6.0; 2]);
        scores.push(30.0);
        let (e, mut state) = page(&scores);
        state[0] = true;
        let kept = runs(&e, state);
        assert!(!kept[1] && !kept[2]);
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
