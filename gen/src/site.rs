//! Sites: one invented news site's template, drawn once from the site's generator.
//!
//! A [`Site`] fixes everything its pages share: name and domain, sections, header and
//! footer lines, cookie banner, share row, related-stories and comments widgets, date and
//! byline formats, and the chances of one-off chrome (captions, ads, bios, pleas). Drawing
//! order matters: every draw comes from the site's one generator, so the phases of
//! [`Site::new`] run in a fixed order and the same seed gives the same site.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::lang::{capitalize, fold_ascii, Lang};
use crate::phrases::{
    COMMENT_HEADINGS, CROSSSITE, FOOTER_LINKS, FOOTER_SITE, HEADER_EXTRA, NO_COMMENTS,
    RELATED_HEADINGS, SECTIONS, SHARE_SETS, SITE_SUFFIXES,
};
use crate::rng::{shuffle, Rng};
use crate::{LABEL_CROSSSITE, LABEL_TEMPLATE};

/// A line of chrome and its label.
pub(crate) type Line = (String, &'static str);

/// What a site's related-stories widget shows of each teased article.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Related {
    None,
    FirstPara,
    WholeBody,
}

/// One site's template.
pub(crate) struct Site {
    /// Index into the corpus's languages.
    pub(crate) lang: usize,
    pub(crate) domain: String,
    pub(crate) display: String,
    /// (display, url slug)
    pub(crate) sections: Vec<(String, String)>,
    pub(crate) authors: Vec<String>,
    pub(crate) header: Vec<Line>,
    pub(crate) footer: Vec<Line>,
    pub(crate) cookie: Vec<Line>,
    pub(crate) cookie_top: bool,
    pub(crate) share: Vec<Line>,
    pub(crate) share_top: bool,
    pub(crate) share_bottom: bool,
    pub(crate) related: Related,
    /// Teasers per page, lo..=hi.
    pub(crate) related_count: (usize, usize),
    /// Length of a whole-body teaser, in bytes.
    pub(crate) teaser_chars: usize,
    pub(crate) related_heading: String,
    pub(crate) related_before_comments: bool,
    pub(crate) comments_heading: Option<String>,
    pub(crate) no_comments: String,
    /// Pages laid out as the reference scraped page (see `render`).
    pub(crate) seed_shaped: bool,
    /// "Try Our AI Features" ... "Related Articles" stubs of seed-shaped pages.
    pub(crate) seed_stubs: Vec<String>,
    /// Source names of seed-shaped teaser groups.
    pub(crate) sources: Vec<String>,
    pub(crate) date_fmt: usize,
    pub(crate) byline_fmt: usize,
    /// Order of byline (0), date (1), time ago (2) and view count (3) under the title.
    pub(crate) meta_order: [u8; 4],
    pub(crate) timeago: bool,
    pub(crate) breadcrumbs: bool,
    pub(crate) tags: bool,
    /// View counter style: 0 none, 1 number, 2 "N views", 3 "Read N times".
    pub(crate) views: usize,
    /// Sentences repeated in some of the site's articles (content, though not unique).
    pub(crate) boilerplate: Vec<String>,
    pub(crate) caption_p: f64,
    pub(crate) comment_p: f64,
    pub(crate) bio_p: f64,
    pub(crate) ad_p: f64,
    pub(crate) plea_p: f64,
    /// Chance that a header or footer line shows on a page (some vary per page).
    pub(crate) line_keep: f64,
    /// The template shows the article's deck under its title.
    pub(crate) deck: bool,
    /// The template shows summary bullets under this heading before the body.
    pub(crate) highlights: Option<String>,
    /// A box of other stories' titles (not in the crawl) above the article, under this
    /// heading: unique text that is not the page's own.
    pub(crate) trending_top: Option<String>,
    /// Chance of a lead-image caption between the article's header and its body.
    pub(crate) lead_caption_p: f64,
}

impl Site {
    /// Site `idx` of the corpus in language `lang`; `used` holds the domains taken so far.
    pub(crate) fn new(
        rng: &mut Rng,
        idx: usize,
        lang_id: usize,
        lang: &Lang,
        used: &mut HashSet<String>,
    ) -> Site {
        let (display, domain) = name_and_domain(rng, idx, lang, used);
        let chrome = Chrome {
            lang,
            display: &display,
        };
        let sections = pick_sections(rng, lang);
        let mut cross: Vec<&str> = CROSSSITE.to_vec();
        shuffle(rng, &mut cross);
        let mut cross = CrossPool {
            left: cross.into_iter(),
            lang,
        };
        let header = header(rng, &chrome, &sections, &mut cross);
        let footer = footer(rng, &chrome, &sections, &mut cross);
        let cookie = cookie_banner(rng, &chrome);
        let share = share_row(rng, lang);
        let share_where = rng.below(4);
        let (related, related_count) = related_widget(rng);
        let mut meta_order = [0u8, 1, 2, 3];
        shuffle(rng, &mut meta_order);
        let sources = sources(rng, lang);
        let boilerplate = boilerplate(rng, lang);

        // The rest is drawn in field order.
        Site {
            lang: lang_id,
            authors: (0..rng.range(3, 20)).map(|_| lang.full_name(rng)).collect(),
            header,
            footer,
            cookie,
            cookie_top: rng.chance(0.6),
            share,
            share_top: share_where & 1 == 1,
            share_bottom: share_where >= 1,
            related,
            related_count,
            teaser_chars: rng.range(400, 1600),
            related_heading: chrome.line(rng.pick_s(RELATED_HEADINGS)),
            related_before_comments: rng.chance(0.6),
            comments_heading: if rng.chance(0.6) {
                Some(lang.tr(rng.pick_s(COMMENT_HEADINGS)))
            } else {
                None
            },
            no_comments: lang.tr(rng.pick_s(NO_COMMENTS)),
            seed_shaped: idx == 1 || rng.chance(0.1),
            seed_stubs: vec![
                lang.tr("Try Our AI Features"),
                chrome.line("Explore what {S} AI can do for you:"),
                lang.tr("Comments"),
                lang.tr("No comments yet..."),
                lang.tr("Related Articles"),
            ],
            sources,
            date_fmt: rng.below(4),
            byline_fmt: rng.below(3),
            meta_order,
            timeago: rng.chance(0.5),
            breadcrumbs: rng.chance(0.4),
            tags: rng.chance(0.5),
            views: rng.below(4),
            boilerplate,
            caption_p: [0.0, 0.05, 0.12][rng.below(3)],
            comment_p: [0.0, 0.3, 0.6][rng.below(3)],
            bio_p: [0.0, 0.0, 0.5][rng.below(3)],
            ad_p: [0.0, 0.04, 0.1][rng.below(3)],
            plea_p: [0.0, 0.1, 0.3][rng.below(3)],
            line_keep: [1.0, 0.98, 0.95][rng.below(3)],
            deck: rng.chance(0.4),
            highlights: rng
                .chance(0.25)
                .then(|| lang.tr(rng.pick_s(&["Key points", "Story highlights", "In brief"]))),
            trending_top: rng
                .chance(0.3)
                .then(|| lang.tr(rng.pick_s(&["Trending now", "Top stories", "Most popular"]))),
            lead_caption_p: [0.0, 0.3, 0.6][rng.below(3)],
            sections,
            domain,
            display,
        }
    }
}

/// A site's own chrome: UI strings in its language, `{S}` replaced by its name.
struct Chrome<'a> {
    lang: &'a Lang,
    display: &'a str,
}

impl Chrome<'_> {
    fn line(&self, s: &str) -> String {
        self.lang.tr(s).replace("{S}", self.display)
    }
}

/// The generic cross-site strings in this site's order; header and footer take from it in
/// turn, so a site never shows one twice.
struct CrossPool<'a> {
    left: std::vec::IntoIter<&'static str>,
    lang: &'a Lang,
}

impl CrossPool<'_> {
    fn take(&mut self, n: usize) -> Vec<Line> {
        (&mut self.left)
            .take(n)
            .map(|s| (self.lang.tr(s), LABEL_CROSSSITE))
            .collect()
    }
}

/// Display name ("Name Suffix") and a domain not in `used` (with `.example`).
fn name_and_domain(
    rng: &mut Rng,
    idx: usize,
    lang: &Lang,
    used: &mut HashSet<String>,
) -> (String, String) {
    let base = capitalize(lang.name(rng));
    let suffix = lang.tr(rng.pick_s(SITE_SUFFIXES));
    let display = format!("{base} {suffix}");
    let mut domain = String::new();
    fold_ascii(&base, &mut domain);
    domain.push('-');
    fold_ascii(&suffix, &mut domain);
    if !used.insert(domain.clone()) {
        let _ = write!(domain, "{idx}");
        used.insert(domain.clone());
    }
    domain.push_str(".example");
    (display, domain)
}

/// 7-30 sections: (display name, url slug).
fn pick_sections(rng: &mut Rng, lang: &Lang) -> Vec<(String, String)> {
    let nsec = rng.range(7, 30);
    let mut pool: Vec<usize> = (0..SECTIONS.len()).collect();
    shuffle(rng, &mut pool);
    pool[..nsec.min(pool.len())]
        .iter()
        .map(|&i| {
            let d = lang.tr(SECTIONS[i]);
            let mut slug = String::new();
            fold_ascii(&d, &mut slug);
            if slug.is_empty() {
                slug = format!("s{i}");
            }
            (d, slug)
        })
        .collect()
}

/// Header: 10-40 lines.
fn header(
    rng: &mut Rng,
    chrome: &Chrome,
    sections: &[(String, String)],
    cross: &mut CrossPool,
) -> Vec<Line> {
    let mut header: Vec<Line> = cross.take(rng.range(0, 2));
    header.push((chrome.display.to_owned(), LABEL_TEMPLATE));
    let mut extra: Vec<&str> = HEADER_EXTRA.to_vec();
    shuffle(rng, &mut extra);
    let n_extra = rng.range(1, 8);
    let (before, after) = extra[..n_extra].split_at(rng.below(n_extra + 1));
    for e in before {
        header.push((chrome.line(e), LABEL_TEMPLATE));
    }
    for (d, _) in sections {
        header.push((d.clone(), LABEL_TEMPLATE));
    }
    for e in after {
        header.push((chrome.line(e), LABEL_TEMPLATE));
    }
    header.extend(cross.take(rng.range(1, 3)));
    if rng.chance(0.4) {
        let mut row = String::new();
        for (i, (d, _)) in sections.iter().take(rng.range(3, 6)).enumerate() {
            if i > 0 {
                row.push_str(" | ");
            }
            row.push_str(d);
        }
        header.push((row, LABEL_TEMPLATE));
    }
    header.truncate(40);
    header
}

/// Footer: 10-40 lines, shuffled.
fn footer(
    rng: &mut Rng,
    chrome: &Chrome,
    sections: &[(String, String)],
    cross: &mut CrossPool,
) -> Vec<Line> {
    let mut footer: Vec<Line> = Vec::new();
    let mut links: Vec<&str> = FOOTER_LINKS.to_vec();
    shuffle(rng, &mut links);
    for l in &links[..rng.range(4, 16)] {
        footer.push((chrome.line(l), LABEL_TEMPLATE));
    }
    let mut fs: Vec<&str> = FOOTER_SITE.to_vec();
    shuffle(rng, &mut fs);
    for l in &fs[..rng.range(2, 6)] {
        footer.push((chrome.line(l), LABEL_TEMPLATE));
    }
    if rng.chance(0.6) {
        for (d, _) in sections.iter().take(rng.range(2, 12)) {
            footer.push((d.clone(), LABEL_TEMPLATE));
        }
    }
    footer.extend(cross.take(rng.range(1, 4)));
    // A site-specific legal sentence in the site's language.
    let mut legal = String::new();
    let n = rng.range(8, 20);
    chrome.lang.sentence(rng, &mut legal, n);
    footer.push((format!("{}: {legal}", chrome.display), LABEL_TEMPLATE));
    while footer.len() < 10 {
        let l = rng.pick_s(FOOTER_LINKS);
        footer.push((
            chrome.line(&format!("{l} {}", rng.range(2, 9))),
            LABEL_TEMPLATE,
        ));
    }
    footer.truncate(40);
    shuffle(rng, &mut footer);
    footer
}

/// Half the sites show a cookie banner: one or two site lines, then two generic buttons.
fn cookie_banner(rng: &mut Rng, chrome: &Chrome) -> Vec<Line> {
    let mut cookie = Vec::new();
    if rng.chance(0.5) {
        cookie.push((
            chrome.line("We use cookies to improve your experience on {S}."),
            LABEL_TEMPLATE,
        ));
        if rng.chance(0.5) {
            cookie.push((
                chrome.line("By continuing to browse {S} you agree to our use of cookies."),
                LABEL_TEMPLATE,
            ));
        }
        cookie.push((chrome.lang.tr("Accept all cookies"), LABEL_CROSSSITE));
        cookie.push((chrome.lang.tr("Cookie settings"), LABEL_CROSSSITE));
    }
    cookie
}

/// A set of share buttons, or the one generic "Share this article".
fn share_row(rng: &mut Rng, lang: &Lang) -> Vec<Line> {
    if rng.chance(0.75) {
        rng.pick(SHARE_SETS)
            .iter()
            .map(|s| (lang.tr(s), LABEL_TEMPLATE))
            .collect()
    } else {
        vec![(lang.tr("Share this article"), LABEL_CROSSSITE)]
    }
}

/// What the related-stories widget shows, and how many teasers (fewer of whole bodies).
fn related_widget(rng: &mut Rng) -> (Related, (usize, usize)) {
    let related = match rng.below(10) {
        0..=1 => Related::None,
        2..=3 => Related::WholeBody,
        _ => Related::FirstPara,
    };
    let count = if related == Related::WholeBody {
        (1, 4)
    } else {
        (2, 5)
    };
    (related, count)
}

/// 4-10 source names (outlets or people) for seed-shaped teaser groups.
fn sources(rng: &mut Rng, lang: &Lang) -> Vec<String> {
    (0..rng.range(4, 10))
        .map(|_| {
            if rng.chance(0.5) {
                format!("{} {}", lang.name(rng), lang.tr(rng.pick_s(SITE_SUFFIXES)))
            } else {
                lang.full_name(rng)
            }
        })
        .collect()
}

/// 1-3 sentences the site repeats in some of its articles.
fn boilerplate(rng: &mut Rng, lang: &Lang) -> Vec<String> {
    (0..rng.range(1, 3))
        .map(|_| {
            if lang.english && rng.chance(0.5) {
                format!(
                    "{} did not respond to a request for comment.",
                    lang.full_name(rng)
                )
            } else {
                let mut s = String::new();
                let n = rng.range(7, 14);
                lang.sentence(rng, &mut s, n);
                s
            }
        })
        .collect()
}
