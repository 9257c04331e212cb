//! A Bloom filter of feature hashes, held in front of an fst whose keys end in those hashes.
//!
//! Most blocks of a page are on no other site: asked whether a block is cross-site chrome, the
//! model's `G` keys answer "no" far more often than "yes", and an fst answers "no" only after
//! decoding a node per key byte, down to where the hash leaves the keys. The filter answers
//! most of those "no"s from two bits; the fst is walked only for the hashes it may hold.
//!
//! The hashes are xxh3 values, uniform in every bit, so the two probes are bits of the hash
//! itself and no hasher runs.
//!
//! Memory: [`BITS_PER_KEY`] to twice as many bits per key (2–4 bytes: the size is a power of
//! two), at least 64 bits.

/// Bits of filter per key, at least: with two probes, at most about 1.4% of the hashes not
/// held pass.
const BITS_PER_KEY: usize = 16;

/// A set of `u64` hashes that may answer "maybe" for a hash it does not hold (at most about
/// 1.4% of them), never "no" for one it holds.
#[derive(Debug, Clone)]
pub(crate) struct HashFilter {
    words: Vec<u64>,
    /// Bits in the filter, less one (a power of two, less one).
    mask: u64,
}

impl HashFilter {
    /// A filter of `hashes`.
    pub(crate) fn new(hashes: &[u64]) -> HashFilter {
        let bits = (hashes.len() * BITS_PER_KEY).next_power_of_two().max(64);
        let mut f = HashFilter {
            words: vec![0; bits / 64],
            mask: bits as u64 - 1,
        };
        for &h in hashes {
            for bit in f.probes(h) {
                f.words[(bit >> 6) as usize] |= 1 << (bit & 63);
            }
        }
        f
    }

    #[inline(always)]
    fn probes(&self, h: u64) -> [u64; 2] {
        [h & self.mask, h.rotate_left(32) & self.mask]
    }

    /// Whether the set may hold `h` (`false`: it surely does not).
    #[inline]
    pub(crate) fn may_hold(&self, h: u64) -> bool {
        self.probes(h)
            .iter()
            .all(|&bit| self.words[(bit >> 6) as usize] & (1 << (bit & 63)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxhash_rust::xxh3::xxh3_64;

    #[test]
    fn holds_every_hash_it_was_given_and_rejects_most_others() {
        let held: Vec<u64> = (0..5000u64).map(|i| xxh3_64(&i.to_le_bytes())).collect();
        let f = HashFilter::new(&held);
        assert!(held.iter().all(|&h| f.may_hold(h)));
        let passed = (5000..105_000u64)
            .filter(|i| f.may_hold(xxh3_64(&i.to_le_bytes())))
            .count();
        // About 1.4% expected; far below a tenth.
        assert!(passed < 4_000, "{passed} of 100,000 passed");
        let empty = HashFilter::new(&[]);
        assert!(!empty.may_hold(held[0]));
    }
}
