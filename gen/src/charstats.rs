//! Character statistics of real crawls, laid over the generator's text.
//!
//! The invented languages write almost pure ASCII, while real crawls are full of curly quotes,
//! dashes, ellipses, accented letters and other scripts; a bench on ASCII flatters any code
//! with an ASCII fast path. [`respell_page`] rewrites a rendered page line by line: Latin
//! text gets typographic punctuation and accented words, and sites of a non-Latin [`Script`]
//! are transliterated letter by letter from small built-in alphabets (CJK: a few characters
//! per word, no spaces between words). Nothing is copied from real text.
//!
//! Every change is a pure function of the word it touches (its hash) and of the site's script,
//! never of the line or the page: a word is spelled alike wherever it occurs, so a line that
//! repeats (template chrome, a teaser of an article's title, a wire story on another site of
//! the same script) still repeats byte for byte, and templated lines still share their
//! fixed words. Labels and the gold text stay line-aligned, since gold lines are respelled by
//! the same function.

use xxhash_rust::xxh3::xxh3_64;

use crate::render::PageBuf;

/// How the generator spells page text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// Real-text character statistics: typographic quotes, dashes and ellipses, accented
    /// words, and a share of sites in Cyrillic, CJK, Arabic and Greek script.
    #[default]
    RealText,
    /// The older nearly pure ASCII text (the second language's few diacritics aside).
    Ascii,
}

/// The script a site's pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Cjk,
}

/// The script of the `rank`-th site of language `lang_id`, or `None` to leave text as it is.
///
/// English-like sites stay Latin; sites of the second language come in blocks of four
/// consecutive sites (so wire stories, which run on the next 1-3 sites of a language, mostly
/// stay within one script) cycling Latin, Cyrillic, Latin, CJK, Latin, Arabic, Latin, Greek:
/// about a sixth of all sites, and a larger share of the bytes, are non-Latin. Small corpora
/// (fewer than four sites of the second language) stay all Latin.
pub(crate) fn site_script(charset: Charset, lang_id: usize, rank: usize) -> Option<Script> {
    if charset == Charset::Ascii {
        return None;
    }
    if lang_id == 0 {
        return Some(Script::Latin);
    }
    const CYCLE: [Script; 8] = [
        Script::Latin,
        Script::Cyrillic,
        Script::Latin,
        Script::Cjk,
        Script::Latin,
        Script::Arabic,
        Script::Latin,
        Script::Greek,
    ];
    Some(CYCLE[(rank / 4) % CYCLE.len()])
}

/// Respells the page's text and gold in `script`, line by line (see the module docs).
pub(crate) fn respell_page(buf: &mut PageBuf, script: Script) {
    buf.text = respell_lines(&buf.text, script);
    buf.gold = respell_lines(&buf.gold, script);
}

fn respell_lines(text: &str, script: Script) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        respell_line(line, script, &mut out);
    }
    out
}

/// One line: words through [`push_word`], punctuation after a word chosen by that word's
/// hash, spaces dropped between CJK words.
fn respell_line(line: &str, script: Script, out: &mut String) {
    let b = line.as_bytes();
    let mut i = 0;
    // Hash of the last word written (0: none yet), which picks the punctuation after it.
    let mut prev = 0u64;
    let mut open_double = false;
    while i < b.len() {
        let c = line[i..].chars().next().unwrap_or(' ');
        if c.is_alphabetic() {
            let end = line[i..]
                .find(|c: char| !c.is_alphabetic())
                .map_or(line.len(), |e| i + e);
            let h = push_word(&line[i..end], script, out);
            prev = h;
            i = end;
            continue;
        }
        let next = line[i + c.len_utf8()..].chars().next();
        let next_alpha = next.is_some_and(char::is_alphabetic);
        match c {
            ' ' if script == Script::Cjk && next_alpha && i > 0 => {
                // Chinese and Japanese run words together; a space stays beside digits.
                let before = line[..i].chars().next_back().unwrap_or(' ');
                if !(before.is_alphabetic() || ".,?!".contains(before)) {
                    out.push(' ');
                }
            }
            ',' if prev != 0 && (prev >> 16) % 6 < 2 && matches!(next, None | Some(' ')) => {
                // Some commas become dashes: em dash, or a spaced en dash.
                out.push_str(if (prev >> 16) % 6 == 0 {
                    " —"
                } else {
                    " –"
                });
            }
            '.' if prev != 0 && (prev >> 20) % 24 == 0 && matches!(next, None | Some(' ')) => {
                out.push('…');
            }
            '"' => {
                open_double = !open_double;
                out.push_str(quote(script, open_double));
            }
            '\'' => out.push('’'),
            _ => push_punct(c, script, out),
        }
        if !c.is_alphabetic() && !c.is_ascii_digit() {
            prev = 0;
        }
        i += c.len_utf8();
    }
}

/// Opening or closing double quote in `script`'s convention.
fn quote(script: Script, open: bool) -> &'static str {
    match (script, open) {
        (Script::Cyrillic | Script::Greek | Script::Arabic, true) => "«",
        (Script::Cyrillic | Script::Greek | Script::Arabic, false) => "»",
        (Script::Cjk, true) => "「",
        (Script::Cjk, false) => "」",
        (Script::Latin, true) => "“",
        (Script::Latin, false) => "”",
    }
}

/// Punctuation in `script`'s own forms (CJK full-width, Arabic comma and question mark).
fn push_punct(c: char, script: Script, out: &mut String) {
    let r = match (script, c) {
        (Script::Cjk, '.') => '。',
        (Script::Cjk, ',') => '，',
        (Script::Cjk, '?') => '？',
        (Script::Cjk, '!') => '！',
        (Script::Cjk, ':') => '：',
        (Script::Arabic, ',') => '،',
        (Script::Arabic, '?') => '؟',
        (Script::Greek, '?') => ';',
        _ => c,
    };
    out.push(r);
}

/// Writes `w` (a run of letters) respelled, and returns its hash (never 0), which also picks
/// the punctuation that may follow it.
fn push_word(w: &str, script: Script, out: &mut String) -> u64 {
    let lower = w.to_lowercase();
    let h = xxh3_64(lower.as_bytes()) | 1;
    let quoted = w.len() > 3 && (h >> 24) % 40 == 0;
    if quoted {
        out.push_str(quote(script, true));
    }
    match script {
        Script::Latin => push_latin(w, h, out),
        Script::Cjk => push_cjk(&lower, h, out),
        _ => {
            let title = w.chars().next().is_some_and(char::is_uppercase);
            let n = lower.chars().count();
            for (k, c) in lower.chars().enumerate() {
                let t = letter(script, base(c), k + 1 == n);
                if title && k == 0 {
                    out.extend(t.to_uppercase());
                } else {
                    out.push(t);
                }
            }
            if script == Script::Greek && n > 2 && h % 3 == 0 {
                greek_tonos(out, n);
            }
        }
    }
    if quoted {
        out.push_str(quote(script, false));
    }
    if script == Script::Latin && w.len() > 3 && (h >> 32) % 29 == 0 {
        out.push_str("’s");
    }
    h
}

/// A Latin word, about one in twelve with one letter accented (the first that can be).
fn push_latin(w: &str, h: u64, out: &mut String) {
    if w.len() < 3 || (h >> 8) % 12 != 0 {
        out.push_str(w);
        return;
    }
    let pick = (h >> 40) as usize;
    let mut done = false;
    for c in w.chars() {
        if !done {
            if let Some(a) = accented(c, pick) {
                out.push(a);
                done = true;
                continue;
            }
        }
        out.push(c);
    }
}

/// An accented form of `c`, the `pick`-th of its variants, if it has any.
fn accented(c: char, pick: usize) -> Option<char> {
    let v: &[char] = match c {
        'a' => &['á', 'à', 'â', 'ä', 'ã', 'å'],
        'e' => &['é', 'è', 'ê', 'ë', 'ę', 'ě'],
        'i' => &['í', 'ì', 'î', 'ï'],
        'o' => &['ó', 'ò', 'ô', 'ö', 'õ', 'ø', 'ő'],
        'u' => &['ú', 'ù', 'û', 'ü', 'ů', 'ű'],
        'c' => &['ç', 'č', 'ć'],
        'n' => &['ñ', 'ň', 'ń'],
        's' => &['š', 'ś', 'ş', 'ß'],
        'z' => &['ž', 'ż', 'ź'],
        'r' => &['ř'],
        'l' => &['ł'],
        'A' => &['Á', 'À', 'Â', 'Ä', 'Å'],
        'E' => &['É', 'È', 'Ê'],
        'O' => &['Ó', 'Ö', 'Ø'],
        'U' => &['Ú', 'Ü'],
        'C' => &['Ç', 'Č'],
        'S' => &['Š', 'Ś'],
        'Z' => &['Ž'],
        _ => return None,
    };
    Some(v[pick % v.len()])
}

/// The base letter of the second language's accented ones (lower case).
fn base(c: char) -> char {
    match c {
        'ä' => 'a',
        'ö' => 'o',
        'ž' => 'z',
        'š' => 's',
        c => c,
    }
}

/// The lower-case letter of `script` for Latin `c` (`last`: at the end of a word, for the
/// Greek final sigma). Letters outside a-z pass through.
fn letter(script: Script, c: char, last: bool) -> char {
    const CYRILLIC: [char; 26] = [
        'а', 'б', 'ц', 'д', 'е', 'ф', 'г', 'х', 'и', 'й', 'к', 'л', 'м', 'н', 'о', 'п', 'я', 'р',
        'с', 'т', 'у', 'в', 'ш', 'ж', 'ы', 'з',
    ];
    const GREEK: [char; 26] = [
        'α', 'β', 'κ', 'δ', 'ε', 'φ', 'γ', 'η', 'ι', 'ξ', 'κ', 'λ', 'μ', 'ν', 'ο', 'π', 'θ', 'ρ',
        'σ', 'τ', 'υ', 'β', 'ω', 'χ', 'ψ', 'ζ',
    ];
    const ARABIC: [char; 26] = [
        'ا', 'ب', 'ك', 'د', 'ي', 'ف', 'غ', 'ه', 'ي', 'ج', 'ك', 'ل', 'م', 'ن', 'و', 'ب', 'ق', 'ر',
        'س', 'ت', 'و', 'ف', 'و', 'خ', 'ي', 'ز',
    ];
    if !c.is_ascii_lowercase() {
        return c;
    }
    let k = (c as u8 - b'a') as usize;
    match script {
        Script::Cyrillic => CYRILLIC[k],
        Script::Greek if c == 's' && last => 'ς',
        Script::Greek => GREEK[k],
        Script::Arabic => ARABIC[k],
        Script::Latin | Script::Cjk => c,
    }
}

/// Puts a tonos on the first vowel among the last `n` characters of `out` (a Greek word).
fn greek_tonos(out: &mut String, n: usize) {
    let start = out.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i);
    let word: String = out[start..]
        .chars()
        .scan(false, |done, c| {
            let t = match c {
                'α' => 'ά',
                'ε' => 'έ',
                'η' => 'ή',
                'ι' => 'ί',
                'ο' => 'ό',
                'υ' => 'ύ',
                'ω' => 'ώ',
                _ => return Some(c),
            };
            if *done {
                return Some(c);
            }
            *done = true;
            Some(t)
        })
        .collect();
    out.truncate(start);
    out.push_str(&word);
}

/// A CJK word: one character per syllable or so, Han characters for content words and
/// hiragana for short (function) words, all drawn from the word's hash.
fn push_cjk(lower: &str, h: u64, out: &mut String) {
    let n = lower.chars().count();
    if n <= 2 {
        // Hiragana U+3041..U+3093.
        out.push(char::from_u32(0x3041 + (h % 0x53) as u32).unwrap_or('の'));
        return;
    }
    let chars = 1 + n / 4;
    let mut x = h;
    for _ in 0..chars.min(4) {
        // The 8,000 code points from U+4E00 hold most of the common Han characters.
        out.push(char::from_u32(0x4E00 + (x % 8000) as u32).unwrap_or('中'));
        x = x.rotate_right(13).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn respell(s: &str, script: Script) -> String {
        respell_lines(s, script)
    }

    #[test]
    fn lines_stay_lines_and_words_spell_alike() {
        let text =
            "The talks continue, said Kaamo.\nComments (12)\nThe talks continue, said Kaamo.";
        for script in [
            Script::Latin,
            Script::Cyrillic,
            Script::Greek,
            Script::Arabic,
            Script::Cjk,
        ] {
            let r = respell(text, script);
            let lines: Vec<&str> = r.split('\n').collect();
            assert_eq!(lines.len(), 3, "{script:?}: {r}");
            assert_eq!(lines[0], lines[2]);
            assert!(lines.iter().all(|l| !l.is_empty()));
            assert!(lines[1].contains("12"));
        }
    }

    #[test]
    fn non_latin_scripts_leave_no_latin_letters() {
        let text = "Näkö soman tšuu ja Kvoorissa, he said.";
        for script in [Script::Cyrillic, Script::Greek, Script::Arabic, Script::Cjk] {
            let r = respell(text, script);
            assert!(
                !r.chars().any(|c| c.is_ascii_alphabetic()),
                "{script:?}: {r}"
            );
        }
    }

    #[test]
    fn latin_text_gets_typography_and_accents() {
        // Many distinct words: some must draw an accent, a dash, an ellipsis or quotes.
        let mut text = String::new();
        for i in 0..3000u32 {
            let w: String = (0..4)
                .map(|k| char::from(b'a' + ((i >> (3 * k)) % 8) as u8))
                .collect();
            text.push_str(&w);
            text.push_str(if i % 7 == 6 {
                ". "
            } else if i % 5 == 4 {
                ", "
            } else {
                " "
            });
        }
        let r = respell(&text, Script::Latin);
        for c in ['—', '–', '…', '“', '’'] {
            assert!(r.contains(c), "no {c} in {r}");
        }
        assert!(
            r.chars().any(|c| matches!(c, 'à'..='ÿ')),
            "no accents in {r}"
        );
    }
}
