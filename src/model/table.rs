//! The hash table under [`super::Counter`]: (site, kind, hash) → a page count, open
//! addressing with linear probing, each slot holding its key and count together.
//!
//! Counting is a stream of lookups at random places in a table far larger than the caches:
//! the cost is the cache misses. A slot holds key and value in one 24-byte record (a general
//! table keeps control bytes apart from entries: two misses per lookup), probing walks on into
//! the next bytes, and [`FeatureTable::prefetch`] lets a caller ask for the slots of features
//! a few ahead while it works on the current one. The feature hashes are xxh3 already, so the
//! slot comes from the hash itself, with the site and kind mixed in, and no hasher runs.

/// A feature's count, and the last page that counted it. All zero bytes: an empty slot
/// (which is how a fresh anonymous map reads, see [`Store`]).
#[derive(Debug, Default, Clone, Copy)]
#[repr(C)]
pub(super) struct Slot {
    pub(super) hash: u64,
    pub(super) site: u32,
    /// Pages counted; 0 marks an empty slot.
    pub(super) pages: u32,
    /// Number of the last page that counted it (see [`super::Counter::add_page`]).
    pub(super) last: u32,
    pub(super) kind: u8,
}

/// Bytes per slot.
pub(super) const SLOT_BYTES: usize = std::mem::size_of::<Slot>();
const _: () = assert!(SLOT_BYTES == 24);

/// The table is kept at most this full (numerator over 4): linear probing stays short below it.
pub(super) const MAX_LOAD_QUARTERS: usize = 3;

/// (site, kind, hash) → [`Slot`], open addressing with linear probing.
#[derive(Debug, Default)]
pub(super) struct FeatureTable {
    slots: Store,
    len: usize,
}

/// Tables of at least this many bytes live in an anonymous map ([`Store::Map`]).
const MAP_BYTES: usize = 2 << 20;

/// A table's slots: a vector while small; past [`MAP_BYTES`], an anonymous map asked for
/// huge pages. Lookups land anywhere in a table far larger than the caches, so with 4 KiB
/// pages nearly every one also misses the TLB, and a doubling faults its new table in a page
/// at a time; a fresh map reads as zeros (empty slots) without being written first.
#[derive(Debug, Default)]
enum Store {
    #[default]
    Empty,
    Vec(Vec<Slot>),
    Map(memmap2::MmapMut),
}

impl Store {
    /// `n` empty slots.
    fn new(n: usize) -> Store {
        let bytes = n * SLOT_BYTES;
        if bytes >= MAP_BYTES {
            if let Ok(map) = memmap2::MmapMut::map_anon(bytes) {
                #[cfg(target_os = "linux")]
                let _ = map.advise(memmap2::Advice::HugePage);
                return Store::Map(map);
            }
        }
        Store::Vec(vec![Slot::default(); n])
    }

    fn as_slice(&self) -> &[Slot] {
        match self {
            Store::Empty => &[],
            Store::Vec(v) => v,
            // SAFETY: the map is page-aligned, a whole number of slots long, and every byte
            // pattern is a valid `Slot` (`repr(C)`, integers only).
            Store::Map(m) => unsafe {
                std::slice::from_raw_parts(m.as_ptr().cast::<Slot>(), m.len() / SLOT_BYTES)
            },
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Slot] {
        match self {
            Store::Empty => &mut [],
            Store::Vec(v) => v,
            // SAFETY: as in `as_slice`, and the map is borrowed mutably.
            Store::Map(m) => unsafe {
                std::slice::from_raw_parts_mut(m.as_mut_ptr().cast::<Slot>(), m.len() / SLOT_BYTES)
            },
        }
    }
}

/// The first slot to probe for a key, in a table of `mask + 1` slots.
#[inline(always)]
fn home(site: u32, kind: u8, hash: u64, mask: usize) -> usize {
    // `hash` is an xxh3 value, uniform in every bit; the site and kind move it so that one
    // feature on many sites does not pile up in one place.
    let mix = (u64::from(site) << 8 | u64::from(kind)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((hash ^ mix) as usize) & mask
}

impl FeatureTable {
    /// Distinct keys held.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Asks the CPU for the slot where a key's probe starts (no effect on an empty table, or
    /// off x86-64).
    #[inline(always)]
    pub(super) fn prefetch(&self, site: u32, kind: u8, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        let slots = self.slots.as_slice();
        if !slots.is_empty() {
            let i = home(site, kind, hash, slots.len() - 1);
            // SAFETY: `i` is within `slots`; a prefetch reads nothing and cannot fault.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(slots.as_ptr().add(i).cast());
            }
        }
    }

    /// The slot of a key, made (empty of counts: `pages` 0 and `last` 0 until the caller
    /// counts it) when the key is new.
    #[inline(always)]
    pub(super) fn slot(&mut self, site: u32, kind: u8, hash: u64) -> &mut Slot {
        if (self.len + 1) * 4 > self.slots.as_slice().len() * MAX_LOAD_QUARTERS {
            self.grow();
        }
        let slots = self.slots.as_mut_slice();
        let mask = slots.len() - 1;
        let mut i = home(site, kind, hash, mask);
        loop {
            let s = slots[i];
            if s.pages == 0 {
                self.len += 1;
                let s = &mut slots[i];
                (s.hash, s.site, s.kind, s.last) = (hash, site, kind, 0);
                return s;
            }
            if s.hash == hash && s.site == site && s.kind == kind {
                return &mut slots[i];
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table (or makes its first slots) and puts every key back.
    #[cold]
    fn grow(&mut self) {
        let size = (self.slots.as_slice().len() * 2).max(1 << 10);
        let old = std::mem::replace(&mut self.slots, Store::new(size));
        let slots = self.slots.as_mut_slice();
        let mask = size - 1;
        for s in old.as_slice().iter().filter(|s| s.pages > 0) {
            let mut i = home(s.site, s.kind, s.hash, mask);
            while slots[i].pages != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = *s;
        }
    }

    /// Every held slot, in no particular order.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        self.slots.as_mut_slice().iter_mut().filter(|s| s.pages > 0)
    }

    /// Every held slot, in no particular order, taking the table.
    pub(super) fn into_slots(self) -> impl Iterator<Item = Slot> {
        let n = self.slots.as_slice().len();
        (0..n)
            .map(move |i| self.slots.as_slice()[i])
            .filter(|s| s.pages > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn counts_like_a_hash_map_through_growth_and_collisions() {
        let mut t = FeatureTable::default();
        let mut want: HashMap<(u32, u8, u64), u32> = HashMap::new();
        let mut x = 0x1234_5678_u64;
        for n in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Few distinct hashes and sites, so keys repeat and equal hashes meet other sites;
            // hash 0 and low hashes collide on their home slot.
            let key = (
                (x >> 60) as u32,
                b"btps"[(x >> 40) as usize % 4],
                (x >> 33) % 3000 + n % 2,
            );
            t.slot(key.0, key.1, key.2).pages += 1;
            *want.entry(key).or_default() += 1;
        }
        assert_eq!(t.len(), want.len());
        let got: HashMap<(u32, u8, u64), u32> = t
            .into_slots()
            .map(|s| ((s.site, s.kind, s.hash), s.pages))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_table_past_the_map_size_counts_the_same() {
        let mut t = FeatureTable::default();
        let n = 3 * MAP_BYTES / SLOT_BYTES / 4 + 1000;
        for round in 0..2u32 {
            for i in 0..n as u64 {
                let s = t.slot(
                    (i % 7) as u32,
                    b"bt"[(i % 2) as usize],
                    i.wrapping_mul(0x9e37_79b9),
                );
                s.pages += 1 + round;
            }
        }
        assert!(matches!(t.slots, Store::Map(_)));
        assert_eq!(t.len(), n);
        let mut pages: Vec<u32> = t.iter_mut().map(|s| s.pages).collect();
        pages.dedup();
        assert_eq!(pages, [3]);
        assert_eq!(t.into_slots().count(), n);
    }
}
