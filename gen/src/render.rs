//! Page rendering: one article of a site as a scraped page, one block per line, each line
//! labelled with how it was produced.
//!
//! A page runs top to bottom: cookie banner, header, breadcrumbs and a trending box, the
//! headline with its meta lines (byline, date, age, views), the body with captions and ads,
//! tags, share row, author bio and plea, related stories and comments, footer. Seed-shaped
//! sites use the reference scraped page's layout instead ([`render_seed_shaped`]). Each page
//! draws from its own generator, so the order of these steps fixes the output.

use std::fmt::Write as _;

use crate::article::{Article, Body};
use crate::lang::{Lang, Topic};
use crate::phrases::Words;
use crate::rng::{seed_of, Rng};
use crate::site::{Line, Related, Site};
use crate::LABEL_UNIQUE_CHROME;
use crate::{
    CASE_BIO, CASE_CODE, CASE_COMMENT, CASE_DUPLICATE, CASE_LEAD_IN, CASE_LIST, CASE_READ_MORE,
};
use crate::{CASE_EMBED, CASE_THREAD, CASE_THREAD_CHROME};
use crate::{LABEL_CONTENT, LABEL_CROSSSITE, LABEL_RELATED, LABEL_TEMPLATE, LABEL_TEMPLATED};

/// One page being rendered: its text, its gold (the content lines) and a label per line.
pub(crate) struct PageBuf {
    pub(crate) text: String,
    pub(crate) gold: String,
    pub(crate) labels: Vec<&'static str>,
    /// Per line, the hard case it belongs to, or `""`.
    pub(crate) cases: Vec<&'static str>,
    /// The hard case of the lines pushed now.
    case: &'static str,
    /// Code listings' lines and the paragraph each follows, for a print copy of the page.
    code: Vec<(usize, String)>,
}

impl PageBuf {
    /// An empty page, with room for a typical one.
    pub(crate) fn new() -> PageBuf {
        PageBuf {
            text: String::with_capacity(16 * 1024),
            gold: String::with_capacity(8 * 1024),
            labels: Vec::with_capacity(128),
            cases: Vec::with_capacity(128),
            case: "",
            code: Vec::new(),
        }
    }

    /// Appends one line (non-empty, no newline) with its label.
    fn push(&mut self, line: &str, label: &'static str) {
        debug_assert!(!line.is_empty() && !line.contains('\n'));
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
        if label == LABEL_CONTENT {
            if !self.gold.is_empty() {
                self.gold.push('\n');
            }
            self.gold.push_str(line);
        }
        self.labels.push(label);
        self.cases.push(self.case);
    }

    /// Appends each line with chance `keep` (all of them at 1.0, without drawing).
    fn push_all(&mut self, rng: &mut Rng, lines: &[Line], keep: f64) {
        for (l, lab) in lines {
            if keep >= 1.0 || rng.chance(keep) {
                self.push(l, lab);
            }
        }
    }
}

/// `n` with comma thousands separators.
fn thousands(mut n: usize, out: &mut String) {
    let mut groups = Vec::new();
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    for (i, g) in groups.iter().rev().enumerate() {
        if i == 0 {
            let _ = write!(out, "{g}");
        } else {
            let _ = write!(out, ",{g:03}");
        }
    }
}

/// "N minutes/hours/days ago".
fn time_ago(rng: &mut Rng, w: &Words) -> String {
    match rng.below(3) {
        0 => format!("{} {}", rng.range(2, 59), w.ago[0]),
        1 => format!("{} {}", rng.range(2, 23), w.ago[1]),
        _ => format!("{} {}", rng.range(2, 30), w.ago[2]),
    }
}

/// A publication date in the site's format.
fn date_line(site: &Site, rng: &mut Rng, w: &Words, year: usize) -> String {
    let m = rng.below(12);
    let d = rng.range(1, 28);
    let h = rng.below(24);
    let mi = rng.below(60);
    let month = &w.months[m];
    let h12 = (h + 11) % 12 + 1;
    match site.date_fmt {
        0 => format!(
            "{month} {d}, {year} | {h12}:{mi:02}{}",
            if h < 12 { "am" } else { "pm" }
        ),
        1 => format!("{d:02}.{:02}.{year} {h:02}:{mi:02}", m + 1),
        2 => {
            let short: String = month.chars().take(3).collect();
            format!(
                "{} {short} {d}, {year}, {h12}:{mi:02} {}",
                w.updated,
                if h < 12 { "AM" } else { "PM" }
            )
        }
        _ => format!("{} {d} {month} {year}", w.published),
    }
}

/// What every page of one site renders from.
pub(crate) struct Ctx<'a> {
    pub(crate) site: &'a Site,
    pub(crate) lang: &'a Lang,
    pub(crate) words: &'a Words,
    pub(crate) articles: &'a [Article],
}

/// Renders article `me` of the site as a page into `buf`.
pub(crate) fn render_page(
    cx: &Ctx,
    rng: &mut Rng,
    mut hard: Option<&mut Rng>,
    me: usize,
    buf: &mut PageBuf,
) {
    let site = cx.site;
    if site.seed_shaped {
        render_seed_shaped(cx, rng, me, buf);
        return;
    }
    if let Some(h) = hard.as_deref_mut() {
        if h.chance(0.1) {
            hard_thread(cx, rng, h, me, buf);
            return;
        }
    }
    let art = &cx.articles[me];
    let keep = site.line_keep;
    if site.cookie_top {
        buf.push_all(rng, &site.cookie, 1.0);
    }
    buf.push_all(rng, &site.header, keep);
    render_above_article(cx, rng, art, buf);
    render_headline(cx, rng, art, buf);
    render_body(cx, rng, hard.as_deref_mut(), me, buf);
    render_below_article(cx, rng, art, buf);
    if let Some(h) = hard.as_deref_mut() {
        hard_after_body(cx, h, me, buf);
    }
    if site.related_before_comments {
        render_related(cx, rng, me, buf);
        render_comments(cx, rng, buf);
    } else {
        render_comments(cx, rng, buf);
        render_related(cx, rng, me, buf);
    }
    buf.push_all(rng, &site.footer, keep);
    if !site.cookie_top {
        buf.push_all(rng, &site.cookie, 1.0);
    }
    if let Some(h) = hard {
        hard_doubled(cx, h, me, buf);
    }
}

/// Breadcrumbs and the trending box (titles of stories not in the crawl).
fn render_above_article(cx: &Ctx, rng: &mut Rng, art: &Article, buf: &mut PageBuf) {
    let site = cx.site;
    if site.breadcrumbs {
        let sec = &site.sections[art.section].0;
        let mut b = format!("{} > {sec}", cx.words.home);
        if rng.chance(0.6) {
            b.push_str(" > ");
            b.push_str(&site.sections[rng.below(site.sections.len())].0);
        }
        buf.push(&b, LABEL_TEMPLATED);
    }
    if let Some(h) = &site.trending_top {
        buf.push(h, LABEL_TEMPLATE);
        let mut t = String::new();
        for _ in 0..rng.range(3, 6) {
            t.clear();
            let topic = Topic::new(cx.lang, rng).with_rate(0.25);
            let n = rng.range(5, 12);
            cx.lang.sentence_on(rng, &mut t, n, &topic);
            t.pop();
            buf.push(&t, LABEL_UNIQUE_CHROME);
        }
    }
}

/// Title, deck, then the meta lines in the site's order.
fn render_headline(cx: &Ctx, rng: &mut Rng, art: &Article, buf: &mut PageBuf) {
    let site = cx.site;
    buf.push(&art.body.title, LABEL_CONTENT);
    if site.deck {
        buf.push(&art.body.deck, LABEL_CONTENT);
    }
    for &m in &site.meta_order {
        let line = match m {
            0 => {
                let a = &site.authors[art.author];
                match site.byline_fmt {
                    0 => format!("{} {a}", cx.words.by),
                    1 => format!("{a}, {}", rng.pick(&cx.words.roles)),
                    _ => format!(
                        "{} {a} {} {}",
                        cx.words.posted_by, cx.words.in_word, site.sections[art.section].0
                    ),
                }
            }
            1 => date_line(site, rng, cx.words, art.year),
            2 if site.timeago => time_ago(rng, cx.words),
            3 if site.views > 0 => view_count(site.views, rng, cx.words),
            _ => continue,
        };
        buf.push(&line, LABEL_TEMPLATED);
    }
}

/// A view counter in style `views` (1-3, see [`Site::views`]).
fn view_count(views: usize, rng: &mut Rng, w: &Words) -> String {
    let mut s = String::new();
    let n = rng.range(10, 900_000);
    match views {
        1 => thousands(n, &mut s),
        2 => {
            thousands(n, &mut s);
            s.push(' ');
            s.push_str(&w.views);
        }
        _ => {
            s.push_str(&w.read);
            s.push(' ');
            thousands(n, &mut s);
            s.push(' ');
            s.push_str(&w.times);
        }
    }
    s
}

/// A photo caption of `lo..=hi` words about the article, credited.
fn caption(cx: &Ctx, rng: &mut Rng, topic: &Topic, (lo, hi): (usize, usize), out: &mut String) {
    out.clear();
    let n = rng.range(lo, hi);
    cx.lang.sentence_on(rng, out, n, topic);
    let _ = write!(out, " ({} {})", cx.words.photo, cx.lang.full_name(rng));
}

/// Top share row, lead caption, highlights, then the paragraphs with captions and ads
/// between them.
fn render_body(cx: &Ctx, rng: &mut Rng, mut hard: Option<&mut Rng>, me: usize, buf: &mut PageBuf) {
    let site = cx.site;
    let art = &cx.articles[me];
    if site.share_top {
        buf.push_all(rng, &site.share, 1.0);
    }
    let mut line = String::with_capacity(256);
    // Captions describe the article's pictures, so they name its subject too.
    if rng.chance(site.lead_caption_p) {
        caption(cx, rng, &art.body.topic, (8, 20), &mut line);
        buf.push(&line, LABEL_UNIQUE_CHROME);
    }
    if let Some(h) = &site.highlights {
        buf.push(h, LABEL_TEMPLATE);
        for l in &art.body.highlights {
            buf.push(l, LABEL_CONTENT);
        }
    }
    let ad = cx.lang.tr("Advertisement");
    let paras = &art.body.paras;
    // A tenth of the articles are tutorials, with code listings between their paragraphs;
    // drawn from a fork, so that the other cases fall where they fell before this one.
    let tutorial = hard
        .as_deref()
        .is_some_and(|h| h.fork(0x7475_746f).chance(0.1));
    for (i, p) in paras.iter().enumerate() {
        buf.push(p, LABEL_CONTENT);
        if let Some(h) = hard.as_deref_mut() {
            hard_inline(cx, h, me, i, tutorial, buf);
        }
        if i + 1 < paras.len() {
            if rng.chance(site.caption_p) {
                caption(cx, rng, &art.body.topic, (6, 16), &mut line);
                buf.push(&line, LABEL_UNIQUE_CHROME);
            }
            if rng.chance(site.ad_p) {
                buf.push(&ad, LABEL_CROSSSITE);
            }
        }
    }
}

/// Tags, bottom share row, author bio and a plea for support.
fn render_below_article(cx: &Ctx, rng: &mut Rng, art: &Article, buf: &mut PageBuf) {
    let site = cx.site;
    let mut line = String::with_capacity(256);
    if site.tags {
        line.push_str(&cx.words.tags);
        for i in 0..rng.range(2, 5) {
            line.push_str(if i == 0 { " " } else { ", " });
            line.push_str(cx.lang.word(rng));
        }
        buf.push(&line, LABEL_TEMPLATED);
    }
    if site.share_bottom {
        buf.push_all(rng, &site.share, 1.0);
    }
    if rng.chance(site.bio_p) {
        line.clear();
        line.push_str(&site.authors[art.author]);
        line.push(' ');
        let n = rng.range(12, 30);
        cx.lang.paragraph(rng, &mut line, n);
        buf.push(&line, LABEL_UNIQUE_CHROME);
    }
    if rng.chance(site.plea_p) {
        line.clear();
        let n = rng.range(15, 40);
        cx.lang.paragraph(rng, &mut line, n);
        let _ = write!(line, " {}", site.display);
        buf.push(&line, LABEL_UNIQUE_CHROME);
    }
}

/// Hard cases inside the body, after paragraph `i`: a lead-in line and the short list it
/// opens (tour dates), an inline "READ MORE: <another story's title>" line or an embedded
/// post; in a tutorial, a code listing.
fn hard_inline(cx: &Ctx, h: &mut Rng, me: usize, i: usize, tutorial: bool, buf: &mut PageBuf) {
    let art = &cx.articles[me];
    if i + 1 >= art.body.paras.len() {
        return;
    }
    // A tutorial's paragraphs are parted by code listings only: its own case, kept apart
    // from the lists and posts that other articles hold.
    if tutorial {
        let mut k = h.fork(0x636f_6465 ^ i as u64);
        if i > 0 && k.chance(0.4) {
            hard_code(cx, &mut k, i, buf);
        }
        return;
    }
    if i == 0 && h.chance(0.3) {
        buf.case = CASE_LEAD_IN;
        let mut line = String::new();
        let n = h.range(6, 12);
        cx.lang.sentence_on(h, &mut line, n, &art.body.topic);
        line.pop();
        line.push(':');
        buf.push(&line, LABEL_CONTENT);
        buf.case = CASE_LIST;
        for _ in 0..h.range(4, 9) {
            line.clear();
            let month = &cx.words.months[h.below(cx.words.months.len())];
            let _ = write!(
                line,
                "{month} {} {} {}",
                h.range(1, 29),
                cx.lang.name(h),
                cx.lang.word(h)
            );
            buf.push(&line, LABEL_CONTENT);
        }
        buf.case = "";
    } else if cx.articles.len() > 1 && h.chance(0.15) {
        buf.case = CASE_READ_MORE;
        let other = pick_others(h, cx.articles.len(), me, 1)[0];
        let line = format!(
            "{} {}",
            cx.lang.tr("READ MORE:"),
            cx.articles[other].body.title
        );
        buf.push(&line, LABEL_TEMPLATED);
        buf.case = "";
    } else if i > 0 && h.chance(0.2) {
        hard_embed(cx, h, me, buf);
    }
}

/// A code listing between two paragraphs: a function of four to eight short lines whose
/// names are words rare elsewhere, so no frequency speaks for them and their shape (short,
/// no sentence punctuation) speaks against them; they are the article's all the same.
fn hard_code(cx: &Ctx, k: &mut Rng, after: usize, buf: &mut PageBuf) {
    buf.case = CASE_CODE;
    let mut line = String::new();
    let name = format!("{}_{}", cx.lang.rare_word(k), cx.lang.rare_word(k));
    let _ = write!(
        line,
        "def {name}({}, {}):",
        cx.lang.rare_word(k),
        cx.lang.rare_word(k)
    );
    buf.push(&line, LABEL_CONTENT);
    buf.code.push((after, line.clone()));
    for _ in 0..k.range(2, 6) {
        line.clear();
        let (a, b, c) = (
            cx.lang.rare_word(k),
            cx.lang.rare_word(k),
            cx.lang.rare_word(k),
        );
        let _ = match k.below(4) {
            0 => write!(line, "    {a}_{b} = {c}({a}, {})", k.range(2, 999)),
            1 => write!(line, "    for {a} in {b}.{c}():"),
            2 => write!(line, "        {a}.{b}({c}_{a})"),
            _ => write!(line, "    if {a} > {}: {b} += {c}", k.range(2, 99)),
        };
        buf.push(&line, LABEL_CONTENT);
        buf.code.push((after, line.clone()));
    }
    line.clear();
    let _ = write!(line, "    return {name}");
    buf.push(&line, LABEL_CONTENT);
    buf.code.push((after, line.clone()));
    buf.case = "";
}

/// A social post the article quotes after a paragraph: its text and a "— NAME (@handle)
/// MONTH D, YEAR" line. Pages that quote several repeat the skeleton within the page, as an
/// item list does, yet both lines are the article's.
fn hard_embed(cx: &Ctx, h: &mut Rng, me: usize, buf: &mut PageBuf) {
    let art = &cx.articles[me];
    buf.case = CASE_EMBED;
    let mut line = String::new();
    let n = h.range(8, 26);
    cx.lang.sentence_on(h, &mut line, n, &art.body.topic);
    buf.push(&line, LABEL_CONTENT);
    line.clear();
    let name = cx.lang.full_name(h);
    let handle: String = name
        .split(' ')
        .next_back()
        .unwrap_or("user")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let month = &cx.words.months[h.below(cx.words.months.len())];
    let _ = write!(
        line,
        "\u{2014} {name} (@{handle}{}) {month} {}, {}",
        h.range(1, 100),
        h.range(1, 29),
        art.year
    );
    buf.push(&line, LABEL_CONTENT);
    buf.case = "";
}

/// A hard case in place of an article page: a forum thread. Its title, then posts, each an
/// author line, a role line, a date line, a "#N" line, one to four paragraphs (some one short
/// sentence) and a reply button. Gold holds the author, date and text of every post (as
/// thread benchmarks mark them); role, number and button are the forum's chrome.
fn hard_thread(cx: &Ctx, rng: &mut Rng, h: &mut Rng, me: usize, buf: &mut PageBuf) {
    let site = cx.site;
    let art = &cx.articles[me];
    buf.push_all(rng, &site.header, site.line_keep);
    buf.case = CASE_THREAD;
    buf.push(&art.body.title, LABEL_CONTENT);
    let role = cx.lang.tr("Member");
    let reply = cx.lang.tr("Reply");
    let people: Vec<String> = (0..h.range(2, 6)).map(|_| cx.lang.full_name(h)).collect();
    let mut day = h.range(1, 20);
    let month = &cx.words.months[h.below(cx.words.months.len())];
    let mut line = String::new();
    for k in 0..h.range(4, 11) {
        let who = if k == 0 { 0 } else { h.below(people.len()) };
        day += h.below(3);
        buf.case = CASE_THREAD;
        buf.push(&people[who], LABEL_CONTENT);
        buf.case = CASE_THREAD_CHROME;
        buf.push(&role, LABEL_TEMPLATE);
        buf.case = CASE_THREAD;
        line.clear();
        let _ = write!(line, "{month} {day}, {}", art.year);
        buf.push(&line, LABEL_CONTENT);
        buf.case = CASE_THREAD_CHROME;
        line.clear();
        let _ = write!(line, "#{}", k + 1);
        buf.push(&line, LABEL_TEMPLATED);
        buf.case = CASE_THREAD;
        for _ in 0..h.range(1, 5) {
            line.clear();
            if h.chance(0.35) {
                let n = h.range(3, 10);
                cx.lang.sentence_on(h, &mut line, n, &art.body.topic);
            } else {
                let n = h.range(15, 60);
                cx.lang.paragraph_on(h, &mut line, n, &art.body.topic);
            }
            buf.push(&line, LABEL_CONTENT);
        }
        buf.case = CASE_THREAD_CHROME;
        buf.push(&reply, LABEL_TEMPLATE);
    }
    buf.case = "";
    buf.push_all(rng, &site.footer, site.line_keep);
    buf.push_all(rng, &site.cookie, 1.0);
}

/// Hard cases after the body: the author's bio, and a list of comments, each opened by a
/// "NAME on MONTH D, YEAR at H:MM" line, after a heading; on some pages one comment of the
/// list is long, and on some the line closes each comment ("… | Reply") and a pingback's
/// excerpt follows the list.
fn hard_after_body(cx: &Ctx, h: &mut Rng, me: usize, buf: &mut PageBuf) {
    let art = &cx.articles[me];
    if h.chance(0.5) {
        buf.case = CASE_BIO;
        let line = format!(
            "{} {} {} {} {} {}.",
            cx.site.authors[art.author],
            cx.lang.tr("is a reporter at"),
            cx.site.display,
            cx.lang.tr("covering"),
            cx.lang.word(h),
            cx.lang.word(h)
        );
        buf.push(&line, LABEL_TEMPLATED);
        buf.case = "";
    }
    if h.chance(0.6) {
        buf.push(&cx.words.comments, LABEL_TEMPLATE);
        buf.case = CASE_COMMENT;
        let on = cx.lang.tr("on");
        let at = cx.lang.tr("at");
        let mut line = String::new();
        // A quarter of the posts have two comments only (drawn from a fork, so that the
        // other pages' cases fall where they fell before).
        let two = h.fork(0x74_776f).chance(0.25);
        let n = h.range(3, 8);
        let n = if two { 2 } else { n };
        // Now and then one comment runs long (an essay among one-liners): a list's items
        // differ in length, and its end is not where the items' median length says.
        let long = if h.chance(0.4) { h.below(n) } else { n };
        // Some blogs (a third, by a hash of the site's name: a blog has one comment
        // template) sign each comment below it ("NAME on DATE at H:MM | Reply") and end the
        // list with a pingback's excerpt: prose before the first line and after the last.
        // What else that needs is drawn on a side generator, so that the other sites' cases
        // stay as they were.
        let name = cx.site.display.bytes();
        let closes = name.fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64)) % 3 == 0;
        let mut side = Rng::new(seed_of(me as u64, n as u64, long as u64));
        let reply = cx.lang.tr("Reply");
        for c in 0..n {
            line.clear();
            let month = &cx.words.months[h.below(cx.words.months.len())];
            let _ = write!(
                line,
                "{} {on} {month} {}, {} {at} {}:{:02}",
                cx.lang.full_name(h),
                h.range(1, 29),
                art.year,
                h.range(1, 13),
                h.range(0, 60)
            );
            if closes {
                line.push_str(" | ");
                line.push_str(&reply);
            } else {
                buf.push(&line, LABEL_TEMPLATED);
            }
            let paragraphs = if c == long {
                h.range(6, 11)
            } else {
                h.range(1, 4)
            };
            let mut para = String::new();
            for _ in 0..paragraphs {
                para.clear();
                let n = h.range(12, 50);
                cx.lang.paragraph_on(h, &mut para, n, &art.body.topic);
                buf.push(&para, LABEL_UNIQUE_CHROME);
            }
            if closes {
                buf.push(&line, LABEL_TEMPLATED);
            }
        }
        if closes {
            line.clear();
            let n = side.range(20, 40);
            cx.lang
                .paragraph_on(&mut side, &mut line, n, &art.body.topic);
            buf.push(&format!("[...] {line} [...]"), LABEL_UNIQUE_CHROME);
        }
        buf.case = "";
    }
}

/// A hard case after the page: the article again (title and body), as a print copy.
fn hard_doubled(cx: &Ctx, h: &mut Rng, me: usize, buf: &mut PageBuf) {
    if !h.chance(0.25) {
        return;
    }
    let art = &cx.articles[me];
    buf.case = CASE_DUPLICATE;
    buf.push(&art.body.title, LABEL_UNIQUE_CHROME);
    let code = std::mem::take(&mut buf.code);
    for (i, p) in art.body.paras.iter().enumerate() {
        buf.push(p, LABEL_UNIQUE_CHROME);
        for (_, line) in code.iter().filter(|c| c.0 == i) {
            buf.push(line, LABEL_UNIQUE_CHROME);
        }
    }
    buf.case = "";
}

/// Distinct other article indices of this site.
fn pick_others(rng: &mut Rng, n: usize, me: usize, want: usize) -> Vec<usize> {
    let want = want.min(n.saturating_sub(1));
    let mut out: Vec<usize> = Vec::with_capacity(want);
    while out.len() < want {
        let k = rng.below(n);
        if k != me && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The related-stories widget: heading, then title and first paragraph or cut body of
/// other articles of the site.
fn render_related(cx: &Ctx, rng: &mut Rng, me: usize, buf: &mut PageBuf) {
    let site = cx.site;
    if site.related == Related::None || cx.articles.len() < 2 {
        return;
    }
    let (lo, hi) = site.related_count;
    let want = rng.range(lo, hi);
    let others = pick_others(rng, cx.articles.len(), me, want);
    buf.push(&site.related_heading, LABEL_TEMPLATE);
    for k in others {
        let a = &cx.articles[k];
        buf.push(&a.body.title, LABEL_RELATED);
        if site.related == Related::FirstPara {
            buf.push(&a.body.paras[0], LABEL_RELATED);
        } else {
            let body = joined_body(&a.body, site.teaser_chars);
            buf.push(&body, LABEL_RELATED);
        }
    }
}

/// The article body on one line, cut at a word boundary near `limit` bytes
/// (mid-sentence, as teaser widgets do).
fn joined_body(a: &Body, limit: usize) -> String {
    let mut body = String::with_capacity(limit + 128);
    for (i, p) in a.paras.iter().enumerate() {
        if i > 0 {
            body.push(' ');
        }
        body.push_str(p);
        if body.len() > limit {
            break;
        }
    }
    if body.len() > limit {
        let mut lim = limit;
        while !body.is_char_boundary(lim) {
            lim -= 1;
        }
        let cut = body[..lim].rfind(' ').unwrap_or(lim);
        body.truncate(cut);
    }
    body
}

/// The comments widget: heading, then "no comments" or a few one-off comments.
fn render_comments(cx: &Ctx, rng: &mut Rng, buf: &mut PageBuf) {
    let site = cx.site;
    let Some(h) = &site.comments_heading else {
        return;
    };
    buf.push(h, LABEL_TEMPLATE);
    if !rng.chance(site.comment_p) {
        buf.push(&site.no_comments, LABEL_TEMPLATE);
        return;
    }
    let n = rng.range(1, 6);
    buf.push(&format!("{n} {}", cx.words.comments), LABEL_TEMPLATED);
    let mut line = String::with_capacity(256);
    for _ in 0..n {
        // Commenter handles: name plus digits, so they stay one-off.
        let handle = format!("{}{}", cx.lang.name(rng), rng.range(10, 9999));
        buf.push(&handle, LABEL_UNIQUE_CHROME);
        buf.push(&time_ago(rng, cx.words), LABEL_TEMPLATED);
        line.clear();
        let w = rng.range(6, 60);
        cx.lang.paragraph(rng, &mut line, w);
        buf.push(&line, LABEL_UNIQUE_CHROME);
    }
}

/// Layout of the reference scraped page: article, AI/comments stubs, then
/// groups of source, age, "- source", teaser title, teaser whole body.
fn render_seed_shaped(cx: &Ctx, rng: &mut Rng, me: usize, buf: &mut PageBuf) {
    let site = cx.site;
    let art = &cx.articles[me];
    buf.push(&art.body.title, LABEL_CONTENT);
    for p in &art.body.paras {
        buf.push(p, LABEL_CONTENT);
    }
    for l in &site.seed_stubs {
        buf.push(l, LABEL_TEMPLATE);
    }
    let want = rng.range(2, 5);
    let others = pick_others(rng, cx.articles.len(), me, want);
    for k in others {
        let a = &cx.articles[k];
        let src = rng.pick(&site.sources);
        buf.push(src, LABEL_TEMPLATED);
        buf.push(&time_ago(rng, cx.words), LABEL_TEMPLATED);
        buf.push(&format!("- {src}"), LABEL_TEMPLATED);
        buf.push(&a.body.title, LABEL_RELATED);
        let body = joined_body(&a.body, site.teaser_chars);
        buf.push(&body, LABEL_RELATED);
    }
}
