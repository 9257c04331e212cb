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

use crate::bytes::find_byte;

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
    // 0 = at a boundary, WORD = inside a word, DIGITS = inside a digit run
    let mut state = 0u8;
    let bytes = text.as_bytes();
    // SAFETY: only ASCII bytes and whole UTF-8 encodings of chars are pushed, so `out` stays
    // valid UTF-8.
    let o = unsafe { out.as_mut_vec() };
    o.reserve(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Most text is runs of ASCII letters and single spaces: take up to 16 such bytes at
        // once (see `letter_run`), 8 near the end, and the general path below for what comes
        // after them.
        #[cfg(target_arch = "x86_64")]
        if let Some(w) = bytes.get(i..i + 16) {
            let w: &[u8; 16] = w.try_into().expect("16 bytes");
            // SAFETY: SSE2 is part of the x86-64 baseline.
            let (run, lower) = unsafe { sse2::letter_run16(w, state, o.is_empty()) };
            if run.len > 0 {
                if run.pad {
                    o.push(b' ');
                }
                // All 16 bytes go out in one store; the length keeps only the run's.
                o.reserve(16);
                let n = o.len();
                // SAFETY: 16 bytes of spare capacity were reserved; the run is ASCII.
                unsafe {
                    std::ptr::copy_nonoverlapping(lower.as_ptr(), o.as_mut_ptr().add(n), 16);
                    o.set_len(n + run.len);
                }
                info.tokens += run.tokens;
                info.alnum_chars += run.letters;
                state = WORD;
                i += run.len;
                continue;
            }
        }
        // No 16-byte run means no 8-byte run either: only the tail needs the narrow one.
        let tail = !cfg!(target_arch = "x86_64") || i + 16 > bytes.len();
        if let Some(w) = bytes.get(i..i + 8).filter(|_| tail) {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            let run = letter_run(w, state, o.is_empty());
            if run.len > 0 {
                if run.pad {
                    o.push(b' ');
                }
                // Letters lower-case by setting bit 5, which a space already has.
                o.extend_from_slice(&(w | LANES_20).to_le_bytes());
                o.truncate(o.len() - (8 - run.len));
                info.tokens += run.tokens;
                info.alnum_chars += run.letters;
                state = WORD;
                i += run.len;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            match ASCII_CLASS[b as usize] {
                C_DIGIT => {
                    open_digits(o, &mut info, &mut state);
                    info.alnum_chars += 1;
                }
                C_ALPHA => {
                    open_token(o, &mut info, &mut state, WORD);
                    info.alnum_chars += 1;
                    o.push(b.to_ascii_lowercase());
                }
                // An apostrophe inside a word joins it ("don't"), as its typographic forms do.
                C_APOS if state == WORD => {}
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
                    open_token(o, &mut info, &mut state, WORD);
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
            open_digits(o, &mut info, &mut state);
        } else if c.is_alphanumeric() {
            info.alnum_chars += 1;
            open_token(o, &mut info, &mut state, WORD);
            let mut enc = [0u8; 4];
            // 'İ' lower-cases to 'i' and a combining dot, which is not a letter: kept, it
            // would split the word when the output is normalised again.
            for l in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                o.extend_from_slice(l.encode_utf8(&mut enc).as_bytes());
            }
        } else if is_word_joiner(c) && state == WORD {
            continue;
        } else {
            state = 0;
        }
    }
    info
}

/// Normaliser states: at a boundary, inside a word, inside a digit run.
const WORD: u8 = 1;
const DIGITS: u8 = 2;

/// Starts a token of `kind` in the normaliser's output unless one of that kind is open
/// (a space separates it from earlier output); returns whether it started one.
#[inline(always)]
fn open_token(o: &mut Vec<u8>, info: &mut NormInfo, state: &mut u8, kind: u8) -> bool {
    if *state == kind {
        return false;
    }
    if !o.is_empty() {
        o.push(b' ');
    }
    info.tokens += 1;
    *state = kind;
    true
}

/// A digit run is the single token `0`, however long.
#[inline(always)]
fn open_digits(o: &mut Vec<u8>, info: &mut NormInfo, state: &mut u8) {
    if open_token(o, info, state, DIGITS) {
        o.push(b'0');
        info.digit_tokens += 1;
    }
}

const LANES_01: u64 = 0x0101_0101_0101_0101;
const LANES_20: u64 = 0x2020_2020_2020_2020;
const LANES_7F: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const LANES_80: u64 = 0x8080_8080_8080_8080;

/// A run of bytes that [`normalize_into`] can copy lower-cased as they are.
struct LetterRun {
    /// Bytes in the run (0: none; take the general path for the next char).
    len: usize,
    /// Letters in the run.
    letters: u32,
    /// Tokens the run starts.
    tokens: u32,
    /// Whether a space must go out before the run (it starts a token after earlier output).
    pad: bool,
}

/// The longest prefix of the 8 bytes `w` (little-endian, byte 0 first) that consists of ASCII
/// letters and single spaces and ends in a letter, given the normaliser's `state` before it
/// and whether its output is still empty. Such a prefix normalises to itself lower-cased (a
/// space before a letter is the token separator the general path would write); a prefix
/// that would not (a leading space with nothing written yet) gives an empty run.
///
/// Each byte's test sets the byte's high bit in a lane mask. Bytes from 0x80 up can carry
/// into the next byte's lane, but only lanes after the first non-ASCII byte, which ends the
/// run anyway.
#[inline]
fn letter_run(w: u64, state: u8, out_empty: bool) -> LetterRun {
    let none = LetterRun {
        len: 0,
        letters: 0,
        tokens: 0,
        pad: false,
    };
    let lower = w | LANES_20;
    // Lower-cased letters are 0x61..=0x7a: at least 0x61 and not at least 0x7b.
    let ge_a = lower.wrapping_add(LANES_01 * (0x80 - 0x61));
    let ge_z1 = lower.wrapping_add(LANES_01 * (0x80 - 0x7b));
    let alpha = ge_a & !ge_z1 & !w & LANES_80;
    // Exact zero-byte test of w ^ spaces (no false positives, unlike the borrow trick).
    let x = w ^ LANES_20;
    let space = !(((x & LANES_7F).wrapping_add(LANES_7F)) | x) & LANES_80;
    // A space followed by a space ends the run before the first of them.
    let double = space & (space >> 8);
    let stop = (!(alpha | space) & LANES_80) | double;
    // Lanes before the first stop (bit 8j+7 marks byte j, so this keeps bytes below j).
    let before = match stop.trailing_zeros() {
        64 => u64::MAX,
        t => (1u64 << t) - 1,
    };
    // The run ends at its last letter: a space before a non-letter is just a separator.
    let letters_in = alpha & before;
    if letters_in == 0 {
        return none;
    }
    let last = 63 - letters_in.leading_zeros();
    let len = (last as usize + 1) / 8;
    let spaces = lane_count(space & ((1u64 << last) - 1));
    let first_alpha = alpha & 0x80 != 0;
    if !first_alpha && out_empty {
        return none;
    }
    let pad = first_alpha && state != WORD && !out_empty;
    LetterRun {
        len,
        letters: len as u32 - spaces,
        tokens: spaces + (first_alpha && state != WORD) as u32,
        pad,
    }
}

/// [`letter_run`] over 16 bytes with SSE2: one bit per byte instead of one lane.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::{LetterRun, WORD};
    use std::arch::x86_64::*;

    /// The letter run at the start of `w` and `w` with its ASCII letters lower-cased (the
    /// bytes of the run are what goes out).
    ///
    /// # Safety
    /// Needs SSE2, which every x86-64 CPU has.
    #[inline]
    pub(super) unsafe fn letter_run16(
        w: &[u8; 16],
        state: u8,
        out_empty: bool,
    ) -> (LetterRun, [u8; 16]) {
        let v = _mm_loadu_si128(w.as_ptr().cast());
        let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        // Signed compares: bytes from 0x80 up are negative, so never letters.
        let alpha = _mm_and_si128(
            _mm_cmpgt_epi8(lower, _mm_set1_epi8(0x60)),
            _mm_cmplt_epi8(lower, _mm_set1_epi8(0x7b)),
        );
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x20));
        let alpha = _mm_movemask_epi8(alpha) as u32;
        let space = _mm_movemask_epi8(space) as u32;
        let mut out = [0u8; 16];
        _mm_storeu_si128(out.as_mut_ptr().cast(), lower);
        (run_of(alpha, space, state, out_empty), out)
    }

    /// Set bits of a 16-bit mask by table (`count_ones` is a long bit-trick sequence on
    /// x86-64 without POPCNT).
    #[inline(always)]
    fn popcount16(m: u32) -> u32 {
        static POP8: [u8; 256] = {
            let mut t = [0u8; 256];
            let mut i = 0;
            while i < 256 {
                t[i] = (i as u32).count_ones() as u8;
                i += 1;
            }
            t
        };
        POP8[(m & 0xff) as usize] as u32 + POP8[(m >> 8 & 0xff) as usize] as u32
    }

    /// The run given one bit per byte (bit j for byte j) of letters and of spaces.
    #[inline(always)]
    fn run_of(alpha: u32, space: u32, state: u8, out_empty: bool) -> LetterRun {
        let none = LetterRun {
            len: 0,
            letters: 0,
            tokens: 0,
            pad: false,
        };
        let double = space & (space >> 1);
        let stop = (!(alpha | space) & 0xffff) | double;
        let before = (1u32 << stop.trailing_zeros().min(16)) - 1;
        let letters_in = alpha & before;
        if letters_in == 0 {
            return none;
        }
        let last = 31 - letters_in.leading_zeros();
        let first_alpha = alpha & 1 != 0;
        if !first_alpha && out_empty {
            return none;
        }
        let spaces = popcount16(space & ((1u32 << last) - 1));
        LetterRun {
            len: last as usize + 1,
            letters: last + 1 - spaces,
            tokens: spaces + (first_alpha && state != WORD) as u32,
            pad: first_alpha && state != WORD && !out_empty,
        }
    }
}

/// Number of lanes with the high bit set in a lane mask (`count_ones` is a long bit-trick
/// sequence on x86-64 without POPCNT).
#[inline]
fn lane_count(mask: u64) -> u32 {
    ((mask >> 7).wrapping_mul(LANES_01) >> 56) as u32
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
    let bytes = t.as_bytes();
    // Branch-free counts over all bytes (the compiler vectorises them): chars are the bytes
    // that do not continue a UTF-8 sequence (continuation bytes are 0x80..=0xbf).
    // Byte-wide counters over pieces of at most 255 bytes vectorise 16 bytes a step.
    let (mut chars, mut commas, mut separators) = (0u32, 0u32, 0u32);
    for piece in bytes.chunks(255) {
        let (mut ch, mut co, mut se) = (0u8, 0u8, 0u8);
        for &b in piece {
            ch += ((b as i8) >= -0x40) as u8;
            co += (b == b',' || b == b';') as u8;
            se += (b == b'|' || b == b'>') as u8;
        }
        chars += ch as u32;
        commas += co as u32;
        separators += se as u32;
    }
    s.chars = chars;
    s.commas = commas;
    s.separators = separators;
    if !t.is_ascii() {
        // The other marks start with one of these lead bytes: look only there.
        let marks = |i: usize| match t[i..].chars().next() {
            Some('、' | '，' | '；' | '،') => (1, 0),
            Some('»' | '«' | '·' | '•' | '›' | '‹' | '¦') => (0, 1),
            _ => (0, 0),
        };
        for i in memchr::memchr3_iter(0xc2, 0xe2, 0xef, bytes)
            .chain(memchr::memchr2_iter(0xd8, 0xe3, bytes))
        {
            let (c, sep) = marks(i);
            s.commas += c;
            s.separators += sep;
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
    fn dotted_capital_i_normalises_once_and_for_all() {
        // 'İ' lower-cases to "i\u{307}"; the combining dot must not survive to split "i̇stanbul"
        // when normalised text is normalised again.
        assert_eq!(normalize("İSTANBUL İzmir"), "istanbul izmir");
        assert_eq!(normalize(&normalize("İSTANBUL")), normalize("İSTANBUL"));
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
                out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
            } else if matches!(c, '\'' | '\u{2019}' | '\u{02bc}') && state == 1 {
            } else {
                state = 0;
            }
        }
        out
    }

    /// Checks `normalize` against the reference, and the token and letter counts of
    /// `normalize_into` against its output; returns both.
    fn matches_the_reference_with_counts(s: &str) -> Result<(String, NormInfo), TestCaseError> {
        prop_assert_eq!(normalize(s), reference_normalize(s));
        let mut out = String::new();
        let info = normalize_into(s, &mut out);
        let n = if out.is_empty() {
            0
        } else {
            out.split(' ').count() as u32
        };
        prop_assert_eq!(info.tokens, n);
        let alnum = s.chars().filter(|c| c.is_alphanumeric()).count() as u32;
        prop_assert_eq!(info.alnum_chars, alnum);
        Ok((out, info))
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

        // Runs of 16 and more letters and single spaces, cut at every offset by what ends a
        // run, so the 16-byte path meets each of its cases at each lane.
        #[test]
        fn normalize_wide_runs_match_the_reference(
            s in r"([a-zA-Z]{1,20}( [a-zA-Z]{1,9}){0,4}|[ ,.'’0-9äÄ\x00-\x1f\x7f@\[`{]{1,2}){0,10}"
        ) {
            matches_the_reference_with_counts(&s)?;
        }

        #[test]
        fn normalize_matches_the_reference(s in "(\\PC|[a-z0-9 '’.äöšžŽÖÄ©\u{80}-\u{250}]){0,80}") {
            prop_assert_eq!(normalize(&s), reference_normalize(&s));
        }

        // Mostly ASCII letters and spaces, with the bytes that end a fast-path run (digits,
        // punctuation, double spaces, apostrophes, non-ASCII) mixed in at every offset.
        #[test]
        fn normalize_fast_path_matches_the_reference(
            s in r"([a-zA-Z ]{0,12}|[ ,.'’0-9äÄ\t@\[`{]{0,3}){0,12}"
        ) {
            let (out, info) = matches_the_reference_with_counts(&s)?;
            let digit_tokens = out.split(' ').filter(|t| *t == "0").count() as u32;
            prop_assert_eq!(info.digit_tokens, digit_tokens);
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
