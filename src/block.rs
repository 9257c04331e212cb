//! Splitting a page into blocks and normalising each block into a hashable form.
//!
//! A block is one non-blank line of the page's text view (a paragraph, heading, menu item or
//! table row, as a WET-style scraper writes them). Normalisation makes two blocks that a reader
//! would call "the same line of the template" hash alike: Unicode lower-case, every run of
//! digits folded to `0` (so "40 minutes ago" and "42 minutes ago" match), and every run of
//! whitespace or punctuation folded to one space. The hash is xxh3-64 of the normalised bytes.
//!
//! Invariants: `normalize` is idempotent; its output has no leading, trailing or doubled spaces;
//! it depends on the text alone (never on position, page or thread), so hashes are stable
//! across runs, machines and thread counts.

use xxhash_rust::xxh3::xxh3_64;

/// One block of a page, borrowed from the page text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block<'a> {
    /// The line as it appears in the page, without its line terminator.
    pub text: &'a str,
    /// Byte offset of the line in the page text.
    pub start: usize,
}

/// Iterates over the blocks of a page: lines split on `\n` (a trailing `\r` is dropped),
/// skipping lines that are blank after trimming.
pub fn blocks(text: &str) -> impl Iterator<Item = Block<'_>> {
    let base = text.as_ptr() as usize;
    text.split('\n').filter_map(move |line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            None
        } else {
            Some(Block {
                text: line,
                start: line.as_ptr() as usize - base,
            })
        }
    })
}

/// Figures about a block's normalised form, gathered while normalising it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NormInfo {
    /// Number of tokens (space-separated words of the normalised form).
    pub tokens: u32,
    /// Number of tokens that are folded digit runs.
    pub digit_tokens: u32,
    /// Number of alphanumeric characters in the original text.
    pub alnum_chars: u32,
}

/// Normalises `text` into `out` (cleared first) and returns figures about it.
///
/// Letters are lower-cased, each maximal run of numeric characters becomes the token `0`
/// (a digit run is always a token of its own, so "10:20pm" gives "0 0 pm"), and anything
/// else separates tokens.
pub fn normalize_into(text: &str, out: &mut String) -> NormInfo {
    out.clear();
    let mut info = NormInfo::default();
    // 0 = at a boundary, 1 = inside a word, 2 = inside a digit run
    let mut state = 0u8;
    let bytes = text.as_bytes();
    // SAFETY: only ASCII bytes and whole UTF-8 encodings of chars are pushed, so `out` stays
    // valid UTF-8.
    let o = unsafe { out.as_mut_vec() };
    o.reserve(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            match ASCII_CLASS[b as usize] {
                C_DIGIT => {
                    if state != 2 {
                        if !o.is_empty() {
                            o.push(b' ');
                        }
                        o.push(b'0');
                        info.tokens += 1;
                        info.digit_tokens += 1;
                        state = 2;
                    }
                    info.alnum_chars += 1;
                }
                C_ALPHA => {
                    if state != 1 {
                        if !o.is_empty() {
                            o.push(b' ');
                        }
                        info.tokens += 1;
                        state = 1;
                    }
                    info.alnum_chars += 1;
                    o.push(b.to_ascii_lowercase());
                }
                // An apostrophe inside a word joins it ("don't"), as its typographic forms do.
                C_APOS if state == 1 => {}
                _ => state = 0,
            }
            continue;
        }
        // Two-byte letters of Latin-1 and Latin Extended-A/B (ä, ö, š, ž, é...): a table.
        if b & 0xe0 == 0xc0 && i + 1 < bytes.len() {
            let cp = ((b as u32 & 0x1f) << 6) | (bytes[i + 1] as u32 & 0x3f);
            if (LATIN_LO..LATIN_HI).contains(&cp) {
                let (class, lower) = LATIN.get_or_init(latin_table)[(cp - LATIN_LO) as usize];
                if class == C_ALPHA {
                    i += 2;
                    if state != 1 {
                        if !o.is_empty() {
                            o.push(b' ');
                        }
                        info.tokens += 1;
                        state = 1;
                    }
                    info.alnum_chars += 1;
                    let mut enc = [0u8; 4];
                    o.extend_from_slice(lower.encode_utf8(&mut enc).as_bytes());
                    continue;
                }
            }
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        i += c.len_utf8();
        if c.is_numeric() {
            info.alnum_chars += 1;
            if state != 2 {
                if !o.is_empty() {
                    o.push(b' ');
                }
                o.push(b'0');
                info.tokens += 1;
                info.digit_tokens += 1;
                state = 2;
            }
        } else if c.is_alphanumeric() {
            info.alnum_chars += 1;
            if state != 1 {
                if !o.is_empty() {
                    o.push(b' ');
                }
                info.tokens += 1;
                state = 1;
            }
            let mut enc = [0u8; 4];
            for l in c.to_lowercase() {
                o.extend_from_slice(l.encode_utf8(&mut enc).as_bytes());
            }
        } else if is_word_joiner(c) && state == 1 {
            continue;
        } else {
            state = 0;
        }
    }
    info
}

const LATIN_LO: u32 = 0x80;
const LATIN_HI: u32 = 0x250;
static LATIN: std::sync::OnceLock<Vec<(u8, char)>> = std::sync::OnceLock::new();

/// For U+0080..U+024F: `C_ALPHA` with the lower-case letter where the char is alphanumeric,
/// not numeric, and lower-cases to exactly one char; `C_OTHER` (take the general path) else.
fn latin_table() -> Vec<(u8, char)> {
    (LATIN_LO..LATIN_HI)
        .map(|cp| {
            let c = char::from_u32(cp).expect("no surrogates below U+0250");
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(lc), None) if c.is_alphanumeric() && !c.is_numeric() => (C_ALPHA, lc),
                _ => (C_OTHER, c),
            }
        })
        .collect()
}

const C_OTHER: u8 = 0;
const C_ALPHA: u8 = 1;
const C_DIGIT: u8 = 2;
const C_APOS: u8 = 3;

/// Class of each ASCII byte for [`normalize_into`].
static ASCII_CLASS: [u8; 128] = {
    let mut t = [C_OTHER; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            C_DIGIT
        } else if c.is_ascii_alphabetic() {
            C_ALPHA
        } else if c == b'\'' {
            C_APOS
        } else {
            C_OTHER
        };
        b += 1;
    }
    t
};

fn is_word_joiner(c: char) -> bool {
    matches!(c, '\u{2019}' | '\u{02bc}')
}

/// Normalises a block into a fresh `String`. Convenience for tests and tools; hot loops call
/// [`normalize_into`] with a reused buffer.
pub fn normalize(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    normalize_into(text, &mut s);
    s
}

/// The xxh3-64 hash of a normalised block.
#[inline]
pub fn hash_normalized(norm: &str) -> u64 {
    xxh3_64(norm.as_bytes())
}

/// Hashes a raw block: normalise, then xxh3. Allocates; use [`normalize_into`] in hot loops.
pub fn block_hash(text: &str) -> u64 {
    hash_normalized(&normalize(text))
}

/// Shape of a block's raw text, used by the cleaner: whether it reads like a sentence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Characters (not bytes) in the trimmed text.
    pub chars: u32,
    /// Ends with sentence-final punctuation (any script), possibly followed by a closing
    /// quote or bracket.
    pub sentence_end: bool,
    /// Number of sentence-internal punctuation marks (`,` `;` `:` and their full-width forms).
    pub commas: u32,
    /// Number of separator characters typical of menus and breadcrumbs (`|` `»` `>` `·` `•`).
    pub separators: u32,
}

/// Measures the [`Shape`] of a block's raw text.
pub fn shape(text: &str) -> Shape {
    let t = text.trim();
    let mut s = Shape::default();
    if t.is_ascii() {
        s.chars = t.len() as u32;
        for &b in t.as_bytes() {
            s.commas += matches!(b, b',' | b';') as u32;
            s.separators += matches!(b, b'|' | b'>') as u32;
        }
    } else {
        // Byte by byte, decoding only the chars that are not ASCII: most text that has some
        // is still mostly ASCII.
        let bytes = t.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b < 0x80 {
                s.chars += 1;
                s.commas += matches!(b, b',' | b';') as u32;
                s.separators += matches!(b, b'|' | b'>') as u32;
            } else if b >= 0xc0 {
                s.chars += 1;
                match t[i..].chars().next() {
                    Some('、' | '，' | '；' | '،') => s.commas += 1,
                    Some('»' | '«' | '·' | '•' | '›' | '‹' | '¦') => s.separators += 1,
                    _ => {}
                }
            }
        }
    }
    let last_significant = t.chars().rev().find(|&c| {
        !matches!(
            c,
            '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」' | '』' | '）'
        ) && !c.is_whitespace()
    });
    s.sentence_end = matches!(
        last_significant,
        Some('.' | '!' | '?' | '。' | '！' | '？' | '…' | '۔' | '।' | '؟')
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digits_fold_so_relative_times_match() {
        assert_eq!(normalize("40 minutes ago"), "0 minutes ago");
        assert_eq!(block_hash("40 minutes ago"), block_hash("42 minutes ago"));
        assert_eq!(normalize("10:20pm"), "0 0 pm");
        assert_eq!(normalize("Route 66b"), "route 0 b");
    }

    #[test]
    fn case_whitespace_and_punctuation_fold() {
        assert_eq!(normalize("  Related   Articles!! "), "related articles");
        assert_eq!(normalize("No comments yet..."), "no comments yet");
        assert_eq!(block_hash("Share | Email"), block_hash("share email"));
        assert_eq!(normalize("ÉCOLE Straße"), "école straße");
        assert_eq!(normalize("don’t don't"), "dont dont");
    }

    #[test]
    fn non_latin_scripts_keep_their_letters() {
        assert_eq!(normalize("Привет, мир"), "привет мир");
        assert_eq!(normalize("東京 ２０２４年"), "東京 0 年");
        assert_eq!(normalize("٣ دقائق"), "0 دقائق");
    }

    #[test]
    fn blocks_skip_blank_lines_and_keep_offsets() {
        let text = "a\r\n\n  \nb c\nd";
        let bs: Vec<_> = blocks(text).collect();
        assert_eq!(bs.len(), 3);
        assert_eq!(bs[0].text, "a");
        assert_eq!(bs[1].text, "b c");
        assert_eq!(&text[bs[1].start..bs[1].start + 3], "b c");
        assert_eq!(bs[2].text, "d");
    }

    #[test]
    fn shape_sees_sentences_and_menus() {
        assert!(shape("He said so.").sentence_end);
        assert!(shape("“We have no intention.”").sentence_end);
        assert!(!shape("Related Articles").sentence_end);
        assert_eq!(shape("U.S. | EUROPE | ASIA").separators, 2);
    }

    /// The straightforward char-by-char normaliser that `normalize_into` must match.
    fn reference_normalize(text: &str) -> String {
        let mut out = String::new();
        let mut state = 0u8;
        for c in text.chars() {
            if c.is_numeric() {
                if state != 2 {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push('0');
                    state = 2;
                }
            } else if c.is_alphanumeric() {
                if state != 1 && !out.is_empty() {
                    out.push(' ');
                }
                state = 1;
                out.extend(c.to_lowercase());
            } else if matches!(c, '\'' | '\u{2019}' | '\u{02bc}') && state == 1 {
            } else {
                state = 0;
            }
        }
        out
    }

    /// `shape`'s counts as first written: char by char.
    fn reference_shape_counts(text: &str) -> (u32, u32, u32) {
        let (mut chars, mut commas, mut separators) = (0, 0, 0);
        for c in text.trim().chars() {
            chars += 1;
            match c {
                ',' | ';' | '、' | '，' | '；' | '،' => commas += 1,
                '|' | '»' | '«' | '>' | '·' | '•' | '›' | '‹' | '¦' => separators += 1,
                _ => {}
            }
        }
        (chars, commas, separators)
    }

    proptest! {
        #[test]
        fn shape_counts_match_the_reference(s in "(\\PC|[ ,;|>、，；،»«·•›‹¦a-z]){0,60}") {
            let got = shape(&s);
            prop_assert_eq!((got.chars, got.commas, got.separators), reference_shape_counts(&s));
        }

        #[test]
        fn normalize_matches_the_reference(s in "(\\PC|[a-z0-9 '’.äöšžŽÖÄ©\u{80}-\u{250}]){0,80}") {
            prop_assert_eq!(normalize(&s), reference_normalize(&s));
        }

        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,80}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn normalized_has_no_stray_spaces(s in "\\PC{0,80}") {
            let n = normalize(&s);
            prop_assert!(!n.starts_with(' ') && !n.ends_with(' ') && !n.contains("  "));
        }

        #[test]
        fn token_count_matches_output(s in "\\PC{0,80}") {
            let mut out = String::new();
            let info = normalize_into(&s, &mut out);
            let n = if out.is_empty() { 0 } else { out.split(' ').count() as u32 };
            prop_assert_eq!(info.tokens, n);
        }

        #[test]
        fn digits_never_change_the_hash(a in "[a-z ]{0,20}", d1 in 0u32..100000, d2 in 0u32..100000) {
            prop_assert_eq!(block_hash(&format!("{a} {d1} x")), block_hash(&format!("{a} {d2} x")));
        }

        #[test]
        fn blocks_cover_every_nonblank_line(lines in proptest::collection::vec("[a-z ]{0,10}", 0..20)) {
            let text = lines.join("\n");
            let got: Vec<&str> = blocks(&text).map(|b| b.text).collect();
            let want: Vec<&str> = lines.iter().map(|s| s.as_str()).filter(|l| !l.trim().is_empty()).collect();
            prop_assert_eq!(got, want);
        }
    }
}
