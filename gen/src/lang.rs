//! Languages: invented syllable lexicons for article text.
//!
//! A [`Lang`] is built from a fixed seed, so it is the same in every corpus: an English-like
//! one (with real function words) and a second invented one with diacritics. Articles are
//! written in it word by word ([`Lang::sentence_on`] around a [`Topic`]), and its [`Lang::tr`]
//! "translates" the generator's English UI strings word by word for chrome.

use std::fmt::Write as _;

use xxhash_rust::xxh3::xxh3_64;

use crate::rng::Rng;

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

pub(crate) fn capitalize(w: &str) -> String {
    let mut s = String::with_capacity(w.len() + 2);
    push_cap(&mut s, w);
    s
}

/// Lowercase ASCII letters/digits only, for slugs and domains.
pub(crate) fn fold_ascii(s: &str, out: &mut String) {
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
pub(crate) struct Topic {
    words: Vec<String>,
    /// Chance that a content word of a sentence is a topic word.
    rate: f64,
}

impl Topic {
    pub(crate) fn new(lang: &Lang, rng: &mut Rng) -> Topic {
        let mut words: Vec<String> = (0..rng.range(1, 3))
            .map(|_| lang.name(rng).to_owned())
            .collect();
        // Uniform over the vocabulary, so mostly words that are rare elsewhere.
        words.extend((0..rng.range(2, 5)).map(|_| lang.words[rng.below(lang.words.len())].clone()));
        Topic { words, rate: 0.1 }
    }

    pub(crate) fn with_rate(&self, rate: f64) -> Topic {
        Topic {
            words: self.words.clone(),
            rate,
        }
    }
}

/// One language's lexicon.
pub(crate) struct Lang {
    /// English-like (real function words and stock short lines, no translation needed).
    pub(crate) english: bool,
    function: &'static [&'static str],
    words: Vec<String>,
    names: Vec<String>,
}

impl Lang {
    /// Language `kind`: 0 English-like, otherwise the second invented one.
    pub(crate) fn new(kind: usize) -> Lang {
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

    /// A content word, Zipf-distributed.
    pub(crate) fn word(&self, rng: &mut Rng) -> &str {
        &self.words[rng.zipfish(self.words.len())]
    }

    /// A content word, uniform over the vocabulary: mostly words rare elsewhere.
    pub(crate) fn rare_word(&self, rng: &mut Rng) -> &str {
        &self.words[rng.below(self.words.len())]
    }

    /// A proper name, skewed towards common ones.
    pub(crate) fn name(&self, rng: &mut Rng) -> &str {
        &self.names[rng.skew(self.names.len())]
    }

    pub(crate) fn full_name(&self, rng: &mut Rng) -> String {
        let mut s = String::new();
        s.push_str(self.name(rng));
        s.push(' ');
        s.push_str(self.name(rng));
        s
    }

    /// Writes one sentence of `n` words (n >= 1), capitalised, with final punctuation.
    pub(crate) fn sentence(&self, rng: &mut Rng, out: &mut String, n: usize) {
        self.sentence_on(rng, out, n, &Topic::default());
    }

    /// A sentence of an article about `topic`: a share of its content words are the topic's
    /// (an article names its subject again and again; so do its title and lead).
    pub(crate) fn sentence_on(&self, rng: &mut Rng, out: &mut String, n: usize, topic: &Topic) {
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
    pub(crate) fn paragraph(&self, rng: &mut Rng, out: &mut String, target: usize) {
        self.paragraph_on(rng, out, target, &Topic::default());
    }

    /// [`Lang::paragraph`] about `topic`.
    pub(crate) fn paragraph_on(
        &self,
        rng: &mut Rng,
        out: &mut String,
        target: usize,
        topic: &Topic,
    ) {
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

    /// A one-line paragraph ("He said.") or a short sentence.
    pub(crate) fn short_line(&self, rng: &mut Rng, out: &mut String) {
        if self.english && rng.chance(0.5) {
            out.push_str(rng.pick_s(EN_SHORT));
        } else {
            let n = rng.range(1, 6);
            self.sentence(rng, out, n);
        }
    }

    /// Word-by-word deterministic "translation" of an English UI string; `{S}`
    /// placeholders, numbers and punctuation pass through.
    pub(crate) fn tr(&self, s: &str) -> String {
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
