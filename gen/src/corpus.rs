//! The corpus driver: sites one at a time, each with its articles, its share of the wire
//! stories, and its pages in a shuffled order.
//!
//! Memory stays bounded by one site: wire stories are regenerated from their keys on every
//! site that runs them rather than kept in a pool.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

use crate::article::{gen_body, wire_span, wire_story, Article};
use crate::lang::{fold_ascii, Lang};
use crate::phrases::Words;
use crate::render::{render_page, Ctx, PageBuf};
use crate::rng::{seed_of, shuffle, Rng};
use crate::site::Site;
use crate::{GenConfig, GenPage, GenStats, LABEL_CONTENT};

/// Generates the corpus of `cfg`, handing each page to `sink`, which returns the bytes it
/// counts for the page (towards `cfg.target_bytes`).
pub(crate) fn generate(
    cfg: &GenConfig,
    sink: &mut dyn FnMut(GenPage) -> io::Result<u64>,
) -> io::Result<GenStats> {
    let langs = [Lang::new(0), Lang::new(1)];
    let words = [Words::new(&langs[0]), Words::new(&langs[1])];
    let mut stats = GenStats::default();
    // Sites of each language so far: wire story k starts on the k-th one.
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
        let mut articles = write_articles(cfg, &mut rng, &site, lang);
        if cfg.syndication {
            let rank = lang_rank[lang_id];
            syndicate(cfg.seed, &mut rng, lang_id, lang, rank, &mut articles);
        }
        lang_rank[lang_id] += 1;
        set_slugs(&mut articles);
        let cx = Ctx {
            site: &site,
            lang,
            words: &words[site.lang],
            articles: &articles,
        };
        emit_pages(cfg, &mut rng, idx, &cx, &mut stats, sink)?;
        idx += 1;
    }
    stats.sites = idx;
    Ok(stats)
}

/// Pages of one site: the configured mean, or heavy-tailed with `zipf`.
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

/// The site's own articles (slugs are set later, once wire stories are in).
fn write_articles(cfg: &GenConfig, rng: &mut Rng, site: &Site, lang: &Lang) -> Vec<Article> {
    let n = page_count(cfg, rng);
    (0..n)
        .map(|_| Article {
            body: gen_body(lang, rng, &site.boilerplate, None),
            section: rng.below(site.sections.len()),
            year: rng.range(2005, 2025),
            author: rng.below(site.authors.len()),
            slug: String::new(),
        })
        .collect()
}

/// Wire stories: story k of a language starts at the k-th site of that language and runs
/// on the next 1-3 sites of the same language; each replaces the body of a random article
/// (at most a third of the site's).
fn syndicate(
    seed: u64,
    rng: &mut Rng,
    lang_id: usize,
    lang: &Lang,
    rank: usize,
    articles: &mut [Article],
) {
    let n = articles.len();
    let mut slots: Vec<usize> = (0..n).collect();
    shuffle(rng, &mut slots);
    let mut slots = slots.into_iter().take(n / 3);
    for k in rank.saturating_sub(3)..=rank {
        if k + wire_span(seed, lang_id, k) <= rank {
            continue;
        }
        let Some(slot) = slots.next() else { break };
        articles[slot].body = wire_story(seed, lang_id, lang, k);
    }
}

/// Url slugs from the first six title words, made unique by the article's index.
fn set_slugs(articles: &mut [Article]) {
    for (i, a) in articles.iter_mut().enumerate() {
        let mut slug = String::new();
        for w in a.body.title.split(' ').take(6) {
            let before = slug.len();
            fold_ascii(w, &mut slug);
            if slug.len() > before {
                slug.push('-');
            }
        }
        let _ = write!(slug, "{i}");
        a.slug = slug;
    }
}

/// Renders the site's pages in a shuffled order, each from its own generator, and hands
/// them to `sink`.
fn emit_pages(
    cfg: &GenConfig,
    rng: &mut Rng,
    idx: usize,
    cx: &Ctx,
    stats: &mut GenStats,
    sink: &mut dyn FnMut(GenPage) -> io::Result<u64>,
) -> io::Result<()> {
    let site = cx.site;
    let mut order: Vec<usize> = (0..cx.articles.len()).collect();
    shuffle(rng, &mut order);
    for (pos, &me) in order.iter().enumerate() {
        let mut prng = Rng::new(seed_of(cfg.seed, 2 + idx as u64, me as u64));
        let mut buf = PageBuf::new();
        let mut hard = cfg
            .hard_cases
            .then(|| Rng::new(seed_of(cfg.seed ^ 0x4a2d_c0de, 2 + idx as u64, me as u64)));
        render_page(cx, &mut prng, hard.as_mut(), me, &mut buf);
        let a = &cx.articles[me];
        stats.pages += 1;
        stats.lines += buf.labels.len() as u64;
        stats.content_lines += buf.labels.iter().filter(|&&l| l == LABEL_CONTENT).count() as u64;
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
            cases: if cfg.hard_cases {
                buf.cases
            } else {
                Vec::new()
            },
        };
        stats.bytes += sink(page)?;
    }
    Ok(())
}
