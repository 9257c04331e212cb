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

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

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
        }
    }
}

/// One generated page.
#[derive(Debug, Clone, Serialize)]
pub struct GenPage {
    pub id: String,
    pub site: String,
    pub url: String,
    pub text: String,
    pub gold: String,
    pub labels: Vec<&'static str>,
}

/// Totals of one generation run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    pub sites: usize,
    pub pages: u64,
    /// Exact JSONL bytes for [`write_jsonl`], an estimate for [`generate_pages`].
    pub bytes: u64,
    pub lines: u64,
    pub content_lines: u64,
}

/// Streams pages in a deterministic order to `sink`; memory stays bounded
/// (sites are generated one at a time, wire stories are regenerated on demand).
pub fn generate_pages(
    cfg: &GenConfig,
    sink: &mut dyn FnMut(GenPage) -> io::Result<()>,
) -> io::Result<GenStats> {
    generate_inner(cfg, &mut |p: GenPage| {
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
    let stats = generate_inner(cfg, &mut |p: GenPage| {
        buf.clear();
        serde_json::to_writer(&mut buf, &p).map_err(io::Error::other)?;
        buf.push(b'\n');
        io::Write::write_all(&mut out, &buf)?;
        Ok(buf.len() as u64)
    })?;
    io::Write::flush(&mut out)?;
    Ok(stats)
}

fn estimate_json_len(p: &GenPage) -> u64 {
    let newlines = p.text.bytes().filter(|&b| b == b'\n').count()
        + p.gold.bytes().filter(|&b| b == b'\n').count();
    let labels: usize = p.labels.iter().map(|l| l.len() + 3).sum();
    (p.id.len() + p.site.len() + p.url.len() + p.text.len() + p.gold.len() + newlines + labels + 60)
        as u64
}

// ---------------------------------------------------------------------------
// Randomness: hand-written SplitMix64 so output never depends on crate versions.

#[derive(Clone)]
struct Rng(u64);

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn seed_of(a: u64, b: u64, c: u64) -> u64 {
    mix64(a ^ mix64(b.wrapping_add(0x51_7CC1_B727_220A) ^ mix64(c.wrapping_add(7))))
}

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(mix64(seed ^ 0x2545_F491_4F6C_DD1D))
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
    /// Uniform in 0..n (n < 2^32).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Skewed towards small values (density ~ 2(1-x)).
    fn skew(&mut self, n: usize) -> usize {
        let a = self.below(n);
        a.min(self.below(n))
    }
    /// Strongly skewed towards small values (Zipf-like word frequencies).
    fn zipfish(&mut self, n: usize) -> usize {
        let a = self.below(n);
        a * self.below(n) / n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn pick_s(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------
// Languages.

struct Phon {
    onsets: &'static [&'static str],
    nuclei: &'static [&'static str],
    codas: &'static [&'static str],
    suffixes: &'static [&'static str],
}

const EN_PHON: Phon = Phon {
    onsets: &[
        "b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
        "pl", "pr", "qu", "r", "s", "sh", "sl", "st", "str", "t", "th", "tr", "v", "w", "wh", "",
    ],
    nuclei: &[
        "a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "y", "a", "e", "o",
    ],
    codas: &[
        "", "", "", "n", "nd", "r", "rt", "s", "st", "t", "ck", "ll", "m", "ng", "x", "sh", "l",
    ],
    suffixes: &[
        "", "", "", "", "ing", "ed", "tion", "er", "ly", "s", "ment", "ous",
    ],
};

const XX_PHON: Phon = Phon {
    onsets: &[
        "k", "t", "m", "n", "v", "r", "s", "h", "l", "ž", "d", "j", "p", "kv", "tš", "",
    ],
    nuclei: &["a", "i", "o", "u", "e", "ä", "ö", "aa", "ii", "ou", "ei"],
    codas: &["", "", "", "n", "k", "s", "r", "l", "t", "nn"],
    suffixes: &["", "", "", "ssa", "lla", "nen", "isto", "ut", "eri"],
};

const EN_FUNCTION: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "by",
    "at", "from", "it", "has", "have", "will", "said", "but", "not", "are", "were", "after",
    "over", "more", "than", "its", "their", "this", "which", "also", "had", "been", "would",
    "about", "he", "she", "they", "we", "into", "could", "who",
];

const XX_FUNCTION: &[&str] = &[
    "na", "ki", "vo", "e", "sä", "ta", "ulo", "mi", "jo", "ne", "ka", "ro", "pä", "tu", "si", "ja",
    "om", "ei", "ho", "lä", "vii", "ku",
];

const EN_SHORT: &[&str] = &[
    "He said.",
    "She said.",
    "They declined to comment.",
    "It was not clear why.",
    "That remains unclear.",
    "No one was hurt.",
    "Nothing more was said.",
    "The talks continue.",
];

fn push_cap(out: &mut String, w: &str) {
    let mut cs = w.chars();
    if let Some(c) = cs.next() {
        out.extend(c.to_uppercase());
        out.push_str(cs.as_str());
    }
}

fn capitalize(w: &str) -> String {
    let mut s = String::with_capacity(w.len() + 2);
    push_cap(&mut s, w);
    s
}

/// Lowercase ASCII letters/digits only, for slugs and domains.
fn fold_ascii(s: &str, out: &mut String) {
    for c in s.chars() {
        let c = match c {
            'ä' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'ž' | 'Ž' => 'z',
            'š' | 'Š' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
}

/// What one article is about: a few names and rare words its sentences return to.
#[derive(Default)]
struct Topic {
    words: Vec<String>,
    /// Chance that a content word of a sentence is a topic word.
    rate: f64,
}

impl Topic {
    fn new(lang: &Lang, rng: &mut Rng) -> Topic {
        let mut words: Vec<String> = (0..rng.range(1, 3))
            .map(|_| lang.name(rng).to_owned())
            .collect();
        // Uniform over the vocabulary, so mostly words that are rare elsewhere.
        words.extend((0..rng.range(2, 5)).map(|_| lang.words[rng.below(lang.words.len())].clone()));
        Topic { words, rate: 0.1 }
    }

    fn with_rate(&self, rate: f64) -> Topic {
        Topic {
            words: self.words.clone(),
            rate,
        }
    }
}

struct Lang {
    english: bool,
    function: &'static [&'static str],
    words: Vec<String>,
    names: Vec<String>,
}

impl Lang {
    fn new(kind: usize) -> Lang {
        let (phon, function) = if kind == 0 {
            (&EN_PHON, EN_FUNCTION)
        } else {
            (&XX_PHON, XX_FUNCTION)
        };
        // Fixed seed: a language is the same in every corpus.
        let mut rng = Rng::new(0xC0FF_EE00 + kind as u64);
        let make = |rng: &mut Rng, lo: usize, hi: usize, suffix: bool| {
            let mut w = String::new();
            // Mostly one or two syllables, so words stay pronounceable.
            for _ in 0..lo + rng.skew(hi - lo + 1) {
                w.push_str(rng.pick_s(phon.onsets));
                w.push_str(rng.pick_s(phon.nuclei));
                w.push_str(rng.pick_s(phon.codas));
            }
            if suffix {
                w.push_str(rng.pick_s(phon.suffixes));
            }
            w
        };
        let words = (0..4000).map(|_| make(&mut rng, 1, 3, true)).collect();
        let names = (0..800)
            .map(|_| capitalize(&make(&mut rng, 2, 3, false)))
            .collect();
        Lang {
            english: kind == 0,
            function,
            words,
            names,
        }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        &self.words[rng.zipfish(self.words.len())]
    }

    fn name(&self, rng: &mut Rng) -> &str {
        &self.names[rng.skew(self.names.len())]
    }

    fn full_name(&self, rng: &mut Rng) -> String {
        let mut s = String::new();
        s.push_str(self.name(rng));
        s.push(' ');
        s.push_str(self.name(rng));
        s
    }

    /// Writes one sentence of `n` words (n >= 1), capitalised, with final punctuation.
    fn sentence(&self, rng: &mut Rng, out: &mut String, n: usize) {
        self.sentence_on(rng, out, n, &Topic::default());
    }

    /// A sentence of an article about `topic`: a share of its content words are the topic's
    /// (an article names its subject again and again; so do its title and lead).
    fn sentence_on(&self, rng: &mut Rng, out: &mut String, n: usize, topic: &Topic) {
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            let r = rng.below(100);
            if (2..5).contains(&r) && i > 0 {
                let _ = write!(out, "{}", rng.below(2000));
            } else {
                let w: &str = if r < 40 && i + 1 < n {
                    self.function[rng.skew(self.function.len())]
                } else if !topic.words.is_empty() && rng.chance(topic.rate) {
                    rng.pick(&topic.words).as_str()
                } else if r < 47 {
                    &self.names[rng.skew(self.names.len())]
                } else {
                    &self.words[rng.zipfish(self.words.len())]
                };
                if i == 0 {
                    push_cap(out, w);
                } else {
                    out.push_str(w);
                }
            }
            if i + 1 < n && i > 1 && rng.below(100) < 7 {
                out.push(',');
            }
        }
        out.push(if rng.below(40) == 0 { '?' } else { '.' });
    }

    /// Sentences until at least `target` words are written.
    fn paragraph(&self, rng: &mut Rng, out: &mut String, target: usize) {
        self.paragraph_on(rng, out, target, &Topic::default());
    }

    fn paragraph_on(&self, rng: &mut Rng, out: &mut String, target: usize, topic: &Topic) {
        let mut done = 0;
        while done < target {
            let left = target - done;
            let mut n = rng.range(6, 24);
            if left < n + 4 {
                n = left.max(3);
            }
            if done > 0 {
                out.push(' ');
            }
            self.sentence_on(rng, out, n, topic);
            done += n;
        }
    }

    fn short_line(&self, rng: &mut Rng, out: &mut String) {
        if self.english && rng.chance(0.5) {
            out.push_str(rng.pick_s(EN_SHORT));
        } else {
            let n = rng.range(1, 6);
            self.sentence(rng, out, n);
        }
    }

    /// Word-by-word deterministic "translation" of an English UI string; `{S}`
    /// placeholders, numbers and punctuation pass through.
    fn tr(&self, s: &str) -> String {
        if self.english {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len() + 8);
        for (i, tok) in s.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let start = tok.find(|c: char| c.is_ascii_alphabetic());
            let end = tok.rfind(|c: char| c.is_ascii_alphabetic());
            match (start, end) {
                (Some(a), Some(b))
                    if !tok.contains('{') && !tok.bytes().any(|c| c.is_ascii_digit()) =>
                {
                    let core = &tok[a..=b];
                    let h = xxh3_64(core.to_ascii_lowercase().as_bytes());
                    let w = &self.words[(h % self.words.len() as u64) as usize];
                    out.push_str(&tok[..a]);
                    if core.as_bytes()[0].is_ascii_uppercase() {
                        push_cap(&mut out, w);
                    } else {
                        out.push_str(w);
                    }
                    out.push_str(&tok[b + 1..]);
                }
                _ => out.push_str(tok),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Chrome phrase pools (generic UI strings written for this generator).

/// Generic strings shared by many sites; never used as a site's own template.
const CROSSSITE: &[&str] = &[
    "Skip to content",
    "Skip to main content",
    "Sign in",
    "Log in",
    "Subscribe",
    "Advertisement",
    "Share this article",
    "Cookie settings",
    "Accept all cookies",
    "Reject all",
    "Manage preferences",
    "Privacy Policy",
    "Terms of Use",
    "Contact Us",
    "Back to top",
    "Read more",
    "Search",
    "Menu",
    "Newsletters",
    "Print",
    "Email",
    "Register",
];

const SECTIONS: &[&str] = &[
    "World",
    "Business",
    "Politics",
    "Sport",
    "Culture",
    "Science",
    "Health",
    "Opinion",
    "Technology",
    "Travel",
    "Local",
    "Weather",
    "Food",
    "Books",
    "Music",
    "Film",
    "Education",
    "Environment",
    "Markets",
    "Economy",
    "Lifestyle",
    "Property",
    "Motoring",
    "Obituaries",
    "Puzzles",
    "Podcasts",
    "Video",
    "Photos",
    "Fashion",
    "Media",
    "Crime",
    "Courts",
    "Energy",
    "Transport",
    "Family",
    "Gardening",
    "Arts",
    "Television",
    "Games",
    "Analysis",
];

const HEADER_EXTRA: &[&str] = &[
    "Home",
    "Latest news",
    "Today's paper",
    "{S} Premium",
    "Most read",
    "Live",
    "Events",
    "Jobs",
    "Listen to {S} Radio",
    "The {S} Daily briefing",
    "More",
    "Support {S}",
    "Get the {S} app",
    "Trending",
    "Special reports",
];

const FOOTER_LINKS: &[&str] = &[
    "About us",
    "Careers",
    "Advertise with us",
    "Corrections",
    "Editorial standards",
    "Accessibility",
    "Sitemap",
    "RSS feeds",
    "Help centre",
    "Archive",
    "Work for us",
    "Licensing",
    "Syndication",
    "Press office",
    "Complaints",
    "Terms and conditions",
    "Modern slavery statement",
    "Manage subscription",
    "Contact the newsroom",
    "Send us a tip",
];

const FOOTER_SITE: &[&str] = &[
    "Copyright © {S}. All rights reserved.",
    "{S} is not responsible for the content of external sites.",
    "Download the {S} app",
    "Follow {S} on social media",
    "Sign up for the {S} newsletter",
    "{S} Media Group",
    "Reproduction of material from any {S} pages without written permission is strictly prohibited.",
    "About {S}",
    "{S} on your smart speaker",
    "Read {S} in your language",
];

const SHARE_SETS: &[&[&str]] = &[
    &["Share this:", "Facebook", "Twitter", "Email", "WhatsApp"],
    &[
        "Share",
        "Share on Facebook",
        "Share on X",
        "Share on LinkedIn",
        "Copy link",
    ],
    &[
        "Share this story",
        "Facebook",
        "X",
        "Reddit",
        "Pinterest",
        "Copy link",
    ],
    &["Share:", "Facebook", "Twitter", "LinkedIn"],
];

const RELATED_HEADINGS: &[&str] = &[
    "Related Articles",
    "More from {S}",
    "You may also like",
    "Read next",
    "More on this story",
    "Recommended",
];

const COMMENT_HEADINGS: &[&str] = &["Comments", "Join the conversation", "Reader comments"];
const NO_COMMENTS: &[&str] = &[
    "No comments yet...",
    "Be the first to comment.",
    "Comments are closed for this article.",
];

const ROLES: &[&str] = &[
    "Staff Writer",
    "Senior Correspondent",
    "Reporter",
    "Political Editor",
    "Business Editor",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const SITE_SUFFIXES: &[&str] = &[
    "Times",
    "Herald",
    "Post",
    "Daily",
    "Gazette",
    "News",
    "Tribune",
    "Courier",
    "Observer",
    "Review",
    "Journal",
    "Chronicle",
    "Standard",
    "Express",
    "Today",
];

// ---------------------------------------------------------------------------
// Sites and articles.

type Line = (String, &'static str);

struct Words {
    months: Vec<String>,
    ago: [String; 3],
    by: String,
    posted_by: String,
    in_word: String,
    tags: String,
    home: String,
    views: String,
    read: String,
    times: String,
    comments: String,
    updated: String,
    published: String,
    photo: String,
    roles: Vec<String>,
}

impl Words {
    fn new(lang: &Lang) -> Words {
        Words {
            months: MONTHS.iter().map(|m| lang.tr(m)).collect(),
            ago: [
                lang.tr("minutes ago"),
                lang.tr("hours ago"),
                lang.tr("days ago"),
            ],
            by: lang.tr("By"),
            posted_by: lang.tr("Posted by"),
            in_word: lang.tr("in"),
            tags: lang.tr("Tags:"),
            home: lang.tr("Home"),
            views: lang.tr("views"),
            read: lang.tr("Read"),
            times: lang.tr("times"),
            comments: lang.tr("Comments"),
            updated: lang.tr("Updated:"),
            published: lang.tr("Published"),
            photo: lang.tr("Photo:"),
            roles: ROLES.iter().map(|r| lang.tr(r)).collect(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Related {
    None,
    FirstPara,
    WholeBody,
}

struct Site {
    lang: usize,
    domain: String,
    display: String,
    sections: Vec<(String, String)>, // (display, url slug)
    authors: Vec<String>,
    header: Vec<Line>,
    footer: Vec<Line>,
    cookie: Vec<Line>,
    cookie_top: bool,
    share: Vec<Line>,
    share_top: bool,
    share_bottom: bool,
    related: Related,
    related_count: (usize, usize),
    teaser_chars: usize,
    related_heading: String,
    related_before_comments: bool,
    comments_heading: Option<String>,
    no_comments: String,
    seed_shaped: bool,
    /// "Try Our AI Features" ... "Related Articles" stubs of seed-shaped pages.
    seed_stubs: Vec<String>,
    sources: Vec<String>,
    date_fmt: usize,
    byline_fmt: usize,
    meta_order: [u8; 4],
    timeago: bool,
    breadcrumbs: bool,
    tags: bool,
    views: usize,
    boilerplate: Vec<String>,
    caption_p: f64,
    comment_p: f64,
    bio_p: f64,
    ad_p: f64,
    plea_p: f64,
    line_keep: f64,
    /// The template shows the article's deck under its title.
    deck: bool,
    /// The template shows summary bullets under this heading before the body.
    highlights: Option<String>,
    /// A box of other stories' titles (not in the crawl) above the article, under this
    /// heading: unique text that is not the page's own.
    trending_top: Option<String>,
    /// Chance of a lead-image caption between the article's header and its body.
    lead_caption_p: f64,
}

impl Site {
    fn new(
        rng: &mut Rng,
        idx: usize,
        lang_id: usize,
        lang: &Lang,
        used: &mut HashSet<String>,
    ) -> Site {
        // Display name and a unique domain.
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
        let chrome = |s: &str| lang.tr(s).replace("{S}", &display);

        let nsec = rng.range(7, 30);
        let mut pool: Vec<usize> = (0..SECTIONS.len()).collect();
        shuffle(rng, &mut pool);
        let sections: Vec<(String, String)> = pool[..nsec.min(pool.len())]
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
            .collect();

        let mut cross: Vec<&str> = CROSSSITE.to_vec();
        shuffle(rng, &mut cross);
        let mut cross_iter = cross.into_iter();
        let mut take_cross = |n: usize| -> Vec<Line> {
            (&mut cross_iter)
                .take(n)
                .map(|s| (lang.tr(s), LABEL_CROSSSITE))
                .collect()
        };

        // Header: 10-40 lines.
        let mut header: Vec<Line> = take_cross(rng.range(0, 2));
        header.push((display.clone(), LABEL_TEMPLATE));
        let mut extra: Vec<&str> = HEADER_EXTRA.to_vec();
        shuffle(rng, &mut extra);
        let n_extra = rng.range(1, 8);
        let (before, after) = extra[..n_extra].split_at(rng.below(n_extra + 1));
        for e in before {
            header.push((chrome(e), LABEL_TEMPLATE));
        }
        for (d, _) in &sections {
            header.push((d.clone(), LABEL_TEMPLATE));
        }
        for e in after {
            header.push((chrome(e), LABEL_TEMPLATE));
        }
        header.extend(take_cross(rng.range(1, 3)));
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

        // Footer: 10-40 lines.
        let mut footer: Vec<Line> = Vec::new();
        let mut links: Vec<&str> = FOOTER_LINKS.to_vec();
        shuffle(rng, &mut links);
        for l in &links[..rng.range(4, 16)] {
            footer.push((chrome(l), LABEL_TEMPLATE));
        }
        let mut fs: Vec<&str> = FOOTER_SITE.to_vec();
        shuffle(rng, &mut fs);
        for l in &fs[..rng.range(2, 6)] {
            footer.push((chrome(l), LABEL_TEMPLATE));
        }
        if rng.chance(0.6) {
            for (d, _) in sections.iter().take(rng.range(2, 12)) {
                footer.push((d.clone(), LABEL_TEMPLATE));
            }
        }
        footer.extend(take_cross(rng.range(1, 4)));
        // A site-specific legal sentence in the site's language.
        let mut legal = String::new();
        let n = rng.range(8, 20);
        lang.sentence(rng, &mut legal, n);
        footer.push((format!("{display}: {legal}"), LABEL_TEMPLATE));
        while footer.len() < 10 {
            let l = rng.pick_s(FOOTER_LINKS);
            footer.push((chrome(&format!("{l} {}", rng.range(2, 9))), LABEL_TEMPLATE));
        }
        footer.truncate(40);
        shuffle(rng, &mut footer);

        let mut cookie = Vec::new();
        if rng.chance(0.5) {
            cookie.push((
                chrome("We use cookies to improve your experience on {S}."),
                LABEL_TEMPLATE,
            ));
            if rng.chance(0.5) {
                cookie.push((
                    chrome("By continuing to browse {S} you agree to our use of cookies."),
                    LABEL_TEMPLATE,
                ));
            }
            cookie.push((lang.tr("Accept all cookies"), LABEL_CROSSSITE));
            cookie.push((lang.tr("Cookie settings"), LABEL_CROSSSITE));
        }

        let share: Vec<Line> = if rng.chance(0.75) {
            rng.pick(SHARE_SETS)
                .iter()
                .map(|s| (lang.tr(s), LABEL_TEMPLATE))
                .collect()
        } else {
            vec![(lang.tr("Share this article"), LABEL_CROSSSITE)]
        };
        let share_where = rng.below(4);

        let related = match rng.below(10) {
            0..=1 => Related::None,
            2..=3 => Related::WholeBody,
            _ => Related::FirstPara,
        };
        let related_count = if related == Related::WholeBody {
            (1, 4)
        } else {
            (2, 5)
        };

        let mut meta_order = [0u8, 1, 2, 3];
        shuffle(rng, &mut meta_order);
        let sources = (0..rng.range(4, 10))
            .map(|_| {
                if rng.chance(0.5) {
                    format!("{} {}", lang.name(rng), lang.tr(rng.pick_s(SITE_SUFFIXES)))
                } else {
                    lang.full_name(rng)
                }
            })
            .collect();
        let boilerplate = (0..rng.range(1, 3))
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
            .collect();

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
            related_heading: chrome(rng.pick_s(RELATED_HEADINGS)),
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
                chrome("Explore what {S} AI can do for you:"),
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

fn shuffle<T>(rng: &mut Rng, xs: &mut [T]) {
    for i in (1..xs.len()).rev() {
        let j = rng.below(i + 1);
        xs.swap(i, j);
    }
}

struct Article {
    topic: Topic,
    title: String,
    /// A standfirst under the title; shown on sites whose template has one.
    deck: String,
    /// Summary bullets (no final punctuation); shown on sites whose template has them.
    highlights: Vec<String>,
    paras: Vec<String>,
    section: usize,
    year: usize,
    author: usize,
    slug: String,
}

/// An article's text: title, deck, highlights and paragraphs, all about one topic.
struct Body {
    topic: Topic,
    title: String,
    deck: String,
    highlights: Vec<String>,
    paras: Vec<String>,
}

fn gen_body(lang: &Lang, rng: &mut Rng, boilerplate: &[String], lead: Option<&str>) -> Body {
    let topic = Topic::new(lang, rng);
    // Titles and leads are denser in the subject's words than the rest of the text.
    let dense = topic.with_rate(0.4);
    let mut title = String::new();
    let n = rng.range(5, 13);
    lang.sentence_on(rng, &mut title, n, &dense);
    title.pop();
    let mut deck = String::new();
    let n = rng.range(12, 30);
    lang.paragraph_on(rng, &mut deck, n, &dense);
    let highlights = (0..rng.range(2, 4))
        .map(|_| {
            let mut h = String::new();
            let n = rng.range(7, 15);
            lang.sentence_on(rng, &mut h, n, &dense);
            h.pop();
            h
        })
        .collect();
    let n = 5 + rng.skew(36);
    let mut paras = Vec::with_capacity(n + 1);
    for i in 0..n {
        let mut p = String::with_capacity(400);
        if i == 0 {
            if let Some(l) = lead {
                p.push_str(l);
            }
        }
        if i > 0 && rng.chance(0.08) {
            lang.short_line(rng, &mut p);
        } else {
            let w = 20 + rng.skew(101);
            lang.paragraph_on(rng, &mut p, w, if i == 0 { &dense } else { &topic });
        }
        paras.push(p);
    }
    if !boilerplate.is_empty() && n > 2 && rng.chance(0.3) {
        let at = rng.range(1, n - 1);
        paras.insert(at, rng.pick(boilerplate).clone());
    }
    Body {
        topic,
        title,
        deck,
        highlights,
        paras,
    }
}

/// A wire story, regenerated from its key so no pool must be kept.
fn wire_story(seed: u64, lang_id: usize, lang: &Lang, k: usize) -> Body {
    let mut rng = Rng::new(seed_of(seed, 100 + lang_id as u64, k as u64));
    let agency = format!("{} {}", lang.name(&mut rng), lang.tr("Press"));
    let lead = format!("{} ({agency}) — ", lang.name(&mut rng).to_uppercase());
    gen_body(lang, &mut rng, &[], Some(&lead))
}

fn wire_span(seed: u64, lang_id: usize, k: usize) -> usize {
    2 + (seed_of(seed, 200 + lang_id as u64, k as u64) % 3) as usize
}

fn page_count(cfg: &GenConfig, rng: &mut Rng) -> usize {
    let mean = cfg.pages_per_site.max(1);
    if !cfg.zipf {
        return mean;
    }
    // Mixture: a fifth tiny sites, the rest Pareto(1.6) scaled to keep the mean.
    if rng.chance(0.2) {
        return rng.range(1, 5).min(mean * 2);
    }
    let big_mean = ((mean as f64 - 0.6) / 0.8).max(1.0);
    let xm = big_mean * 0.6 / 1.6;
    let u = 1.0 - rng.unit();
    let x = xm * u.powf(-1.0 / 1.6);
    (x.round() as usize).clamp(1, mean * 40)
}

// ---------------------------------------------------------------------------
// Page rendering.

struct PageBuf {
    text: String,
    gold: String,
    labels: Vec<&'static str>,
}

impl PageBuf {
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
    }
    fn push_all(&mut self, rng: &mut Rng, lines: &[Line], keep: f64) {
        for (l, lab) in lines {
            if keep >= 1.0 || rng.chance(keep) {
                self.push(l, lab);
            }
        }
    }
}

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

fn time_ago(rng: &mut Rng, w: &Words) -> String {
    match rng.below(3) {
        0 => format!("{} {}", rng.range(2, 59), w.ago[0]),
        1 => format!("{} {}", rng.range(2, 23), w.ago[1]),
        _ => format!("{} {}", rng.range(2, 30), w.ago[2]),
    }
}

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

struct Ctx<'a> {
    site: &'a Site,
    lang: &'a Lang,
    words: &'a Words,
    articles: &'a [Article],
}

fn render_page(cx: &Ctx, rng: &mut Rng, me: usize, buf: &mut PageBuf) {
    let site = cx.site;
    let art = &cx.articles[me];
    if site.seed_shaped {
        render_seed_shaped(cx, rng, me, buf);
        return;
    }
    let keep = site.line_keep;
    if site.cookie_top {
        buf.push_all(rng, &site.cookie, 1.0);
    }
    buf.push_all(rng, &site.header, keep);
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
    buf.push(&art.title, LABEL_CONTENT);
    if site.deck {
        buf.push(&art.deck, LABEL_CONTENT);
    }
    for &m in &site.meta_order {
        match m {
            0 => {
                let a = &site.authors[art.author];
                let s = match site.byline_fmt {
                    0 => format!("{} {a}", cx.words.by),
                    1 => format!("{a}, {}", rng.pick(&cx.words.roles)),
                    _ => format!(
                        "{} {a} {} {}",
                        cx.words.posted_by, cx.words.in_word, site.sections[art.section].0
                    ),
                };
                buf.push(&s, LABEL_TEMPLATED);
            }
            1 => {
                let s = date_line(site, rng, cx.words, art.year);
                buf.push(&s, LABEL_TEMPLATED);
            }
            2 if site.timeago => {
                let s = time_ago(rng, cx.words);
                buf.push(&s, LABEL_TEMPLATED);
            }
            3 if site.views > 0 => {
                let mut s = String::new();
                let n = rng.range(10, 900_000);
                match site.views {
                    1 => thousands(n, &mut s),
                    2 => {
                        thousands(n, &mut s);
                        s.push(' ');
                        s.push_str(&cx.words.views);
                    }
                    _ => {
                        s.push_str(&cx.words.read);
                        s.push(' ');
                        thousands(n, &mut s);
                        s.push(' ');
                        s.push_str(&cx.words.times);
                    }
                }
                buf.push(&s, LABEL_TEMPLATED);
            }
            _ => {}
        }
    }
    if site.share_top {
        buf.push_all(rng, &site.share, 1.0);
    }
    let mut line = String::with_capacity(256);
    // Captions describe the article's pictures, so they name its subject too.
    if rng.chance(site.lead_caption_p) {
        let n = rng.range(8, 20);
        cx.lang.sentence_on(rng, &mut line, n, &art.topic);
        let _ = write!(line, " ({} {})", cx.words.photo, cx.lang.full_name(rng));
        buf.push(&line, LABEL_UNIQUE_CHROME);
    }
    if let Some(h) = &site.highlights {
        buf.push(h, LABEL_TEMPLATE);
        for l in &art.highlights {
            buf.push(l, LABEL_CONTENT);
        }
    }
    let ad = cx.lang.tr("Advertisement");
    for (i, p) in art.paras.iter().enumerate() {
        buf.push(p, LABEL_CONTENT);
        if i + 1 < art.paras.len() {
            if rng.chance(site.caption_p) {
                line.clear();
                let n = rng.range(6, 16);
                cx.lang.sentence_on(rng, &mut line, n, &art.topic);
                let _ = write!(line, " ({} {})", cx.words.photo, cx.lang.full_name(rng));
                buf.push(&line, LABEL_UNIQUE_CHROME);
            }
            if rng.chance(site.ad_p) {
                buf.push(&ad, LABEL_CROSSSITE);
            }
        }
    }
    if site.tags {
        line.clear();
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
        buf.push(&a.title, LABEL_RELATED);
        if site.related == Related::FirstPara {
            buf.push(&a.paras[0], LABEL_RELATED);
        } else {
            let body = joined_body(a, site.teaser_chars);
            buf.push(&body, LABEL_RELATED);
        }
    }
}

/// The article body on one line, cut at a word boundary near `limit` bytes
/// (mid-sentence, as teaser widgets do).
fn joined_body(a: &Article, limit: usize) -> String {
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
    buf.push(&art.title, LABEL_CONTENT);
    for p in &art.paras {
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
        buf.push(&a.title, LABEL_RELATED);
        let body = joined_body(a, site.teaser_chars);
        buf.push(&body, LABEL_RELATED);
    }
}

// ---------------------------------------------------------------------------
// Driver.

fn generate_inner(
    cfg: &GenConfig,
    sink: &mut dyn FnMut(GenPage) -> io::Result<u64>,
) -> io::Result<GenStats> {
    let langs = [Lang::new(0), Lang::new(1)];
    let words = [Words::new(&langs[0]), Words::new(&langs[1])];
    let mut stats = GenStats::default();
    let mut lang_rank = [0usize; 2];
    let mut used: HashSet<String> = HashSet::new();
    let mut idx = 0usize;
    loop {
        let enough = match cfg.target_bytes {
            Some(t) => stats.bytes >= t,
            None => true,
        };
        if idx >= cfg.sites && enough {
            break;
        }
        let mut rng = Rng::new(seed_of(cfg.seed, 1, idx as u64));
        let lang_id = usize::from(cfg.languages >= 2 && (idx % 4 == 2 || rng.chance(0.1)));
        let lang = &langs[lang_id];
        let site = Site::new(&mut rng, idx, lang_id, lang, &mut used);
        let n = page_count(cfg, &mut rng);

        let mut articles: Vec<Article> = Vec::with_capacity(n);
        for _ in 0..n {
            let b = gen_body(lang, &mut rng, &site.boilerplate, None);
            articles.push(Article {
                topic: b.topic,
                title: b.title,
                deck: b.deck,
                highlights: b.highlights,
                paras: b.paras,
                section: rng.below(site.sections.len()),
                year: rng.range(2005, 2025),
                author: rng.below(site.authors.len()),
                slug: String::new(),
            });
        }
        // Wire stories: story k of a language starts at the k-th site of that
        // language and runs on the next 1-3 sites of the same language.
        if cfg.syndication {
            let rank = lang_rank[lang_id];
            let mut slots: Vec<usize> = (0..n).collect();
            shuffle(&mut rng, &mut slots);
            let mut slots = slots.into_iter().take(n / 3);
            for k in rank.saturating_sub(3)..=rank {
                if k + wire_span(cfg.seed, lang_id, k) <= rank {
                    continue;
                }
                let Some(slot) = slots.next() else { break };
                let b = wire_story(cfg.seed, lang_id, lang, k);
                let a = &mut articles[slot];
                (a.topic, a.title, a.deck) = (b.topic, b.title, b.deck);
                (a.highlights, a.paras) = (b.highlights, b.paras);
            }
        }
        lang_rank[lang_id] += 1;
        for (i, a) in articles.iter_mut().enumerate() {
            let mut slug = String::new();
            for w in a.title.split(' ').take(6) {
                let before = slug.len();
                fold_ascii(w, &mut slug);
                if slug.len() > before {
                    slug.push('-');
                }
            }
            let _ = write!(slug, "{i}");
            a.slug = slug;
        }

        let cx = Ctx {
            site: &site,
            lang,
            words: &words[site.lang],
            articles: &articles,
        };
        let mut order: Vec<usize> = (0..n).collect();
        shuffle(&mut rng, &mut order);
        for (pos, &me) in order.iter().enumerate() {
            let mut prng = Rng::new(seed_of(cfg.seed, 2 + idx as u64, me as u64));
            let mut buf = PageBuf {
                text: String::with_capacity(16 * 1024),
                gold: String::with_capacity(8 * 1024),
                labels: Vec::with_capacity(128),
            };
            render_page(&cx, &mut prng, me, &mut buf);
            let a = &articles[me];
            stats.pages += 1;
            stats.lines += buf.labels.len() as u64;
            stats.content_lines +=
                buf.labels.iter().filter(|&&l| l == LABEL_CONTENT).count() as u64;
            let page = GenPage {
                id: format!("{}/{pos}", site.domain),
                site: site.domain.clone(),
                url: format!(
                    "https://www.{}/{}/{}/{}.html",
                    site.domain, site.sections[a.section].1, a.year, a.slug
                ),
                text: buf.text,
                gold: buf.gold,
                labels: buf.labels,
            };
            stats.bytes += sink(page)?;
        }
        idx += 1;
    }
    stats.sites = idx;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn corpus(cfg: &GenConfig) -> Vec<GenPage> {
        let mut v = Vec::new();
        generate_pages(cfg, &mut |p| {
            v.push(p);
            Ok(())
        })
        .expect("generate");
        v
    }

    fn jsonl(cfg: &GenConfig) -> Vec<u8> {
        let mut out = Vec::new();
        write_jsonl(cfg, &mut out).expect("write");
        out
    }

    #[test]
    fn deterministic_per_seed() {
        let cfg = GenConfig {
            sites: 3,
            pages_per_site: 5,
            ..Default::default()
        };
        let a = jsonl(&cfg);
        assert_eq!(a, jsonl(&cfg));
        let other = GenConfig { seed: 2, ..cfg };
        assert_ne!(a, jsonl(&other));
    }

    #[test]
    fn jsonl_shape_and_key_order() {
        let cfg = GenConfig {
            sites: 2,
            pages_per_site: 3,
            ..Default::default()
        };
        let out = jsonl(&cfg);
        let text = String::from_utf8(out).expect("utf8");
        for line in text.lines() {
            assert!(line.starts_with("{\"id\":"));
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let keys: Vec<&str> = v
                .as_object()
                .expect("obj")
                .keys()
                .map(|k| k.as_str())
                .collect();
            assert_eq!(keys, ["id", "site", "url", "text", "gold", "labels"]);
        }
    }

    #[test]
    fn labels_gold_and_kinds() {
        let pages = corpus(&GenConfig::default());
        let mut seen = HashSet::new();
        let mut ids = HashSet::new();
        for p in &pages {
            assert!(ids.insert(p.id.clone()), "duplicate id {}", p.id);
            assert!(p.url.starts_with(&format!("https://www.{}/", p.site)));
            let lines: Vec<&str> = p.text.split('\n').collect();
            assert_eq!(lines.len(), p.labels.len());
            assert!(lines.iter().all(|l| !l.trim().is_empty()));
            let gold: Vec<&str> = lines
                .iter()
                .zip(&p.labels)
                .filter(|(_, l)| **l == LABEL_CONTENT)
                .map(|(t, _)| *t)
                .collect();
            assert_eq!(gold.join("\n"), p.gold);
            seen.extend(p.labels.iter().copied());
        }
        for l in LABELS {
            assert!(seen.contains(l), "label {l} missing");
        }
    }

    #[test]
    fn teasers_are_content_elsewhere() {
        let pages = corpus(&GenConfig::default());
        let mut content: HashMap<(&str, &str), usize> = HashMap::new();
        for p in &pages {
            for (t, l) in p.text.split('\n').zip(&p.labels) {
                if *l == LABEL_CONTENT {
                    *content.entry((p.site.as_str(), t)).or_default() += 1;
                }
            }
        }
        // The gold after the title (deck, bullets, body), on one line: a whole-body teaser
        // is the body's paragraphs joined.
        let bodies: Vec<(&str, String)> = pages
            .iter()
            .filter_map(|q| {
                q.gold
                    .split_once('\n')
                    .map(|x| (q.site.as_str(), x.1.replace('\n', " ")))
            })
            .collect();
        let mut checked = 0;
        for p in &pages {
            for (t, l) in p.text.split('\n').zip(&p.labels) {
                if *l != LABEL_RELATED {
                    continue;
                }
                if content.contains_key(&(p.site.as_str(), t)) {
                    checked += 1;
                } else {
                    let joined = bodies
                        .iter()
                        .any(|(s, b)| *s == p.site && b.contains(t) && t.len() > 200);
                    assert!(joined, "related line not content on its site: {t:.60}");
                }
            }
        }
        assert!(checked > 20);
    }

    #[test]
    fn syndication_spans_sites() {
        let pages = corpus(&GenConfig::default());
        let mut sites_of: HashMap<&str, HashSet<&str>> = HashMap::new();
        for p in &pages {
            for (t, l) in p.text.split('\n').zip(&p.labels) {
                if *l == LABEL_CONTENT && t.len() > 150 {
                    sites_of.entry(t).or_default().insert(&p.site);
                }
            }
        }
        let shared = sites_of.values().filter(|s| s.len() >= 2).count();
        assert!(shared >= 5, "only {shared} syndicated paragraphs");
        let none = corpus(&GenConfig {
            syndication: false,
            ..Default::default()
        });
        let mut sites_of: HashMap<&str, HashSet<&str>> = HashMap::new();
        for p in &none {
            for t in p.gold.split('\n').filter(|t| t.len() > 150) {
                sites_of.entry(t).or_default().insert(&p.site);
            }
        }
        assert!(sites_of.values().all(|s| s.len() == 1));
    }

    #[test]
    fn seed_shaped_page_exists() {
        let pages = corpus(&GenConfig::default());
        let found = pages.iter().any(|p| {
            let lines: Vec<&str> = p.text.split('\n').collect();
            lines
                .windows(2)
                .any(|w| w[0] == "Try Our AI Features" && w[1].starts_with("Explore what "))
                && lines.contains(&"No comments yet...")
                && p.labels[0] == LABEL_CONTENT
        });
        assert!(found);
    }

    #[test]
    fn templated_lines_vary() {
        let pages = corpus(&GenConfig::default());
        let mut per_site: HashMap<&str, (usize, HashSet<&str>)> = HashMap::new();
        for p in &pages {
            let e = per_site.entry(&p.site).or_default();
            for (t, l) in p.text.split('\n').zip(&p.labels) {
                if *l == LABEL_TEMPLATED {
                    e.0 += 1;
                    e.1.insert(t);
                }
            }
        }
        for (site, (n, distinct)) in per_site {
            if n > 20 {
                assert!(
                    distinct.len() >= 10,
                    "{site}: {} distinct of {n}",
                    distinct.len()
                );
            }
        }
    }

    #[test]
    fn target_bytes_roughly_honoured() {
        let cfg = GenConfig {
            sites: 1,
            pages_per_site: 10,
            zipf: true,
            target_bytes: Some(3_000_000),
            ..Default::default()
        };
        let out = jsonl(&cfg);
        let n = out.len() as u64;
        assert!((3_000_000..6_000_000).contains(&n), "{n} bytes");
        let mut counted = 0u64;
        let stats = write_jsonl(&cfg, io::sink()).expect("write");
        counted += stats.bytes;
        assert_eq!(counted, n);
        let est = generate_pages(&cfg, &mut |_| Ok(())).expect("gen");
        assert_eq!(est.pages, stats.pages);
        assert!(
            est.bytes.abs_diff(n) < n / 10,
            "estimate {} vs {n}",
            est.bytes
        );
    }

    #[test]
    fn zipf_spreads_sizes_and_languages_differ() {
        let cfg = GenConfig {
            sites: 40,
            pages_per_site: 12,
            zipf: true,
            ..Default::default()
        };
        let pages = corpus(&cfg);
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for p in &pages {
            *sizes.entry(&p.site).or_default() += 1;
        }
        assert_eq!(sizes.len(), 40);
        assert!(sizes.values().any(|&s| s <= 5));
        assert!(sizes.values().any(|&s| s >= 24));
        // Second language shows up as non-ASCII content.
        assert!(pages
            .iter()
            .any(|p| p.gold.contains('ä') || p.gold.contains('ö')));
    }
}
