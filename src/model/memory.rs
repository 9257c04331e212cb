//! `run`'s in-memory model: the final model of the workers' counters held in hash tables
//! instead of an fst, answering every lookup as the file `learn` writes from the same pages
//! would (a proptest checks it), without building the fst or reading it back.
//!
//! Memory: about 25 bytes per site feature the file would keep (on two pages or more; token
//! and affix features from their floors, [`ModelParams::keeps_from`]), plus one entry per
//! cross-site block and per site; no more than the counters it is built from, which it
//! consumes.

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use super::counter::{Counter, SiteTable};
use super::format::{Header, ModelParams};
use super::{Model, Store};
use crate::shingle::counted_across_sites;

/// The keys of a final model as hash tables, split by the top bits of the feature hash so
/// that the parts are built in parallel.
pub(super) struct MemoryStore {
    /// Site name → (id, pages).
    sites: FxHashMap<String, (u32, u64)>,
    /// A power of two of parts; feature `hash` is in part `hash >> shift` (0 when one part).
    parts: Vec<MemoryPart>,
    shift: u32,
}

struct MemoryPart {
    /// (site id, kind, hash) → pages, for counts of 2 and more (the `B` keys).
    features: FxHashMap<(u32, u8, u64), u32>,
    /// Block hash → sites, for counts of 2 and more (the `G` keys).
    global: FxHashMap<u64, u32>,
}

/// A (site id, kind, hash) key with its count of pages.
pub(super) type FeatureCount = ((u32, u8, u64), u32);

/// Parts of an in-memory model built from several counters.
const MEMORY_PARTS: usize = 16;

/// The part of `hash` when parts are told by the bits above `shift` (64: one part, part 0).
#[inline]
fn part_index(hash: u64, shift: u32) -> usize {
    hash.checked_shr(shift).unwrap_or(0) as usize
}

impl MemoryPart {
    /// The part of the final model holding these summed counts (each key once), keeping a
    /// site feature as the file does ([`ModelParams::keeps_from`], with the pages of each
    /// site by id in `pages`).
    fn of(
        counts: impl Iterator<Item = FeatureCount>,
        size: usize,
        params: &ModelParams,
        pages: &[u64],
    ) -> MemoryPart {
        let mut features = FxHashMap::with_capacity_and_hasher(size / 4, Default::default());
        // Every (site, block) pair counts one site for its block, seen on one page or more:
        // the same `G` counts the model sink gathers from a partial model's keys. Most blocks
        // are on one site, so they are sorted and counted, and only those on two or more
        // make the table: a table of every block grew through many sizes, and its lookups
        // then missed the caches.
        let mut blocks: Vec<u64> = Vec::with_capacity(size / 2);
        for (k, n) in counts {
            if counted_across_sites(k.1) {
                blocks.push(k.2);
            }
            if n >= 2 && u64::from(n) >= params.keeps_from(k.1, pages[k.0 as usize]) {
                features.insert(k, n);
            }
        }
        features.shrink_to_fit();
        blocks.sort_unstable();
        let shared = || blocks.chunk_by(|a, b| a == b).filter(|c| c.len() >= 2);
        let mut global = FxHashMap::with_capacity_and_hasher(shared().count(), Default::default());
        global.extend(shared().map(|c| (c[0], c.len() as u32)));
        MemoryPart { features, global }
    }
}

impl Model {
    /// The final model of the counts that `learn` would write from these counters, held in
    /// hash tables instead of an fst: what `run` cleans against when the model need not be
    /// kept. Every lookup answers as on the file [`crate::job::learn`] writes (a test checks
    /// it), without building the fst or reading it back.
    pub(crate) fn from_counters(
        counters: Vec<Counter>,
        sites: &SiteTable,
        params: ModelParams,
        path: PathBuf,
        pool: &rayon::ThreadPool,
    ) -> Model {
        let mut pages: FxHashMap<u32, u64> = FxHashMap::default();
        for c in &counters {
            for (s, n) in c.pages() {
                *pages.entry(s).or_default() += n;
            }
        }
        let mut by_id = vec![0u64; sites.len()];
        for (&s, &n) in &pages {
            by_id[s as usize] = n;
        }
        let (parts, shift) = if counters.len() == 1 {
            let c = counters.into_iter().next().expect("one counter");
            let n = c.len();
            (
                vec![MemoryPart::of(c.into_counts(), n, &params, &by_id)],
                64,
            )
        } else {
            (
                sum_parts(counters, pool, &params, &by_id),
                64 - MEMORY_PARTS.trailing_zeros(),
            )
        };
        let site_pages: FxHashMap<String, (u32, u64)> = pages
            .iter()
            .map(|(&id, &n)| (sites.name(id).to_owned(), (id, n)))
            .collect();
        let keys = parts
            .iter()
            .map(|p| p.features.len() + p.global.len())
            .sum::<usize>()
            + site_pages.len();
        let header = Header {
            partial: false,
            params,
            pages: pages.values().sum(),
            sites: site_pages.len() as u64,
            keys: keys as u64,
        };
        Model {
            path,
            header,
            store: Store::Memory(MemoryStore {
                sites: site_pages,
                parts,
                shift,
            }),
        }
    }
}

/// The [`MEMORY_PARTS`] parts of the sum of several counters: each counter splits its counts
/// by part, then each part sums its share of every counter: both steps in parallel, and no
/// table is built twice.
fn sum_parts(
    counters: Vec<Counter>,
    pool: &rayon::ThreadPool,
    params: &ModelParams,
    pages: &[u64],
) -> Vec<MemoryPart> {
    use rayon::prelude::*;
    let shift = 64 - MEMORY_PARTS.trailing_zeros();
    let split: Vec<Vec<Vec<FeatureCount>>> = pool.install(|| {
        counters
            .into_par_iter()
            .map(|c| {
                let mut by_part = vec![Vec::new(); MEMORY_PARTS];
                for (k, n) in c.into_counts() {
                    by_part[part_index(k.2, shift)].push((k, n));
                }
                by_part
            })
            .collect()
    });
    pool.install(|| {
        (0..MEMORY_PARTS)
            .into_par_iter()
            .map(|p| {
                let size: usize = split.iter().map(|s| s[p].len()).sum();
                let mut sum: FxHashMap<(u32, u8, u64), u32> =
                    FxHashMap::with_capacity_and_hasher(size, Default::default());
                for s in &split {
                    for &(k, n) in &s[p] {
                        *sum.entry(k).or_default() += n;
                    }
                }
                let n = sum.len();
                MemoryPart::of(sum.into_iter(), n, params, pages)
            })
            .collect()
    })
}

impl MemoryStore {
    #[inline]
    fn part(&self, hash: u64) -> &MemoryPart {
        &self.parts[part_index(hash, self.shift)]
    }

    /// The site's (id, pages); (`u32::MAX`, 0) for a site the model never saw.
    pub(super) fn site(&self, site: &str) -> (u32, u64) {
        self.sites.get(site).copied().unwrap_or((u32::MAX, 0))
    }

    /// Pages of site `id` that contain the feature.
    #[inline]
    pub(super) fn site_count(&self, id: u32, kind: u8, hash: u64) -> u64 {
        self.part(hash)
            .features
            .get(&(id, kind, hash))
            .map_or(0, |&n| n as u64)
    }

    /// Sites whose pages contain the block.
    #[inline]
    pub(super) fn cross_sites(&self, hash: u64) -> u64 {
        self.part(hash).global.get(&hash).map_or(0, |&n| n as u64)
    }

    /// Every site with its page count, in name order.
    pub(super) fn sites(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> =
            self.sites.iter().map(|(k, v)| (k.clone(), v.1)).collect();
        out.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        out
    }

    /// Every feature `(kind, hash, count)` of site `id`, in key order.
    pub(super) fn site_features(&self, id: u32) -> Vec<(u8, u64, u64)> {
        let mut out: Vec<(u8, u64, u64)> = self
            .parts
            .iter()
            .flat_map(|p| &p.features)
            .filter(|(k, _)| k.0 == id)
            .map(|(k, &n)| (k.1, k.2, n as u64))
            .collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_model;
    use super::*;
    use crate::shingle::{KIND_BLOCK, KIND_PATH, KIND_PREFIX, KIND_SUFFIX, KIND_TOKEN};

    /// Blocks, a kind of DOM path, and the token and affix kinds the file keeps from their
    /// floors.
    const KINDS: [u8; 5] = [KIND_BLOCK, KIND_PATH, KIND_TOKEN, KIND_PREFIX, KIND_SUFFIX];

    proptest::proptest! {
        /// `run`'s in-memory model must clean exactly as the file `learn` writes: every
        /// lookup, present or absent, answers alike, however the pages were split between
        /// worker counters.
        #[test]
        fn memory_model_answers_as_the_file_model(
            pages in proptest::collection::vec(
                (0u32..4, proptest::collection::vec((0usize..5, 0u64..12), 0..8)),
                1..80,
            ),
            workers in 1usize..4,
        ) {
            let mut sites = SiteTable::default();
            let names = ["a.example", "b.example", "c.example", "d.example"];
            for n in names {
                sites.intern(n);
            }
            let mut one = Counter::new();
            let mut split: Vec<Counter> = (0..workers).map(|_| Counter::new()).collect();
            // Hashes spread over the top bits, which pick the part of an in-memory model.
            let spread = |h: u64| h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            for (i, (site, feats)) in pages.iter().enumerate() {
                let feats: Vec<(u8, u64)> =
                    feats.iter().map(|&(k, h)| (KINDS[k], spread(h))).collect();
                one.add_page(*site, &feats);
                split[i % workers].add_page(*site, &feats);
            }
            let (_dir, file) = test_model(one, &sites);
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
            let mem = Model::from_counters(split, &sites, ModelParams::default(), "m".into(), &pool);
            proptest::prop_assert_eq!(&mem.header, &file.header);
            proptest::prop_assert_eq!(mem.sites(), file.sites());
            for name in names.iter().chain(&["unseen.example"]) {
                let (fv, mv) = (file.site(name), mem.site(name));
                proptest::prop_assert_eq!(fv.pages, mv.pages);
                proptest::prop_assert_eq!(file.site_features(name), mem.site_features(name));
                for kind in KINDS {
                    for h in (0..13).map(spread) {
                        proptest::prop_assert_eq!(
                            file.site_count(&fv, kind, h),
                            mem.site_count(&mv, kind, h)
                        );
                    }
                }
            }
            for h in (0..13).map(spread) {
                proptest::prop_assert_eq!(file.cross_sites(h), mem.cross_sites(h));
            }
        }
    }
}
