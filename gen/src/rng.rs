//! Randomness: a hand-written SplitMix64, so that the output never depends on a crate's
//! version, plus the few draws the generator needs (uniform, skewed, Zipf-like, shuffle).
//!
//! Every site and every page gets its own generator, seeded from the corpus seed and its
//! index ([`seed_of`]), so that a page's text does not depend on how many pages came before.

#[derive(Clone)]
pub(crate) struct Rng(u64);

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed derived from three keys (corpus seed, stream, index).
pub(crate) fn seed_of(a: u64, b: u64, c: u64) -> u64 {
    mix64(a ^ mix64(b.wrapping_add(0x51_7CC1_B727_220A) ^ mix64(c.wrapping_add(7))))
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(mix64(seed ^ 0x2545_F491_4F6C_DD1D))
    }
    /// A generator of its own, seeded from this one's state and `salt`, without drawing from
    /// this one: a new kind of draw that leaves every later draw of this one as it was.
    pub(crate) fn fork(&self, salt: u64) -> Rng {
        Rng::new(mix64(self.0 ^ salt))
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
    /// Uniform in 0..n (n < 2^32).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    /// Uniform in lo..=hi.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Skewed towards small values (density ~ 2(1-x)).
    pub(crate) fn skew(&mut self, n: usize) -> usize {
        let a = self.below(n);
        a.min(self.below(n))
    }
    /// Strongly skewed towards small values (Zipf-like word frequencies).
    pub(crate) fn zipfish(&mut self, n: usize) -> usize {
        let a = self.below(n);
        a * self.below(n) / n.max(1)
    }
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub(crate) fn pick_s(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
}

/// Fisher-Yates, from the back.
pub(crate) fn shuffle<T>(rng: &mut Rng, xs: &mut [T]) {
    for i in (1..xs.len()).rev() {
        let j = rng.below(i + 1);
        xs.swap(i, j);
    }
}
