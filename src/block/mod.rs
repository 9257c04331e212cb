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

use crate::bytes::{byte_counts, find_byte, mark_counts};

mod normalize;

pub use normalize::{hash_normalized, normalize_into, NormInfo};

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
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || loop {
        if at > bytes.len() {
            return None;
        }
        let start = at;
        let end = find_byte(&bytes[start..], b'\n').map_or(bytes.len(), |i| start + i);
        at = end + 1;
        // `\n` is ASCII, so both ends are char boundaries.
        let line = &text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Most lines open with a visible ASCII char; only the others need the Unicode trim.
        let visible = line
            .as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_graphic());
        if visible || !line.trim().is_empty() {
            return Some(Block { text: line, start });
        }
    })
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
    let bytes = t.as_bytes();
    // Chars are the bytes that do not continue a UTF-8 sequence (0x80..=0xbf).
    let counts = byte_counts(bytes);
    s.chars = counts.chars;
    s.commas = counts.commas;
    s.separators = counts.separators;
    if counts.non_ascii {
        let (commas, separators) = mark_counts(t);
        s.commas += commas;
        s.separators += separators;
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

        // Longer than the 255-byte pieces that the byte-wide counters take at a time.
        #[test]
        fn shape_counts_match_the_reference_on_long_blocks(s in "(\\PC|[ ,;|>、»a-z]){240,700}") {
            let got = shape(&s);
            prop_assert_eq!((got.chars, got.commas, got.separators), reference_shape_counts(&s));
        }

        #[test]
        fn blocks_match_split_lines(s in "([a-z]{0,3}|[\r\n \t\u{a0}\u{3000}]){0,30}") {
            let want: Vec<(usize, &str)> = s
                .split('\n')
                .map(|l| (l.as_ptr() as usize - s.as_ptr() as usize, l.strip_suffix('\r').unwrap_or(l)))
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            let got: Vec<(usize, &str)> = blocks(&s).map(|b| (b.start, b.text)).collect();
            prop_assert_eq!(got, want);
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
