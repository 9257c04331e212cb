//! What the page's own structure says, beyond each block and its run: lists of like items
//! after the article (comments, teasers: [`ItemLists`]) and lists inside it (tour dates,
//! standings: [`inner_lists`]).

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use super::evidence::{Evidence, Lexicon};
use super::{CleanConfig, Reason};
use crate::shingle::PageFeatures;

/// Finds lists of like items on one page: comments, each with its "NAME on DATE at TIME" line;
/// teasers, each with its "N minutes ago" line. What marks them is a short line of one
/// template (the same normalised text, or the same first or last two tokens) repeated item
/// after item with different fill (names, dates, counts), with prose between the repeats. An
/// inline box repeated word for word ("Advertisement") is no such line, and a list with
/// nothing between its lines (a table, a list of links) is no list of items.
#[derive(Default)]
pub(super) struct ItemLists {
    /// (key, block, hash of the raw text) of each short block, one entry per key kind.
    marks: Vec<(u64, u32, u64)>,
    raws: Vec<u64>,
    /// Blocks (start, end) of each list found.
    pub spans: Vec<(usize, usize)>,
    /// For each list found, whether no prose runs into its lines from above: each stands
    /// under chrome or a short line (a comment's signature under the last one's "Reply"), so
    /// it opens its item. Lines woven into running text (posts quoted in an article, each
    /// signed below) have prose right above them.
    pub opened: Vec<bool>,
    /// Hash of each chrome line between a list's lines → how often it occurs there.
    inner: FxHashMap<u64, u32>,
    /// (key, longest item in blocks, end of its chrome in `held`) of each list found.
    keys: Vec<(u64, usize, usize)>,
    /// The chrome each list's items hold (the `inner` lines), list after list.
    held: Vec<u64>,
}

/// Chrome that may part two sections of a page: the site's template or cross-site chrome.
fn boundary_kind(e: &Evidence) -> bool {
    matches!(e.hard, Some(Reason::SiteTemplate | Reason::CrossSite)) || e.soft_template
}

/// Whether a normalised line holds numbers and words besides them: a stamp ("40 minutes ago",
/// "NAME on DATE at TIME"), not a bare counter ("#2"), which numbers a thread's posts and an
/// article's steps as well.
pub(super) fn is_stamp(norm: &str) -> bool {
    norm.as_bytes().contains(&b'0') && has_words(norm)
}

/// Whether a normalised line holds anything besides numbers (each folded to `0`).
fn has_words(norm: &str) -> bool {
    norm.bytes().any(|c| c != b'0' && c != b' ')
}

/// Number runs a dated signature holds at least: a date and a time ("NAME 10/28/12 5:33 PM").
const DATED_NUMBERS: usize = 4;

/// Number runs in a normalised line (each folded to the token `0`).
fn number_runs(norm: &str) -> usize {
    norm.split(' ').filter(|t| *t == "0").count()
}

/// Whether the lines at `pos` (in page order) are dated signatures (a date and a time: four
/// number runs or more) whose first stands right under the site's template (a "2 comments"
/// heading): then two make a list of items. Other pairs of like lines, or pairs inside an
/// article, do not (a gallery's two "Photos: …" labels around a story).
fn signed_pair(
    mut pos: impl Iterator<Item = usize>,
    feats: &PageFeatures,
    ev: &[Evidence],
) -> bool {
    let dated = |b: usize| number_runs(feats.normalized_of(&feats.blocks[b])) >= DATED_NUMBERS;
    pos.next().is_some_and(|first| {
        first > 0
            && matches!(ev[first - 1].hard, Some(Reason::SiteTemplate))
            && dated(first)
            && pos.all(dated)
    })
}

impl ItemLists {
    /// Marks the blocks of every item list on the page (`Evidence::item`). Returns whether
    /// there is one.
    pub(super) fn mark(
        &mut self,
        text: &str,
        feats: &PageFeatures,
        ev: &mut [Evidence],
        cfg: &CleanConfig,
        lex: &Lexicon,
        state: &[bool],
    ) -> bool {
        self.marks.clear();
        self.spans.clear();
        self.opened.clear();
        self.keys.clear();
        self.held.clear();
        for (i, (b, e)) in feats.blocks.iter().zip(ev.iter()).enumerate() {
            if e.tokens == 0 || e.tokens > cfg.short_tokens || e.sentence_end {
                continue;
            }
            // A line of the items' template is chrome by the site's frequency, or a stamp on
            // another of its pages too (a signature whose name and folded date recur: "DAY,
            // MONTH 0, 0 at 0:0 pm | Permalink" of one commenter on two posts; not an inline
            // "READ MORE: TITLE" that a story syndicated to two pages holds) (then lines
            // that share its opening or closing words are alike too: "by NAME on DATE"), or,
            // on the page alone, the same line but for its numbers ("40 minutes ago", "42
            // minutes ago"): a stamp, which does not speak of the article's subject (a dated
            // heading that does is the article's own). The site's lines are not asked for
            // the article's words: the article's vocabulary comes from its main run, which
            // may be the comments themselves until they are found ("by NAME on November 9 |
            // Reply" shares "November" and "Reply" with them). A name in the fill is not
            // enough without the site: a thread's posts are signed too, and they are its
            // content.
            let norm = feats.normalized_of(b);
            // Words besides the numbers: a bare counter ("#2") numbers a thread's posts and an
            // article's steps as well.
            let stamp = is_stamp(norm);
            // A stamp other sites write too ("November 11, 2012 2:54 AM", a blog engine's
            // format) is chrome by the crawl, as the site's are by the site.
            let crawl = stamp && e.hard == Some(Reason::CrossSite);
            let site = matches!(e.hard, Some(Reason::SiteTemplate | Reason::Templated))
                || (stamp && e.hard.is_none() && e.df >= 2)
                || crawl;
            // Without the site, only a stamp that the page's own segmentation left out.
            let page_stamp = stamp && !state[i] && !lex.shares_words(cfg, norm);
            if !site && !page_stamp {
                continue;
            }
            let raw = xxh3_64(&text.as_bytes()[b.start..b.end]);
            // The key kinds are kept apart by a constant mixed into each.
            self.marks.push((b.hash, i as u32, raw));
            if !site {
                continue;
            }
            if b.prefix != 0 {
                self.marks
                    .push((b.prefix ^ 0x5851_f42d_4c95_7f2d, i as u32, raw));
            }
            // The crawl's stamps are alike by their text or their opening words only: their
            // closing words and their count of numbers are what every dated line of a page
            // shares (a Q&A page's "answered DATE at TIME" of each answer and "Commented
            // DATE at TIME" of each comment would make one list of the thread).
            if b.suffix != 0 && !crawl {
                self.marks
                    .push((b.suffix ^ 0x1405_7b7e_f767_814f, i as u32, raw));
            }
            // A dated signature's numbers fall alike whatever the name and the half of the
            // day ("NAME 10/28/12 5:33 PM", "NAME 10/31/12 7:01 AM"): a date and a time, four
            // number runs or more, key the line by their count.
            if stamp && !crawl {
                let numbers = number_runs(norm) as u64;
                if numbers >= DATED_NUMBERS as u64 {
                    self.marks
                        .push((numbers ^ 0x2545_f491_4f6c_dd1d, i as u32, raw));
                }
            }
        }
        self.marks.sort_unstable();
        let mut found = false;
        let mut g = 0;
        while g < self.marks.len() {
            let key = self.marks[g].0;
            let end = g + self.marks[g..].partition_point(|m| m.0 == key);
            let lines = self.marks[g..end].iter().map(|m| m.1 as usize);
            if end - g >= cfg.item_min || (end - g >= 2 && signed_pair(lines, feats, ev)) {
                found |= self.mark_group(g, end, feats, ev, cfg);
            }
            g = end;
        }
        found
    }

    /// Whether a line of a found list stands just above block `m`, within the list's longest
    /// item, with the chrome the items hold above it: the run at `m` is then an item like the
    /// others (a thread's first post, under its poster's "N posts · Joined" and "#1 · DATE"),
    /// not an article that the list follows. The same line but for its numbers, not one that
    /// shares its first or last words only (an article's "by NAME on DATE" ends as its
    /// comments' signatures do); and the items' chrome, for an article's dateline may be the
    /// same line as its teasers' below it.
    pub(super) fn item_above(&self, feats: &PageFeatures, ev: &[Evidence], m: usize) -> bool {
        let mut from = 0;
        self.keys.iter().any(|&(key, reach, to)| {
            let held = &self.held[from..to];
            from = to;
            let lo = self.marks.partition_point(|x| x.0 < key);
            (self.marks[lo..].iter())
                .take_while(|x| x.0 == key)
                .any(|x| {
                    let b = x.1 as usize;
                    b < m
                        && m - b <= reach
                        && feats.blocks[b].hash == key
                        && (b.saturating_sub(reach)..b)
                            .any(|j| boundary_kind(&ev[j]) && held.contains(&feats.blocks[j].hash))
                })
        })
    }

    /// One key's lines at `marks[from..to]`, in page order: split where a gap between two
    /// lines holds a boundary (a like line in the article, then a list below), and mark each
    /// list's items.
    fn mark_group(
        &mut self,
        from: usize,
        to: usize,
        feats: &PageFeatures,
        ev: &mut [Evidence],
        cfg: &CleanConfig,
    ) -> bool {
        let pos: Vec<usize> = self.marks[from..to].iter().map(|m| m.1 as usize).collect();
        // The chrome lines the items hold (a "Reply" link, a vote count, a post number, a
        // like line of another key): on the site's template, and more than once between the
        // list's lines.
        self.inner.clear();
        let span = pos[0] + 1..pos[pos.len() - 1];
        for (b, e) in feats.blocks[span.clone()].iter().zip(&ev[span]) {
            if boundary_kind(e) {
                *self.inner.entry(b.hash).or_insert(0) += 1;
            }
        }
        let mut found = false;
        let mut s = 0;
        for k in 1..=pos.len() {
            // Items of one list vary in length (a comment of one line, one of ten
            // paragraphs): a gap ends the list not by its length but when it holds what no
            // item holds, a line of the site's chrome between two sections (the article's
            // share row, a "Comments" heading).
            if k < pos.len() && !(pos[k - 1] + 1..pos[k]).any(|j| self.is_boundary(feats, ev, j)) {
                continue;
            }
            found |= self.mark_list(&pos[s..k], from + s, feats, ev, cfg);
            s = k;
        }
        found
    }

    /// Whether block `j` parts two sections of the page: the site's chrome, but none that
    /// the items of the list at hand hold (`inner`).
    fn is_boundary(&self, feats: &PageFeatures, ev: &[Evidence], j: usize) -> bool {
        boundary_kind(&ev[j]) && !self.is_inner(feats, ev, j)
    }

    /// Whether block `j` is chrome that the items of the list at hand hold.
    fn is_inner(&self, feats: &PageFeatures, ev: &[Evidence], j: usize) -> bool {
        boundary_kind(&ev[j]) && self.inner.get(&feats.blocks[j].hash).map_or(0, |&c| c) >= 2
    }

    fn mark_list(
        &mut self,
        pos: &[usize],
        at: usize,
        feats: &PageFeatures,
        ev: &mut [Evidence],
        cfg: &CleanConfig,
    ) -> bool {
        let item_min = if signed_pair(pos.iter().copied(), feats, ev) {
            cfg.item_min.min(2)
        } else {
            cfg.item_min
        };
        if pos.len() < item_min {
            return false;
        }
        // Different fill: as many different lines as items.
        self.raws.clear();
        self.raws
            .extend(self.marks[at..at + pos.len()].iter().map(|m| m.2));
        self.raws.sort_unstable();
        self.raws.dedup();
        if self.raws.len() < item_min {
            return false;
        }
        // Items' lines differ most of the time: each comment has its name, each teaser its
        // title. Lines without numbers that mostly repeat word for word ("(NAME/Associated
        // Press)" of the same two or three photographers under each update of a live blog)
        // are the article's photo credits, not a list's skeleton; a stamp's fill is its
        // numbers, which may well repeat ("Re: (Score:2)").
        let stamped = (pos.iter()).any(|&b| is_stamp(feats.normalized_of(&feats.blocks[b])));
        if !stamped && 2 * self.raws.len() < pos.len() {
            return false;
        }
        // Prose between the lines, item after item.
        let bodies = pos
            .windows(2)
            .filter(|w| ev[w[0] + 1..w[1]].iter().any(|e| e.base > 0.0))
            .count();
        if bodies + 1 < item_min {
            return false;
        }
        let mut gaps: Vec<usize> = pos.windows(2).map(|w| w[1] - w[0]).collect();
        gaps.sort_unstable();
        let longest = gaps[gaps.len() - 1];
        // An item's length is its own blocks when the chrome each item repeats (a row of
        // "Recommend / Report / Share / Link to this comment" under every comment) is as long
        // as they are: such a list must then be set apart from the text above it (below).
        let raw_len = gaps[(gaps.len() - 1) / 2];
        gaps.clear();
        gaps.extend(pos.windows(2).map(|w| {
            1 + (w[0] + 1..w[1])
                .filter(|&j| !self.is_inner(feats, ev, j))
                .count()
        }));
        gaps.sort_unstable();
        let item_len = gaps[(gaps.len() - 1) / 2];
        let heavy = raw_len > cfg.item_blocks && 2 * item_len <= raw_len;
        if item_len > cfg.item_blocks || (raw_len > cfg.item_blocks && !heavy) {
            return false;
        }
        // Items whose line opens them (a name and date, then the comment): the list reaches
        // beyond its last line as far as its longest item runs (comments vary in length, and
        // the last may be a long one), up to the site's chrome that no item holds. Items
        // whose line closes them (the comment, then "by NAME on DATE | Reply"): it reaches
        // back over the prose before its first line, up to a line that is no prose (its
        // heading, a share row). So a list that follows the article with nothing between
        // takes the article in, and is then no list after an article (see `clean_page`): a
        // list must be set apart from the text before it. The line opens its items when
        // prose follows the last one.
        let last = pos[pos.len() - 1];
        let boundary = |j: usize| self.is_boundary(feats, ev, j);
        let prose = |e: &Evidence| e.hard.is_none() && !e.soft_template && e.base > 0.0;
        // A short line of the item's own (a name and date, a place): no chrome, no sentence.
        let own_short = |e: &Evidence| {
            e.hard.is_none() && !e.soft_template && e.tokens <= cfg.short_tokens && !e.sentence_end
        };
        // The item's other short lines (a source repeated on the page, the name and date of
        // a numbered comment) are passed over: prose is what an item opened by the line holds.
        let next = (last + 1..ev.len()).find(|&j| {
            let e = &ev[j];
            e.hard.is_none() && !e.soft_template && !e.page_dup && !own_short(e)
        });
        let mut opens = next.is_some_and(|j| ev[j].base > 0.0 && !(last + 1..j).any(boundary));
        // Prose right before its first line and right after its last: either the lines are
        // woven into running text (tweets quoted in an article, each signed), or they close
        // their items (comments signed "by NAME on DATE | Reply") and other text follows the
        // list. A first item like the others (no longer than the longest), right below the
        // site's hard chrome (a share row, a "N comments" heading), sets the list apart; an
        // article's paragraphs run on from its title and byline.
        let mut start = pos[0];
        // The item's own short lines above its line (a place and an address above "For
        // sale: $PRICE") are passed over, as below it, and so are lines of no words (the
        // dash of an embedded post above its signature, a rule): such a line neither opens
        // an item nor parts one from the prose above.
        let mut above = pos[0];
        while above > 0
            && pos[0] - above < longest
            && (own_short(&ev[above - 1]) || ev[above - 1].tokens == 0)
        {
            above -= 1;
        }
        if opens && above > 0 && prose(&ev[above - 1]) {
            let item = |e: &Evidence| e.hard.is_none() && !e.soft_template;
            while start > 0 && pos[0] - start < longest && item(&ev[start - 1]) {
                start -= 1;
            }
            // Chrome on most of the site's pages, or cross-site: a line on a tenth of them
            // (an inline "READ MORE" of the site's) may stand inside an article.
            let hard =
                |e: &Evidence| matches!(e.hard, Some(Reason::SiteTemplate | Reason::CrossSite));
            if start == 0 || !boundary(start - 1) || !hard(&ev[start - 1]) {
                return false;
            }
            opens = false;
        } else if !opens {
            while start > 0 && ev[start - 1].hard.is_none() && ev[start - 1].base > 0.0 {
                start -= 1;
            }
        }
        // Items heavy with chrome: between the list and the last prose above it stands
        // chrome that no item holds (a "Comments" heading). Paragraphs of an article parted
        // by the site's inline boxes (a video's "JUST WATCHED / Replay / MUST WATCH" and
        // its title) are no list of items.
        if heavy {
            let mut j = start;
            while j > 0 {
                j -= 1;
                if boundary(j) {
                    break;
                }
                if prose(&ev[j]) {
                    return false;
                }
            }
        }
        let mut end = last + 1;
        if opens {
            while end < ev.len() && end - last < longest && !boundary(end) {
                end += 1;
            }
        }
        ev[start..end].iter_mut().for_each(|e| e.item = true);
        self.spans.push((start, end));
        // Looked for past lines of no words, as `above` is.
        let opened = pos.iter().all(|&p| {
            let above = p - ev[..p].iter().rev().take_while(|e| e.tokens == 0).count();
            above > 0 && !prose(&ev[above - 1])
        });
        self.opened.push(opened);
        let held = self.inner.iter().filter(|(_, &c)| c >= 2).map(|(&h, _)| h);
        self.held.extend(held);
        self.keys.push((self.marks[at].0, longest, self.held.len()));
        true
    }
}

/// Marks a slideshow's captions as items of a list: `cfg.item_min` or more paragraphs right
/// above as many copies of one line of words (a text view lists a slideshow's captions, then
/// its title once for each slide: "From the campaign trail" ten times under ten captions),
/// or above the slideshow's controls first (up to `cfg.inline_box` lines of the site's
/// template: "HIDE CAPTION").
/// Each caption is a sentence of its own about its photo, not the article's prose, though it
/// scores as prose. The count is what marks them: an article's paragraphs above a share row
/// or a few image credits are not followed by one copy each of a titled line. A line of one
/// word ("Source", "Follow") is a label, not a title; nor is chrome of the site's or other
/// sites', or a row of numbers (a table's lines fold alike). A page with no other paragraph
/// of its own is the slideshow, and keeps its captions.
pub(super) fn slideshow_captions(ev: &mut [Evidence], feats: &PageFeatures, cfg: &CleanConfig) {
    let caption = |e: &Evidence| {
        e.tokens > 0 && e.hard.is_none() && !e.page_dup && e.sentence_end && e.base > 0.0
    };
    let mut marked = false;
    let mut next = 0;
    for same in feats.blocks.chunk_by(|a, b| a.hash == b.hash) {
        let (start, copies) = (next, same.len());
        next += copies;
        let title = (2..=cfg.short_tokens).contains(&ev[start].tokens)
            && matches!(ev[start].hard, None | Some(Reason::Templated));
        if copies < cfg.item_min || !title || !has_words(feats.normalized_of(&same[0])) {
            continue;
        }
        // The slideshow's own controls may stand between ("HIDE CAPTION"): the site's lines.
        let controls = (ev[..start].iter().rev())
            .take(cfg.inline_box)
            .take_while(|e| e.hard == Some(Reason::SiteTemplate))
            .count();
        let last = start - controls;
        if last >= copies && ev[last - copies..last].iter().all(caption) {
            ev[last - copies..last]
                .iter_mut()
                .for_each(|e| e.hard = Some(Reason::ItemList));
            marked = true;
        }
    }
    // Nothing but this function gives a block `ItemList` as hard chrome, so the marks are
    // undone by that alone.
    let article = |e: &Evidence| caption(e) && e.df < 2 && e.base >= cfg.switch_cost;
    if marked && !ev.iter().any(article) {
        (ev.iter_mut().filter(|e| e.hard == Some(Reason::ItemList))).for_each(|e| e.hard = None);
    }
}

/// Lists inside the article (tour dates, standings, steps): a row of at least `item_min` short
/// lines without sentence punctuation, on no other page, at least half of them templated by
/// their form ("June 17 …": the row is a list of like entries, not a menu), with prose right
/// before and right after it. Bylines and dates stand alone, not in rows between paragraphs;
/// such a row is the article's own list, and weighs as neutral in the segmentation, so the
/// article's run goes through it.
pub(super) fn inner_lists(ev: &mut [Evidence], cfg: &CleanConfig) {
    let prose = |e: &Evidence| e.hard.is_none() && !e.shared && e.base > 0.0;
    let mut i = 0;
    while i < ev.len() {
        let row = |e: &Evidence| {
            matches!(e.hard, None | Some(Reason::Templated))
                && e.df < 2
                && !e.page_dup
                && e.tokens > 0
                && e.tokens <= cfg.short_tokens
                && !e.sentence_end
        };
        if !row(&ev[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < ev.len() && row(&ev[i]) {
            i += 1;
        }
        let templated = ev[start..i]
            .iter()
            .filter(|e| e.hard == Some(Reason::Templated))
            .count();
        if i - start >= cfg.item_min
            && 2 * templated >= i - start
            && start > 0
            && i < ev.len()
            && prose(&ev[start - 1])
            && prose(&ev[i])
        {
            for e in &mut ev[start..i] {
                e.hard = None;
                e.base = e.base.max(0.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::Shingler;

    /// Evidence of a page of lines: `'T'` the site's template, `'s'` a templated signature,
    /// `'n'` a short line of the page's own (a name and date), `'h'` a short line on another
    /// page of the site too, `'p'` prose.
    fn page(kinds: &str) -> Vec<Evidence> {
        (kinds.chars())
            .map(|k| match k {
                'T' => Evidence {
                    hard: Some(Reason::SiteTemplate),
                    tokens: 2,
                    base: -8.0,
                    ..Default::default()
                },
                's' => Evidence {
                    hard: Some(Reason::Templated),
                    tokens: 8,
                    base: -2.0,
                    ..Default::default()
                },
                'n' => Evidence {
                    tokens: 5,
                    base: -3.0,
                    ..Default::default()
                },
                'h' => Evidence {
                    df: 2,
                    shared: true,
                    tokens: 9,
                    base: -2.0,
                    ..Default::default()
                },
                _ => Evidence {
                    tokens: 30,
                    base: 24.0,
                    ..Default::default()
                },
            })
            .collect()
    }

    /// A comment's paragraph, different for every `i`.
    fn comment(i: usize) -> String {
        format!("Comment {i} says the bridge works ran late, and then some.")
    }

    /// Marks the item lists of `lines` (one per kind in `kinds`) and returns which are items.
    fn items_of(lines: &[&str], kinds: &str) -> Vec<bool> {
        items_in_run(lines, kinds, &vec![false; kinds.len()])
    }

    /// Asserts that the items of `texts` (one per kind in `kinds`) are the blocks of `span`.
    fn assert_items(texts: &[String], kinds: &str, span: std::ops::Range<usize>) {
        let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
        let want: Vec<bool> = (0..kinds.len()).map(|i| span.contains(&i)).collect();
        assert_eq!(items_of(&lines, kinds), want);
    }

    /// As [`items_of`], with `state` the blocks in the page's kept runs.
    fn items_in_run(lines: &[&str], kinds: &str, state: &[bool]) -> Vec<bool> {
        let text = lines.join("\n");
        let mut shingler = Shingler::new(12);
        let feats = shingler.page(&text);
        let mut ev = page(kinds);
        let cfg = CleanConfig::default();
        ItemLists::default().mark(&text, feats, &mut ev, &cfg, &Lexicon::default(), state);
        ev.iter().map(|e| e.item).collect()
    }

    #[test]
    fn two_dated_signatures_right_under_the_template_are_a_list() {
        let texts: Vec<String> = vec![
            comment(0),
            "2 comments".into(),
            "Ann Lee 07.16.12 at 21:35".into(),
            comment(1),
            "Bo Chan 07.16.12 at 22:07".into(),
            comment(2),
            "Leave a comment".into(),
        ];
        assert_items(&texts, "pTspspT", 2..6);
        // Not right under the template: two like lines may be chance.
        let mut apart = texts.clone();
        apart.insert(2, comment(9));
        assert_items(&apart, "pTpspspT", 0..0);
        // Undated (a gallery's two labels around a story): no list.
        let mut undated = texts.clone();
        undated[2] = "Photos: the storm from space".into();
        undated[4] = "Photos: the flood from above".into();
        assert_items(&undated, "pTspspT", 0..0);
    }

    #[test]
    fn signed_comments_below_a_heading_with_prose_after_are_a_list() {
        let texts: Vec<String> = vec![
            comment(0),
            "12 comments".into(),
            comment(1),
            "by Ann Lee on May 3, 2012 at 4:17 pm | Reply".into(),
            comment(2),
            "by Bo Chan on May 4, 2012 at 5:27 pm | Reply".into(),
            comment(3),
            "by Cy Dorn on May 5, 2012 at 6:37 pm | Reply".into(),
            comment(4),
        ];
        let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
        // Below the site's heading: the first comment starts the list.
        let items = items_of(&lines, "pTpspspsp");
        assert_eq!(
            items[..8],
            [false, false, true, true, true, true, true, true]
        );
        assert!(
            !items[8],
            "what follows the last signature is no item of the list"
        );
        // Right after other prose, the signed lines are woven into running text.
        let items = items_of(&lines, "pppspspsp");
        assert!(items.iter().all(|&i| !i));
    }

    /// Regression (johndcook.com in dragnet-dev): numbered comments, each "N", then "NAME
    /// DATE at TIME", then the comment. The last comment was left out of the list, for the
    /// line after the last number is the name, not prose, so the numbers seemed to close their
    /// items; that comment then outweighed the article and the page kept every comment.
    #[test]
    fn numbered_comments_keep_their_last_item() {
        let texts: Vec<String> = vec![
            comment(0),
            "{ 3 comments }".into(),
            "1".into(),
            "Ann Lee 07.13.12 at 07:34".into(),
            comment(1),
            "2".into(),
            "Bo Chan 07.13.12 at 08:34".into(),
            comment(2),
            "3".into(),
            "Cy Dorn 07.16.12 at 11:43".into(),
            comment(3),
            "Leave a Comment".into(),
        ];
        assert_items(&texts, "pTTnpTnpTnpT", 2..11);
    }

    /// Regression (forum threads in wcxb-dev): a thread's first post, above a line that parts
    /// it from the replies ("Oldest first Newest first"), outweighed them and was taken for an
    /// article with its comments below, which went. Under the same "N posts · Joined" and "#1
    /// · DATE" lines as the replies, it is an item like them.
    #[test]
    fn a_threads_first_post_under_the_items_lines_is_an_item() {
        let post = |i: usize| format!("Post {i} says the bridge works ran late, and then some.");
        let thread = |top: &str| -> Vec<String> {
            let mut t = vec![top.to_string(), "#1 · Jun 3, 2024".into(), post(1)];
            t.push("Reply Quote Like".into());
            t.push("Oldest first Newest first".into());
            for (i, joined) in [(2, "40 posts · Joined 2012"), (3, "7 posts · Joined 2020")]
                .into_iter()
                .chain([(4, "3 posts · Joined 2024")])
            {
                t.push(joined.into());
                t.push(format!("#{i} · Jun {}, 2024", i + 2));
                t.push(post(i));
                t.push("Reply Quote Like".into());
            }
            t.push("Post Reply".into());
            t
        };
        let kinds = "TspTTTspTTspTTspTT";
        for (top, first_is_item) in [("12 posts · Joined 2019", true), ("Forum Home", false)] {
            let texts = thread(top);
            let text = texts.join("\n");
            let mut shingler = Shingler::new(12);
            let feats = shingler.page(&text);
            let mut ev = page(kinds);
            let cfg = CleanConfig::default();
            let state = vec![false; ev.len()];
            let mut lists = ItemLists::default();
            assert!(lists.mark(&text, feats, &mut ev, &cfg, &Lexicon::default(), &state));
            assert!(!ev[2].item && ev[7].item && ev[15].item);
            assert_eq!(lists.item_above(feats, &ev, 2), first_is_item, "{top}");
        }
    }

    /// Regression (freerangelibrarian.com in dragnet-dev): comments signed below each with a
    /// date line that another page of the site holds too (one commenter, times that fold
    /// alike) were no list, for only the site's template and templated lines were asked.
    #[test]
    fn signatures_the_site_repeats_mark_a_list() {
        let mut texts: Vec<String> = vec![comment(0), "5 Responses".into()];
        for (i, who) in ["Ann Lee", "Bo Chan", "Cy Dorn"].iter().enumerate() {
            texts.push(format!("{who} wrote:"));
            texts.push(comment(i + 1));
            texts.push(format!(
                "Saturday, August 18, 2012 at {}:1{i} pm | Permalink",
                i + 5
            ));
        }
        texts.push("Leave a Reply".into());
        let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
        // The signatures kept with the comments (so no stamp the segmentation left out).
        let kinds = "pTnphnphnphT";
        let state: Vec<bool> = kinds.chars().map(|k| k != 'T').collect();
        let items = items_in_run(&lines, kinds, &state);
        // From the first comment (its name line, short, stays outside) to the last signature.
        let want: Vec<bool> = (0..12).map(|i| (3..11).contains(&i)).collect();
        assert_eq!(items, want);
    }

    /// Regression (randfishkin.com, cbsnews.com, incourage.me in dragnet-dev): comments
    /// signed "NAME DATE TIME AM" or "… PM", names all different: no key of the signatures
    /// (first words, last words) reached three lines in a row, so the comments were no list.
    /// Their numbers fall alike.
    #[test]
    fn dated_signatures_of_both_halves_of_the_day_mark_one_list() {
        let mut texts: Vec<String> = vec![comment(0), "5 Responses".into()];
        for (i, sign) in ["Ann Lee10/28/12 5:33 PM", "Bo Chan10/29/12 7:01 AM"]
            .iter()
            .chain(&["Cy Dorn10/30/12 8:07 PM"])
            .enumerate()
        {
            texts.push(sign.to_string());
            texts.push(comment(i + 1));
        }
        texts.push("Leave a Reply".into());
        assert_items(&texts, "pTspspspT", 2..8);
    }

    /// Regression (guardian.co.uk in dragnet-dev): every comment closed by seven lines of the
    /// site's buttons ("Recommend? (7)", "Report", "Share", "Link to this comment:"…), so an
    /// item ran to eleven blocks and the list was refused as too long; the comments were
    /// kept. An item is measured by its own blocks, and such a list needs the site's chrome
    /// between it and the article (the "Comments" heading).
    #[test]
    fn comments_heavy_with_buttons_are_a_list_set_apart() {
        let buttons = [
            "Recommend? (3)",
            "Responses (0)",
            "Report",
            "Share",
            "Close",
        ]
        .iter()
        .chain(&["Link to this comment:", "Share Tweet this"]);
        let mut texts: Vec<String> = vec![comment(0), "Comments".into()];
        let mut kinds = String::from("pT");
        for (i, who) in ["rusticred", "IanCW", "ozzieb"].iter().enumerate() {
            texts.push(who.to_string());
            texts.push(format!("1 November 2012 9:{}7PM", i + 3));
            texts.push(comment(i + 1));
            texts.extend(buttons.clone().map(|b| b.to_string()));
            kinds.push_str("nspTTTTTTT");
        }
        texts.push("Leave a comment".into());
        kinds.push('T');
        let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
        let items = items_of(&lines, &kinds);
        let prose: Vec<usize> = (0..kinds.len())
            .filter(|&i| &kinds[i..i + 1] == "p")
            .collect();
        assert!(!items[prose[0]], "the article");
        assert!(prose[1..].iter().all(|&i| items[i]), "{items:?}");
        // An article's paragraphs parted by the site's video boxes (five lines of buttons,
        // then the video's title and running time): no chrome of its own sets the first box
        // apart from the paragraphs above, so they are no list.
        let boxes = [
            "JUST WATCHED",
            "Replay",
            "More Videos",
            "MUST WATCH",
            "Read More",
        ];
        let mut texts: Vec<String> = vec![comment(0)];
        let mut kinds = String::from("p");
        for i in 0..3 {
            texts.extend(boxes.iter().map(|b| b.to_string()));
            texts.push(format!("Undeniable facts, part {i} 02:4{i}"));
            texts.extend((1..4).map(|k| comment(10 * i + k)));
            kinds.push_str("TTTTTsppp");
        }
        let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
        let items = items_of(&lines, &kinds);
        assert!(items.iter().all(|&i| !i), "{items:?}");
    }
}
