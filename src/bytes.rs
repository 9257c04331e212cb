//! Byte-scanning kernels shared by the stages: the next line end, word boundary or escape
//! (inline SSE2, part of the x86-64 baseline, with a plain loop elsewhere), the next control
//! byte of a JSON string, a block's char and mark counts, its words that open with capitals;
//! and the small helpers of the SIMD
//! paths (set bits by table, short copies). They are tested against the obvious iterator
//! expressions.

/// The position of the first `needle` in `hay`. Inline SSE2, 16 bytes a step: lines, words
/// and escapes are a few dozen bytes apart, where a call to `memchr` costs more than the scan.
#[inline]
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        while let Some(w) = hay.get(i..i + 16) {
            // SAFETY: SSE2 is part of the x86-64 baseline; the load is unaligned and in bounds.
            let m = unsafe {
                let v = _mm_loadu_si128(w.as_ptr().cast());
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(needle as i8))) as u32
            };
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    hay[i..].iter().position(|&c| c == needle).map(|p| i + p)
}

/// Position of the first byte below 0x20, testing 32 bytes at a time (a branch-free fold the
/// compiler vectorises) before looking for it byte by byte.
pub(crate) fn first_control(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    for c in b.chunks(32) {
        if c.iter().fold(false, |any, &x| any | (x < 0x20)) {
            return c.iter().position(|&x| x < 0x20).map(|i| at + i);
        }
        at += c.len();
    }
    None
}

/// Set bits of each 8-bit mask (`count_ones` is a long bit-trick sequence on x86-64 without
/// POPCNT, which the baseline lacks).
pub(crate) static POP8: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u32).count_ones() as u8;
        i += 1;
    }
    t
};

/// Set bits of a 16-bit mask, by table.
#[inline(always)]
pub(crate) fn popcount16(m: u32) -> u32 {
    POP8[(m & 0xff) as usize] as u32 + POP8[(m >> 8 & 0xff) as usize] as u32
}

/// Copies `src` (fewer than 16 bytes) to the start of `dst` with a few overlapping word
/// copies instead of a call to `memcpy`.
#[inline(always)]
pub(crate) fn copy_short(src: &[u8], dst: &mut [u8; 16]) {
    let n = src.len();
    if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..]);
    } else {
        for (d, &b) in dst.iter_mut().zip(src) {
            *d = b;
        }
    }
}

/// Calls `step` on each 16 bytes of `b` with a mask of those that are `b`'s: all of them but
/// in the last step, whose bytes past `b`'s end are zeros (blocks are a few dozen bytes, where
/// a vectorised loop would spend most of its time in a scalar remainder).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn steps16(b: &[u8], mut step: impl FnMut(&[u8; 16], u32)) {
    let mut chunks = b.chunks_exact(16);
    for w in &mut chunks {
        step(w.try_into().expect("16 bytes"), 0xffff);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut pad = [0u8; 16];
        copy_short(rest, &mut pad);
        step(&pad, (1 << rest.len()) - 1);
    }
}

/// Counts of a block's bytes for its shape: chars (bytes that do not continue a UTF-8
/// sequence), ASCII commas and semicolons, ASCII separators (`|` `>`), and whether any byte
/// is beyond ASCII.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ByteCounts {
    pub(crate) chars: u32,
    pub(crate) commas: u32,
    pub(crate) separators: u32,
    pub(crate) non_ascii: bool,
}

/// Each byte's predecessor in `v`, and the one before it, the first bytes' taken from the
/// step before (`prev`): marks beyond ASCII are found by their last byte and those before it.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn predecessors(
    v: std::arch::x86_64::__m128i,
    prev: std::arch::x86_64::__m128i,
) -> (std::arch::x86_64::__m128i, std::arch::x86_64::__m128i) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86-64 baseline.
    unsafe {
        (
            _mm_or_si128(_mm_slli_si128(v, 1), _mm_srli_si128(prev, 15)),
            _mm_or_si128(_mm_slli_si128(v, 2), _mm_srli_si128(prev, 14)),
        )
    }
}

/// [`ByteCounts`] of `b`: 16 bytes a step with SSE2, the tail padded ([`steps16`]).
#[inline]
pub(crate) fn byte_counts(b: &[u8]) -> ByteCounts {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let (mut chars, mut commas, mut separators, mut high) = (0, 0, 0, 0);
        let step = |w: &[u8; 16], valid: u32| {
            // SAFETY: SSE2 is part of the x86-64 baseline; the load is unaligned and in bounds.
            unsafe {
                let v = _mm_loadu_si128(w.as_ptr().cast());
                let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                // Signed: continuation bytes 0x80..=0xBF are -0x80..=-0x41.
                let starts = _mm_cmpgt_epi8(v, _mm_set1_epi8(-0x41));
                chars += popcount16(_mm_movemask_epi8(starts) as u32 & valid);
                commas +=
                    popcount16(_mm_movemask_epi8(_mm_or_si128(eq(b','), eq(b';'))) as u32 & valid);
                separators +=
                    popcount16(_mm_movemask_epi8(_mm_or_si128(eq(b'|'), eq(b'>'))) as u32 & valid);
                high |= _mm_movemask_epi8(v) as u32 & valid;
            }
        };
        steps16(b, step);
        ByteCounts {
            chars,
            commas,
            separators,
            non_ascii: high != 0,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        // Byte-wide counters over pieces of at most 255 bytes vectorise 16 bytes a step.
        let mut c = ByteCounts::default();
        for piece in b.chunks(255) {
            let (mut ch, mut co, mut se, mut hi) = (0u8, 0u8, 0u8, 0u8);
            for &x in piece {
                ch += ((x as i8) >= -0x40) as u8;
                co += (x == b',' || x == b';') as u8;
                se += (x == b'|' || x == b'>') as u8;
                hi |= x;
            }
            c.chars += ch as u32;
            c.commas += co as u32;
            c.separators += se as u32;
            c.non_ascii |= hi >= 0x80;
        }
        c
    }
}

/// Counts of the commas (`、` `，` `；` `،`) and separators (`»` `«` `·` `•` `›` `‹` `¦`) beyond
/// ASCII in `text`: each is found by its last byte and the one or two before it,
/// 16 bytes a step with SSE2, the bytes before a step carried from the step before.
#[inline]
pub(crate) fn mark_counts(text: &str) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let (mut commas, mut separators) = (0, 0);
        // SAFETY (all intrinsics here): SSE2 is part of the x86-64 baseline.
        let mut prev = unsafe { _mm_setzero_si128() };
        let mut step = |w: &[u8; 16]| unsafe {
            let v = _mm_loadu_si128(w.as_ptr().cast());
            let (p1, p2) = predecessors(v, prev);
            prev = v;
            let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
            let or = _mm_or_si128;
            let and = _mm_and_si128;
            let e280 = and(eq(p2, 0xe2), eq(p1, 0x80));
            let efbc = and(eq(p2, 0xef), eq(p1, 0xbc));
            let comma = or(
                or(
                    and(and(eq(p2, 0xe3), eq(p1, 0x80)), eq(v, 0x81)),
                    and(efbc, or(eq(v, 0x8c), eq(v, 0x9b))),
                ),
                and(eq(p1, 0xd8), eq(v, 0x8c)),
            );
            let sep = or(
                and(
                    eq(p1, 0xc2),
                    or(or(eq(v, 0xbb), eq(v, 0xab)), or(eq(v, 0xb7), eq(v, 0xa6))),
                ),
                and(e280, or(or(eq(v, 0xa2), eq(v, 0xba)), eq(v, 0xb9))),
            );
            commas += popcount16(_mm_movemask_epi8(comma) as u32);
            separators += popcount16(_mm_movemask_epi8(sep) as u32);
        };
        // The zero padding needs no mask: no mark ends in a zero byte.
        steps16(text.as_bytes(), |w, _| step(w));
        (commas, separators)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut commas, mut separators) = (0, 0);
        for c in text.chars() {
            match c {
                '、' | '，' | '；' | '،' => commas += 1,
                '»' | '«' | '·' | '•' | '›' | '‹' | '¦' => separators += 1,
                _ => {}
            }
        }
        (commas, separators)
    }
}

/// Words of `text` (parted by whitespace, as [`str::split_whitespace`] parts them) that open
/// with a letter, and those of them that open with a capital; `None` if `text` holds a tab.
///
/// 16 bytes a step with SSE2: a word opens at a char that is not whitespace after one that
/// is. Whitespace beyond ASCII (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
/// U+202F, U+205F, U+3000) is found by its last byte and the one or two before it, carried
/// across steps; only a char beyond ASCII that opens a word is decoded, to ask whether it is
/// a letter and a capital.
#[inline]
pub(crate) fn word_caps(text: &str) -> Option<(u32, u32)> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let b = text.as_bytes();
        let (mut words, mut caps) = (0, 0);
        // Whether the char before the step's first byte is whitespace.
        let mut carry = 1;
        let mut tabs = 0;
        let mut at = 0;
        // SAFETY (all intrinsics here): SSE2 is part of the x86-64 baseline.
        let mut prev = unsafe { _mm_setzero_si128() };
        steps16(b, |w, valid| {
            let (ws_end, ascii_space, high, lead, tab, alpha, upper) = unsafe {
                let v = _mm_loadu_si128(w.as_ptr().cast());
                let (p1, p2) = predecessors(v, prev);
                prev = v;
                let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
                // Unsigned `v - lo <= n`, by `min`.
                let within = |lo: u8, n: u8| {
                    let d = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
                    _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(n as i8)), d)
                };
                let (or, and) = (_mm_or_si128, _mm_and_si128);
                let ascii_space = or(eq(v, b' '), within(b'\t', b'\r' - b'\t'));
                let e2 = eq(p2, 0xe2);
                let wide_space = or(
                    or(
                        and(eq(p1, 0xc2), or(eq(v, 0x85), eq(v, 0xa0))),
                        and(and(eq(p2, 0xe1), eq(p1, 0x9a)), eq(v, 0x80)),
                    ),
                    or(
                        and(
                            and(e2, eq(p1, 0x80)),
                            or(
                                or(within(0x80, 0x0a), eq(v, 0xaf)),
                                or(eq(v, 0xa8), eq(v, 0xa9)),
                            ),
                        ),
                        or(
                            and(and(e2, eq(p1, 0x81)), eq(v, 0x9f)),
                            and(and(eq(p2, 0xe3), eq(p1, 0x80)), eq(v, 0x80)),
                        ),
                    ),
                );
                let upper = within(b'A', 25);
                let mask = |x: __m128i| _mm_movemask_epi8(x) as u32;
                (
                    mask(or(ascii_space, wide_space)),
                    mask(ascii_space),
                    mask(v),
                    // Signed: lead bytes 0xC0.. are -0x40..
                    mask(_mm_cmpgt_epi8(v, _mm_set1_epi8(-0x41))),
                    mask(eq(v, b'\t')),
                    mask(or(upper, within(b'a', 25))),
                    mask(upper),
                )
            };
            let after = ws_end << 1 | carry;
            carry = ws_end >> 15 & 1;
            tabs |= tab & valid;
            let opens = !high & !ascii_space & after & valid;
            words += popcount16(opens & alpha);
            caps += popcount16(opens & upper);
            let mut wide = high & lead & after & valid;
            while wide != 0 {
                let j = at + wide.trailing_zeros() as usize;
                wide &= wide - 1;
                let c = text[j..].chars().next().expect("a char starts here");
                // A whitespace char is no letter: it opens nothing.
                if c.is_alphabetic() {
                    words += 1;
                    caps += c.is_uppercase() as u32;
                }
            }
            at += 16;
        });
        (tabs == 0).then_some((words, caps))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut words, mut caps) = (0, 0);
        let mut after_space = true;
        for c in text.chars() {
            if c == '\t' {
                return None;
            }
            if after_space && c.is_alphabetic() {
                words += 1;
                caps += c.is_uppercase() as u32;
            }
            after_space = c.is_whitespace();
        }
        Some((words, caps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`word_caps`] by the obvious iterators.
    fn word_caps_by_split(s: &str) -> Option<(u32, u32)> {
        if s.contains('\t') {
            return None;
        }
        let (mut words, mut caps) = (0, 0);
        for w in s.split_whitespace() {
            if let Some(c) = w.chars().next().filter(|c| c.is_alphabetic()) {
                words += 1;
                caps += c.is_uppercase() as u32;
            }
        }
        Some((words, caps))
    }

    #[test]
    fn word_caps_counts_words_that_open_with_letters_and_capitals() {
        assert_eq!(
            word_caps("Top Stories and more 10 Ways Éclair"),
            Some((6, 4))
        );
        assert_eq!(word_caps("  one\u{a0}Two\u{3000}three  "), Some((3, 1)));
        assert_eq!(word_caps("a\tb"), None);
        assert_eq!(word_caps(""), Some((0, 0)));
    }

    proptest::proptest! {
        #[test]
        fn find_byte_finds_what_position_finds(s in proptest::collection::vec(0u8..4, 0..70), n in 0u8..4) {
            proptest::prop_assert_eq!(find_byte(&s, n), s.iter().position(|&c| c == n));
        }

        // Marks at every offset of the 16-byte steps (their last bytes on both sides of a
        // step boundary), among chars that share their lead and middle bytes.
        #[test]
        fn mark_counts_count_what_iterators_count(
            s in "([a-z ]{0,5}|[、，；،»«·•›‹¦]|[。｡．—–…“”€ÿ¼ÂĀɐ܌ﻼ؋ؘ٬]){0,60}"
        ) {
            let mut want = (0, 0);
            for c in s.chars() {
                match c {
                    '、' | '，' | '；' | '،' => want.0 += 1,
                    '»' | '«' | '·' | '•' | '›' | '‹' | '¦' => want.1 += 1,
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(mark_counts(&s), want);
        }

        #[test]
        fn byte_counts_count_what_iterators_count(s in "(\\PC|[,;|>a ]){0,70}") {
            let b = s.as_bytes();
            let want = ByteCounts {
                chars: s.chars().count() as u32,
                commas: b.iter().filter(|&&c| c == b',' || c == b';').count() as u32,
                separators: b.iter().filter(|&&c| c == b'|' || c == b'>').count() as u32,
                non_ascii: !s.is_ascii(),
            };
            proptest::prop_assert_eq!(byte_counts(b), want);
        }

        // Words and spaces of both kinds at every offset of the 16-byte steps, in steps of
        // ASCII and steps with chars beyond it.
        #[test]
        fn word_caps_counts_what_split_whitespace_counts(
            pieces in proptest::collection::vec(
                r"[A-Za-z0-9]{1,7}|[ \t\n\r\x0b\x0c]|[\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}]|[ÉéÀàŁłΣσДдİıǅⅠⒶ𐐀𝐀]|\PC|[!-/:-@]",
                0..80,
            )
        ) {
            let s: String = pieces.concat();
            proptest::prop_assert_eq!(word_caps(&s), word_caps_by_split(&s), "{:?}", s);
        }

        #[test]
        fn first_control_finds_what_position_finds(s in proptest::collection::vec(0x1eu8..0x22, 0..100)) {
            proptest::prop_assert_eq!(first_control(&s), s.iter().position(|&c| c < 0x20));
        }
    }
}
