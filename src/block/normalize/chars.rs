//! The normaliser's character table: for each char of the first four Unicode planes (every
//! script crawls carry, typographic punctuation, fullwidth forms, emoji, CJK extensions), its
//! class and single-char lower-case, in one `i32` entry.
//!
//! Entries come from the standard library's tables (`is_numeric`, `is_alphanumeric`,
//! `to_lowercase`), so they follow them exactly whatever the toolchain's Unicode version.
//! They are built 64 chars at a time on first use: building them all would cost more than
//! normalising a few megabytes of text that uses a handful of blocks.

use std::sync::OnceLock;

/// Not a letter, digit or joiner: ends a token.
pub(super) const C_OTHER: i32 = 0;
/// A letter (alphanumeric, not numeric) with a single-char lower-case: offset in the high bits.
pub(super) const C_ALPHA: i32 = 1;
/// A numeric char: part of a digit run.
pub(super) const C_DIGIT: i32 = 2;
/// A typographic apostrophe: joins a word, else ends a token.
pub(super) const C_JOINER: i32 = 3;
/// Anything else (a letter lower-casing to several chars, like 'İ'): the general path.
pub(super) const C_GENERAL: i32 = 4;
/// The entry of a letter that lower-cases to itself (offset 0).
pub(super) const SAME_LETTER: i32 = C_ALPHA;

/// Chars the table covers: U+0000..U+3FFFF (planes 0-3).
const END: u32 = 0x40000;
const SHIFT: u32 = 6;
const BLOCK: usize = 1 << SHIFT;

/// One 64-char block of the table.
struct Block {
    /// Bit k set: char k of the block is a letter that lower-cases to itself
    /// ([`SAME_LETTER`]), the commonest entry in real text, tested without the entry.
    same: u64,
    entries: [i32; BLOCK],
}

/// The table: 64-char blocks, each built on first use, so a process pays only for the
/// blocks its text touches (a few dozen for a crawl in a few scripts).
static BLOCKS: [OnceLock<Block>; (END >> SHIFT) as usize] =
    [const { OnceLock::new() }; (END >> SHIFT) as usize];

/// Block `b` of the table, built on first use.
#[inline(always)]
fn block(b: usize) -> &'static Block {
    BLOCKS[b].get_or_init(|| build_block(b))
}

/// The entry of the scalar value `cp`: class in the low 3 bits, lower-case offset above.
#[inline(always)]
pub(super) fn entry(cp: u32) -> i32 {
    if cp >= END {
        return C_GENERAL;
    }
    block((cp >> SHIFT) as usize).entries[cp as usize & (BLOCK - 1)]
}

/// The same-letter masks ([`Block::same`]) of the two-byte chars led by `lead & !1` (low 64
/// bits) and `lead | 1` (high 64 bits): bit `c & 0x3F` of a half is set when the char with
/// continuation byte `c` is a letter that lower-cases to itself. A pair of lead bytes covers
/// a script's common letters: Cyrillic 0xD0/0xD1, Greek 0xCE/0xCF, Arabic 0xD8/0xD9, accented
/// Latin 0xC2/0xC3. `lead` is from 0xC2 to 0xDF.
#[inline(always)]
pub(super) fn same_letter_pair(lead: u8) -> u128 {
    let b = (lead & 0x1e) as usize;
    (block(b).same as u128) | (block(b | 1).same as u128) << 64
}

/// Whether the char at `i` of valid UTF-8, led by `b0` (from 0xC2 to 0xDF), is a
/// two-byte letter that lower-cases to itself.
#[inline(always)]
pub(super) fn is_same_letter2(bytes: &[u8], i: usize, b0: u8) -> bool {
    block((b0 & 0x1f) as usize).same >> (bytes[i + 1] & 0x3f) & 1 != 0
}

/// The class of an entry.
#[inline(always)]
pub(super) fn class(entry: i32) -> i32 {
    entry & 7
}

/// The lower-case of a `C_ALPHA` char `cp` with entry `entry`.
#[inline(always)]
pub(super) fn lower(cp: u32, entry: i32) -> u32 {
    cp.wrapping_add((entry >> 3) as u32)
}

/// The entry of one char, as the general path would treat it.
pub(super) fn entry_of(c: char) -> i32 {
    if c.is_numeric() {
        return C_DIGIT;
    }
    if c.is_alphanumeric() {
        let mut l = c.to_lowercase();
        return match (l.next(), l.next()) {
            // U+0080..U+024F: the earlier Latin table wrote the lower-case unfiltered; it is
            // a letter there anyway (the exhaustive test checks both).
            (Some(lc), None) if lc.is_alphanumeric() || ('\u{80}'..'\u{250}').contains(&c) => {
                ((lc as i32 - c as i32) << 3) | C_ALPHA
            }
            _ => C_GENERAL,
        };
    }
    if super::is_word_joiner(c) {
        C_JOINER
    } else {
        C_OTHER
    }
}

/// The entries of block `b` (chars `b * 64..b * 64 + 64`).
#[cold]
#[inline(never)]
fn build_block(b: usize) -> Block {
    let mut block = Block {
        same: 0,
        entries: [C_GENERAL; BLOCK],
    };
    for (k, e) in block.entries.iter_mut().enumerate() {
        // Surrogates are not chars and never occur in a `str`.
        if let Some(c) = char::from_u32((b * BLOCK + k) as u32) {
            *e = entry_of(c);
            block.same |= ((*e == SAME_LETTER) as u64) << k;
        }
    }
    block
}

/// Decodes the non-ASCII char at `i` of valid UTF-8: its scalar value and length in bytes.
#[inline(always)]
pub(super) fn decode(bytes: &[u8], i: usize) -> (u32, usize) {
    let b0 = bytes[i] as u32;
    let cont = |k: usize| bytes[i + k] as u32 & 0x3f;
    if b0 < 0xe0 {
        (((b0 & 0x1f) << 6) | cont(1), 2)
    } else if b0 < 0xf0 {
        (((b0 & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    }
}
