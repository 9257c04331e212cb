//! The normaliser: a block's text to its hashable form (see the [`super`] module doc).
//!
//! ASCII goes 16 bytes at a time: with SSSE3 (nearly every x86-64 CPU; checked at run time)
//! whatever the bytes hold, letters, punctuation and digits alike, and with them the two-byte
//! letters that lower-case to themselves (lower-case Cyrillic, Greek, accented Latin; Arabic,
//! Hebrew) of one pair of lead bytes ([`ssse3`]); without it, runs of letters and single
//! spaces with SSE2 or eight-byte words, the other bytes one by one. Other chars are classed
//! by a table over the first four Unicode planes built from the standard library's tables
//! ([`chars`]), so that real text (typographic punctuation, accented Latin, other scripts)
//! never calls the general Unicode lookups per character; the few chars the table cannot say
//! in one entry (beyond its planes, or lower-casing to several chars) take the general path.
//! Both paths give the same bytes (tests check them against each other and against the
//! earlier normaliser).

use xxhash_rust::xxh3::xxh3_64;

mod chars;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

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
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3.
        return unsafe { ssse3::normalize_into(text, out) };
    }
    normalize_by_runs(text, out)
}

/// [`normalize_into`] without SSSE3: runs of ASCII letters and single spaces at once, the
/// other ASCII bytes one by one.
fn normalize_by_runs(text: &str, out: &mut String) -> NormInfo {
    let mut n = Normalizer::new(out, text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Runs of ASCII letters and single spaces, 16 or 8 bytes at a time.
        let run = n.ascii_run(bytes, i);
        if run > 0 {
            i += run;
            continue;
        }
        let b = bytes[i];
        if b < 0x80 {
            n.ascii_byte(b);
            i += 1;
        } else {
            i = n.non_ascii::<false>(text, i);
        }
    }
    n.info
}

/// The normaliser's running state over one block.
struct Normalizer<'a> {
    info: NormInfo,
    /// 0 = at a boundary, WORD = inside a word, DIGITS = inside a digit run.
    state: u8,
    o: &'a mut Vec<u8>,
}

impl<'a> Normalizer<'a> {
    /// A normaliser writing to `out`, cleared, with room for `room` bytes.
    #[inline(always)]
    fn new(out: &'a mut String, room: usize) -> Normalizer<'a> {
        out.clear();
        // SAFETY: only ASCII bytes and whole UTF-8 encodings of chars are pushed, so `out`
        // stays valid UTF-8.
        let o = unsafe { out.as_mut_vec() };
        o.reserve(room);
        Normalizer {
            info: NormInfo::default(),
            state: 0,
            o,
        }
    }

    /// Takes the run of ASCII letters and single spaces at `i` (see [`letter_run`]): up to 16
    /// bytes at once, 8 near the end; returns its length (0: none, take the char path).
    #[inline(always)]
    fn ascii_run(&mut self, bytes: &[u8], i: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        if let Some(w) = bytes.get(i..i + 16) {
            let w: &[u8; 16] = w.try_into().expect("16 bytes");
            // SAFETY: SSE2 is part of the x86-64 baseline.
            let (run, lower) = unsafe { sse2::letter_run16(w, self.state, self.o.is_empty()) };
            if run.len > 0 {
                let o = &mut *self.o;
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
                return self.took(&run);
            }
            // No 16-byte run means no 8-byte run either: only the tail needs the narrow one.
            return 0;
        }
        if let Some(w) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            let run = letter_run(w, self.state, self.o.is_empty());
            if run.len > 0 {
                if run.pad {
                    self.o.push(b' ');
                }
                // Letters lower-case by setting bit 5, which a space already has.
                self.o.extend_from_slice(&(w | LANES_20).to_le_bytes());
                self.o.truncate(self.o.len() - (8 - run.len));
                return self.took(&run);
            }
        }
        0
    }

    /// Counts a letter run that went out; returns its length.
    #[inline(always)]
    fn took(&mut self, run: &LetterRun) -> usize {
        self.info.tokens += run.tokens;
        self.info.alnum_chars += run.letters;
        self.state = WORD;
        run.len
    }

    /// One ASCII byte outside a letter run.
    #[inline(always)]
    fn ascii_byte(&mut self, b: u8) {
        match ASCII_CLASS[b as usize] {
            C_DIGIT => self.digit(),
            C_ALPHA => {
                self.open(WORD);
                self.info.alnum_chars += 1;
                self.o.push(b.to_ascii_lowercase());
            }
            // An apostrophe inside a word joins it ("don't"), as its typographic forms do.
            C_APOS if self.state == WORD => {}
            _ => self.state = 0,
        }
    }

    /// The non-ASCII chars from `i` up to the next ASCII byte or the end, classed by the
    /// char table; returns where they end. Runs of letters that lower-case to themselves
    /// (most of any script without case, and lower-case text of the others) go out whole.
    #[inline(always)]
    fn non_ascii<const YIELD_TWO_BYTE: bool>(&mut self, text: &str, mut i: usize) -> usize {
        let bytes = text.as_bytes();
        let start = i;
        // Start of the pending run of letters that lower-case to themselves, and their count.
        let mut same_from = i;
        let mut same = 0;
        while let Some(&b) = bytes.get(i) {
            if b < 0x80 {
                // A space between two words of a script beyond ASCII ends the token, as
                // `ascii_byte` would, without a trip through the ASCII paths.
                if b == b' ' && bytes.get(i + 1).is_some_and(|&c| c >= 0x80) {
                    self.flush_same(&bytes[same_from..i], same);
                    same = 0;
                    self.state = 0;
                    i += 1;
                    same_from = i;
                    continue;
                }
                break;
            }
            // The SIMD window takes runs of two-byte letters that lower-case to themselves,
            // together with the ASCII around them: hand them back to it.
            if YIELD_TWO_BYTE && b < 0xe0 && i > start && chars::is_same_letter2(bytes, i, b) {
                break;
            }
            let (cp, len) = chars::decode(bytes, i);
            let e = chars::entry(cp);
            if e == chars::SAME_LETTER {
                same += 1;
                i += len;
                continue;
            }
            self.flush_same(&bytes[same_from..i], same);
            same = 0;
            match chars::class(e) {
                chars::C_ALPHA => {
                    self.open(WORD);
                    self.info.alnum_chars += 1;
                    push_utf8(self.o, chars::lower(cp, e));
                }
                chars::C_DIGIT => self.digit(),
                chars::C_JOINER if self.state == WORD => {}
                chars::C_OTHER | chars::C_JOINER => self.state = 0,
                _ => self.general(text[i..].chars().next().expect("i is on a char boundary")),
            }
            i += len;
            same_from = i;
        }
        self.flush_same(&bytes[same_from..i], same);
        i
    }

    /// Writes a run of `count` letters that lower-case to themselves (its UTF-8 `bytes`).
    #[inline(always)]
    fn flush_same(&mut self, bytes: &[u8], count: u32) {
        if count > 0 {
            self.open(WORD);
            self.info.alnum_chars += count;
            self.o.extend_from_slice(bytes);
        }
    }

    /// A char the table leaves to the general Unicode tables (beyond its planes, or a letter
    /// that lower-cases to several chars).
    #[cold]
    fn general(&mut self, c: char) {
        if c.is_numeric() {
            self.digit();
        } else if c.is_alphanumeric() {
            self.info.alnum_chars += 1;
            self.open(WORD);
            let mut enc = [0u8; 4];
            // 'İ' lower-cases to 'i' and a combining dot, which is not a letter: kept, it
            // would split the word when the output is normalised again.
            for l in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                self.o.extend_from_slice(l.encode_utf8(&mut enc).as_bytes());
            }
        } else if is_word_joiner(c) && self.state == WORD {
        } else {
            self.state = 0;
        }
    }

    /// Starts a token of `kind` unless one is open.
    #[inline(always)]
    fn open(&mut self, kind: u8) -> bool {
        open_token(self.o, &mut self.info, &mut self.state, kind)
    }

    /// A numeric char: a digit run is the single token `0`, however long.
    #[inline(always)]
    fn digit(&mut self) {
        self.info.alnum_chars += 1;
        open_digits(self.o, &mut self.info, &mut self.state);
    }
}

/// Appends the UTF-8 encoding of the scalar value `cp`.
#[inline(always)]
fn push_utf8(o: &mut Vec<u8>, cp: u32) {
    if cp < 0x80 {
        o.push(cp as u8);
    } else if cp < 0x800 {
        o.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]);
    } else if cp < 0x10000 {
        o.extend_from_slice(&[
            0xe0 | (cp >> 12) as u8,
            0x80 | (cp >> 6 & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    } else {
        o.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | (cp >> 12 & 0x3f) as u8,
            0x80 | (cp >> 6 & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    }
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
    use crate::bytes::popcount16;
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

/// The normaliser with SSSE3: ASCII 16 bytes at a time, whatever they hold.
///
/// Bit masks of a window's classes (letters, digits, apostrophes, the rest) say which bytes
/// open a token, which go out, and which separator becomes the space before a token; the
/// bytes that go out are packed with two byte shuffles and stored, so that punctuation and
/// digits cost no more than letters. A window the masks cannot say in one go (two apostrophes
/// in a row, a letter against a digit) goes byte by byte; chars beyond ASCII take the char
/// table's path, as they do without SSSE3.
#[cfg(target_arch = "x86_64")]
mod ssse3 {
    use super::{chars, NormInfo, Normalizer, DIGITS, WORD};
    use crate::bytes::{copy_short, popcount16, POP8};
    use std::arch::x86_64::*;

    /// [`super::normalize_into`].
    ///
    /// # Safety
    /// Needs SSSE3.
    #[target_feature(enable = "ssse3")]
    pub(super) unsafe fn normalize_into(text: &str, out: &mut String) -> NormInfo {
        let mut n = Normalizer::new(out, text.len() + 32);
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // SAFETY: the caller's CPU has SSSE3.
            let took = unsafe { window(&mut n, bytes, i) };
            if took > 0 {
                i += took;
            } else {
                i = n.non_ascii::<true>(text, i);
            }
        }
        n.info
    }

    /// For each 8-bit mask, the positions of its set bits in order, as byte shuffle indices,
    /// the rest 0x80 (a zero byte).
    static PACK: [u64; 256] = {
        let mut t = [0u64; 256];
        let mut m = 0;
        while m < 256 {
            let mut idx = [0x80u8; 8];
            let (mut j, mut k) = (0, 0);
            while j < 8 {
                if m >> j & 1 != 0 {
                    idx[k] = j as u8;
                    k += 1;
                }
                j += 1;
            }
            t[m] = u64::from_le_bytes(idx);
            m += 1;
        }
        t
    };

    /// The two-byte letters in `v` that lower-case to themselves and whose lead byte is
    /// `lead` or `lead ^ 1`: a mask of their bytes, of their continuation bytes, and their
    /// bytes as a vector mask (0xFF). `lead` leads a two-byte char (0xC2..=0xDF).
    ///
    /// # Safety
    /// Needs SSSE3.
    #[inline(always)]
    unsafe fn two_byte_letters(v: __m128i, lead: u8) -> (u32, u32, __m128i) {
        let table = chars::same_letter_pair(lead);
        let table = _mm_set_epi64x((table >> 64) as i64, table as i64);
        let prev = _mm_slli_si128(v, 1);
        // The byte before is a lead byte of the pair (then this one continues its char).
        let led = _mm_cmpeq_epi8(
            _mm_and_si128(prev, _mm_set1_epi8(0xfe_u8 as i8)),
            _mm_set1_epi8((lead & 0xfe) as i8),
        );
        // The mask byte (the lead's low bit picks the half, bits 3-5 of the continuation byte
        // the byte in it), and the bit in that byte (bits 0-2).
        let idx = _mm_or_si128(
            _mm_slli_epi16(_mm_and_si128(prev, _mm_set1_epi8(1)), 3),
            _mm_and_si128(_mm_srli_epi16(v, 3), _mm_set1_epi8(7)),
        );
        let bit = _mm_shuffle_epi8(
            _mm_set_epi8(-128, 64, 32, 16, 8, 4, 2, 1, -128, 64, 32, 16, 8, 4, 2, 1),
            _mm_and_si128(v, _mm_set1_epi8(7)),
        );
        let same = _mm_cmpeq_epi8(_mm_and_si128(_mm_shuffle_epi8(table, idx), bit), bit);
        let cont_v = _mm_and_si128(led, same);
        let cont = _mm_movemask_epi8(cont_v) as u32;
        let bytes_v = _mm_or_si128(cont_v, _mm_srli_si128(cont_v, 1));
        (cont | cont >> 1, cont, bytes_v)
    }

    /// Takes the bytes at `i`, up to 16 and up to the first char that is neither ASCII nor a
    /// two-byte letter that lower-cases to itself with the lead-byte pair of the window's
    /// first such char; returns how many (0: the char at `i` is neither).
    ///
    /// # Safety
    /// Needs SSSE3.
    #[inline(always)]
    unsafe fn window(n: &mut Normalizer, bytes: &[u8], i: usize) -> usize {
        let mut pad = [b' '; 16];
        let w: &[u8; 16] = match bytes.get(i..i + 16) {
            Some(w) => w.try_into().expect("16 bytes"),
            None => {
                // The tail, padded with spaces, which lie past `lim` and are ignored.
                copy_short(&bytes[i..], &mut pad);
                &pad
            }
        };
        let avail = (bytes.len() - i).min(16);
        let v = _mm_loadu_si128(w.as_ptr().cast());
        let non_ascii = _mm_movemask_epi8(v) as u32;
        // Bytes of two-byte letters that lower-case to themselves (all of one lead-byte pair)
        // go out as they are, like lower-case ASCII letters; any other char beyond ASCII ends
        // the window. A window of ASCII or led by another char takes the path without them.
        if non_ascii != 0 {
            let lead = w[non_ascii.trailing_zeros() as usize];
            if (0xc2..0xe0).contains(&lead) {
                return take::<true>(n, w, v, avail, non_ascii, lead);
            }
        }
        take::<false>(n, w, v, avail, non_ascii, 0)
    }

    /// [`window`]'s work on the window `w` (as a vector `v`; `avail` of its bytes are the
    /// block's), with or without (`TWO_BYTE`) the two-byte letters of `lead`'s pair.
    ///
    /// # Safety
    /// Needs SSSE3.
    #[inline(always)]
    unsafe fn take<const TWO_BYTE: bool>(
        n: &mut Normalizer,
        w: &[u8; 16],
        v: __m128i,
        avail: usize,
        non_ascii: u32,
        lead: u8,
    ) -> usize {
        let (two_byte, two_byte_cont, two_byte_v) = if TWO_BYTE {
            two_byte_letters(v, lead)
        } else {
            (0, 0, _mm_setzero_si128())
        };
        let lim = ((non_ascii & !two_byte) | 1 << avail).trailing_zeros() as usize;
        if lim == 0 {
            return 0;
        }
        let valid = (1u32 << lim) - 1;
        let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        // Signed compares: bytes from 0x80 up are negative, so neither letters nor digits.
        let alpha_v = _mm_and_si128(
            _mm_cmpgt_epi8(lower, _mm_set1_epi8(0x60)),
            _mm_cmplt_epi8(lower, _mm_set1_epi8(0x7b)),
        );
        let digit_v = _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(0x2f)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(0x3a)),
        );
        let two_byte = two_byte & valid;
        let l = (_mm_movemask_epi8(alpha_v) as u32 | two_byte) & valid;
        let d = _mm_movemask_epi8(digit_v) as u32 & valid;
        let a = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\'' as i8))) as u32 & valid;
        let prev_l = (n.state == WORD) as u32;
        let prev_d = (n.state == DIGITS) as u32;
        // An apostrophe right after a letter joins the word ("don't"), as in `ascii_byte`.
        let a_skip = a & (l << 1 | prev_l);
        let word = l | a_skip;
        let first_digits = d & !(d << 1 | prev_d);
        let starts = (l & !(word << 1 | prev_l)) | first_digits;
        let kept = l | first_digits;
        // Every token but the line's first needs a space before it: the byte before it
        // becomes that space, unless that byte goes out itself (a letter against a digit).
        let spaced = if n.o.is_empty() {
            starts & starts.wrapping_sub(1)
        } else {
            starts
        };
        // A run of apostrophes would need the state carried from one to the next.
        if a & (a << 1) != 0 || (spaced >> 1) & kept != 0 {
            // Byte by byte up to the first char beyond ASCII, which the char path takes.
            let lim = lim.min(non_ascii.trailing_zeros() as usize);
            for &b in &w[..lim] {
                n.ascii_byte(b);
            }
            return lim;
        }
        let keep = kept | (spaced >> 1);
        // Letters lower-cased, digits `0`, everything else a space.
        let mut out = _mm_or_si128(
            _mm_or_si128(
                _mm_and_si128(alpha_v, lower),
                _mm_and_si128(digit_v, _mm_set1_epi8(b'0' as i8)),
            ),
            _mm_andnot_si128(_mm_or_si128(alpha_v, digit_v), _mm_set1_epi8(b' ' as i8)),
        );
        if TWO_BYTE && two_byte != 0 {
            out = _mm_or_si128(
                _mm_andnot_si128(two_byte_v, out),
                _mm_and_si128(two_byte_v, v),
            );
        }
        let digit_spaces = (spaced >> 1) & d;
        if digit_spaces != 0 {
            // The last digit of a longer run before a letter ("00a") becomes the space.
            let mut bytes = [0u8; 16];
            _mm_storeu_si128(bytes.as_mut_ptr().cast(), out);
            let mut m = digit_spaces;
            while m != 0 {
                bytes[m.trailing_zeros() as usize] = b' ';
                m &= m - 1;
            }
            out = _mm_loadu_si128(bytes.as_ptr().cast());
        }
        let lo = PACK[(keep & 0xff) as usize];
        // The high half's indices are 8 more; 0x80 stays a zero byte (0x88).
        let hi = PACK[(keep >> 8) as usize].wrapping_add(0x0808_0808_0808_0808);
        let packed_lo = _mm_shuffle_epi8(out, _mm_set_epi64x(-1, lo as i64));
        let packed_hi = _mm_shuffle_epi8(out, _mm_set_epi64x(-1, hi as i64));
        let o = &mut *n.o;
        o.reserve(34);
        let mut at = o.len();
        // SAFETY: 34 bytes of spare capacity: a pad byte, then two 16-byte stores, the second
        // at most 8 bytes after the first; the length keeps only the packed bytes, all ASCII.
        unsafe {
            let dst = o.as_mut_ptr();
            if spaced & 1 != 0 {
                *dst.add(at) = b' ';
                at += 1;
            }
            _mm_storeu_si128(dst.add(at).cast(), packed_lo);
            at += POP8[(keep & 0xff) as usize] as usize;
            _mm_storeu_si128(dst.add(at).cast(), packed_hi);
            at += POP8[(keep >> 8) as usize] as usize;
            o.set_len(at);
        }
        n.info.tokens += popcount16(starts);
        n.info.digit_tokens += popcount16(first_digits);
        // A two-byte letter is one char: its continuation byte does not count.
        n.info.alnum_chars += popcount16(l | d);
        if TWO_BYTE {
            n.info.alnum_chars -= popcount16(two_byte_cont & valid);
        }
        let last = 1u32 << (lim - 1);
        n.state = if word & last != 0 {
            WORD
        } else if d & last != 0 {
            DIGITS
        } else {
            0
        };
        lim
    }
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

/// Normalises a block into a fresh `String`. Convenience for tests; hot loops call
/// [`normalize_into`] with a reused buffer.
#[cfg(test)]
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

/// Hashes a raw block: normalise, then xxh3. Allocates; for tests.
#[cfg(test)]
pub fn block_hash(text: &str) -> u64 {
    hash_normalized(&normalize(text))
}
