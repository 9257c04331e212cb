//! A page's block features packed small for [`super::FeatureStore`].
//!
//! A [`BlockFeatures`] is 88 bytes in memory, most of them small numbers in wide fields and
//! ranges that follow from the blocks before it; packed, a block takes 29 bytes, 45 with
//! its prefix and suffix hashes. Kept for a whole crawl, the difference is a quarter of the
//! store, and the memory a store is written to costs more to bring in than the packing and
//! unpacking together.
//!
//! Layout of a block: a flags byte (sentence end, prefix present, suffix present, wide),
//! the block hash (8 bytes), then ten figures — the gap from the previous block's end to
//! its start, its length, its token, digit-token and alphanumeric counts, its char, comma
//! and separator counts, its number of token hashes and its normalised length — each in 2
//! bytes, or in 4 when one of them does not fit 2 (the wide flag); then the prefix and suffix
//! hashes (8 bytes each) when present. All little-endian. Fixed widths rather than varints:
//! unpacking is a handful of loads a block, not a loop a figure.

use crate::block::{NormInfo, Shape};
use crate::shingle::BlockFeatures;

const SENTENCE_END: u8 = 1;
const PREFIX: u8 = 2;
const SUFFIX: u8 = 4;
const WIDE: u8 = 8;

/// Figures a block carries besides its hashes.
const FIGURES: usize = 10;
/// Bytes of a block's flags, hash and figures of 2 bytes.
const NARROW: usize = 1 + 8 + 2 * FIGURES;
/// Bytes of a block's flags, hash and figures of 4 bytes.
const WIDE_BYTES: usize = 1 + 8 + 4 * FIGURES;

/// Appends the packed form of `blocks` to `out`. Returns false, leaving `out` as it was,
/// when the blocks are not laid out as [`crate::shingle::Shingler`] lays out a page's
/// (blocks in page order; token and normalised ranges one after the other from 0) or are
/// more than 4 GiB apart or long, which the packed form cannot say.
pub(super) fn pack(blocks: &[BlockFeatures], out: &mut Vec<u8>) -> bool {
    let len = out.len();
    let (mut end, mut tok, mut norm) = (0, 0, 0);
    for b in blocks {
        if b.start < end
            || b.end < b.start
            || b.tok_start != tok
            || b.tok_end < b.tok_start
            || b.norm_start != norm
            || b.norm_end < b.norm_start
        {
            out.truncate(len);
            return false;
        }
        let (Ok(gap), Ok(long)) = (u32::try_from(b.start - end), u32::try_from(b.end - b.start))
        else {
            out.truncate(len);
            return false;
        };
        let figures: [u32; FIGURES] = [
            gap,
            long,
            b.norm.tokens,
            b.norm.digit_tokens,
            b.norm.alnum_chars,
            b.shape.chars,
            b.shape.commas,
            b.shape.separators,
            b.tok_end - b.tok_start,
            b.norm_end - b.norm_start,
        ];
        let wide = figures.iter().any(|&f| f > u32::from(u16::MAX));
        let mut flags = 0;
        if b.shape.sentence_end {
            flags |= SENTENCE_END;
        }
        if b.prefix != 0 {
            flags |= PREFIX;
        }
        if b.suffix != 0 {
            flags |= SUFFIX;
        }
        if wide {
            flags |= WIDE;
        }
        // Built on the stack and appended at once: one capacity check a block.
        let mut one = [0u8; WIDE_BYTES + 16];
        one[0] = flags;
        one[1..9].copy_from_slice(&b.hash.to_le_bytes());
        let mut n = 9;
        for f in figures {
            if wide {
                one[n..n + 4].copy_from_slice(&f.to_le_bytes());
                n += 4;
            } else {
                one[n..n + 2].copy_from_slice(&(f as u16).to_le_bytes());
                n += 2;
            }
        }
        for h in [b.prefix, b.suffix] {
            if h != 0 {
                one[n..n + 8].copy_from_slice(&h.to_le_bytes());
                n += 8;
            }
        }
        out.extend_from_slice(&one[..n]);
        (end, tok, norm) = (b.end, b.tok_end, b.norm_end);
    }
    true
}

/// The `n` blocks packed in `bytes` by [`pack`], into `out` (cleared first).
///
/// Panics if `bytes` is not what [`pack`] wrote for `n` blocks.
pub(super) fn unpack(bytes: &[u8], n: usize, out: &mut Vec<BlockFeatures>) {
    out.clear();
    out.reserve(n);
    let mut at = 0;
    let (mut end, mut tok, mut norm) = (0usize, 0u32, 0u32);
    for _ in 0..n {
        let flags = bytes[at];
        let mut f = [0u32; FIGURES];
        let hash;
        if flags & WIDE == 0 {
            let head: &[u8; NARROW] = bytes[at..at + NARROW].try_into().expect("a block");
            hash = u64::from_le_bytes(head[1..9].try_into().expect("8 bytes"));
            for (k, f) in f.iter_mut().enumerate() {
                *f = u16::from_le_bytes([head[9 + 2 * k], head[10 + 2 * k]]).into();
            }
            at += NARROW;
        } else {
            let head: &[u8; WIDE_BYTES] = bytes[at..at + WIDE_BYTES].try_into().expect("a block");
            hash = u64::from_le_bytes(head[1..9].try_into().expect("8 bytes"));
            for (k, f) in f.iter_mut().enumerate() {
                *f = u32::from_le_bytes(head[9 + 4 * k..13 + 4 * k].try_into().expect("4"));
            }
            at += WIDE_BYTES;
        }
        let mut hash_at = |present: bool| {
            if !present {
                return 0;
            }
            let h = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
            at += 8;
            h
        };
        let prefix = hash_at(flags & PREFIX != 0);
        let suffix = hash_at(flags & SUFFIX != 0);
        let start = end + f[0] as usize;
        end = start + f[1] as usize;
        let (tok_start, norm_start) = (tok, norm);
        tok += f[8];
        norm += f[9];
        out.push(BlockFeatures {
            start,
            end,
            hash,
            norm: NormInfo {
                tokens: f[2],
                digit_tokens: f[3],
                alnum_chars: f[4],
            },
            shape: Shape {
                chars: f[5],
                sentence_end: flags & SENTENCE_END != 0,
                commas: f[6],
                separators: f[7],
            },
            tok_start,
            tok_end: tok,
            prefix,
            suffix,
            norm_start,
            norm_end: norm,
        });
    }
    assert_eq!(at, bytes.len(), "packed blocks read to their end");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Blocks laid out as a Shingler lays them out, from arbitrary figures.
    fn laid_out() -> impl Strategy<Value = Vec<BlockFeatures>> {
        let block = (
            (
                0usize..3,
                prop_oneof![0usize..300, 65_000usize..70_000],
                any::<u64>(),
            ),
            (
                0u32..60,
                0u32..20,
                prop_oneof![0u32..2000, 60_000u32..200_000],
            ),
            (0u32..5000, any::<bool>(), 0u32..200, 0u32..200),
            (0u32..40, 0u32..3000),
            (
                prop_oneof![Just(0u64), any::<u64>()],
                prop_oneof![Just(0u64), any::<u64>()],
            ),
        );
        proptest::collection::vec(block, 0..40).prop_map(|v| {
            let (mut end, mut tok, mut norm) = (0usize, 0u32, 0u32);
            v.into_iter()
                .map(
                    |((gap, len, hash), (t, d, a), (c, se, co, sep), (nt, nn), (p, s))| {
                        let b = BlockFeatures {
                            start: end + gap,
                            end: end + gap + len,
                            hash,
                            norm: NormInfo {
                                tokens: t,
                                digit_tokens: d,
                                alnum_chars: a,
                            },
                            shape: Shape {
                                chars: c,
                                sentence_end: se,
                                commas: co,
                                separators: sep,
                            },
                            tok_start: tok,
                            tok_end: tok + nt,
                            prefix: p,
                            suffix: s,
                            norm_start: norm,
                            norm_end: norm + nn,
                        };
                        (end, tok, norm) = (b.end, b.tok_end, b.norm_end);
                        b
                    },
                )
                .collect()
        })
    }

    fn same(a: &[BlockFeatures], b: &[BlockFeatures]) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    proptest! {
        #[test]
        fn unpack_gives_back_what_pack_took(blocks in laid_out(), junk in proptest::collection::vec(any::<u8>(), 0..4)) {
            let mut packed = junk.clone();
            prop_assert!(pack(&blocks, &mut packed));
            let mut back = vec![BlockFeatures::default(); 3];
            unpack(&packed[junk.len()..], blocks.len(), &mut back);
            prop_assert!(same(&blocks, &back), "{blocks:?}\n{back:?}");
        }

        #[test]
        fn blocks_out_of_layout_are_refused(blocks in laid_out(), which in any::<prop::sample::Index>(), how in 0..3usize) {
            prop_assume!(!blocks.is_empty());
            let mut blocks = blocks;
            let i = which.index(blocks.len());
            match how {
                0 => blocks[i].tok_start += 1,
                1 => blocks[i].norm_start += 1,
                _ => {
                    prop_assume!(i > 0 && blocks[i - 1].end > 0);
                    blocks[i].start = blocks[i - 1].end - 1;
                }
            }
            let mut packed = vec![7];
            prop_assert!(!pack(&blocks, &mut packed));
            prop_assert_eq!(packed, vec![7]);
        }
    }

    #[test]
    fn blocks_4_gib_apart_are_refused() {
        let b = BlockFeatures {
            start: 1 << 32,
            end: 1 << 32,
            ..BlockFeatures::default()
        };
        let mut packed = Vec::new();
        assert!(!pack(&[b], &mut packed));
        assert!(packed.is_empty());
    }

    #[test]
    fn wide_figures_round_trip() {
        let b = BlockFeatures {
            start: u32::MAX as usize,
            end: 2 * u32::MAX as usize,
            hash: u64::MAX,
            norm: NormInfo {
                tokens: u32::MAX,
                digit_tokens: u32::MAX,
                alnum_chars: u32::MAX,
            },
            shape: Shape {
                chars: u32::MAX,
                sentence_end: true,
                commas: u32::MAX,
                separators: u32::MAX,
            },
            tok_start: 0,
            tok_end: u32::MAX,
            prefix: 1,
            suffix: u64::MAX,
            norm_start: 0,
            norm_end: u32::MAX,
        };
        let mut packed = Vec::new();
        assert!(pack(&[b], &mut packed));
        let mut back = Vec::new();
        unpack(&packed, 1, &mut back);
        assert!(same(&[b], &back));
    }
}
