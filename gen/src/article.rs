//! Articles: the text of one page's story (title, deck, highlights, paragraphs), all
//! about one [`Topic`], and the wire stories that several sites publish.

use crate::lang::{Lang, Topic};
use crate::rng::{seed_of, Rng};

/// A page's story and where its site files it.
pub(crate) struct Article {
    pub(crate) body: Body,
    /// Index into the site's sections.
    pub(crate) section: usize,
    pub(crate) year: usize,
    /// Index into the site's authors.
    pub(crate) author: usize,
    /// The url's file name: the first title words, then the article's index.
    pub(crate) slug: String,
}

/// An article's text: title, deck, highlights and paragraphs, all about one topic.
pub(crate) struct Body {
    /// What captions and the lead return to.
    pub(crate) topic: Topic,
    pub(crate) title: String,
    /// A standfirst under the title; shown on sites whose template has one.
    pub(crate) deck: String,
    /// Summary bullets (no final punctuation); shown on sites whose template has them.
    pub(crate) highlights: Vec<String>,
    pub(crate) paras: Vec<String>,
}

/// A new story in `lang`; `boilerplate` sentences may be slipped in, `lead` opens the first
/// paragraph.
pub(crate) fn gen_body(
    lang: &Lang,
    rng: &mut Rng,
    boilerplate: &[String],
    lead: Option<&str>,
) -> Body {
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
pub(crate) fn wire_story(seed: u64, lang_id: usize, lang: &Lang, k: usize) -> Body {
    let mut rng = Rng::new(seed_of(seed, 100 + lang_id as u64, k as u64));
    let agency = format!("{} {}", lang.name(&mut rng), lang.tr("Press"));
    let lead = format!("{} ({agency}) — ", lang.name(&mut rng).to_uppercase());
    gen_body(lang, &mut rng, &[], Some(&lead))
}

/// How many sites of its language publish wire story `k` (2-4, from its key).
pub(crate) fn wire_span(seed: u64, lang_id: usize, k: usize) -> usize {
    2 + (seed_of(seed, 200 + lang_id as u64, k as u64) % 3) as usize
}
