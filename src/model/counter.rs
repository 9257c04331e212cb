//! Counting: the site table and the per-worker [`Counter`] that learning fills, and the sorted
//! partial-model entries a counter becomes.
//!
//! A counter holds one hash-table entry per distinct (site, feature) pair, and one per site;
//! given a budget ([`Counter::with_budget`]) it says when it is full, and the caller writes it
//! out as a sorted run ([`Counter::write_run`]) and starts afresh, so that learning stays within
//! its memory whatever the corpus. Site ids are dense and in first-seen order, which varies
//! from run to run; nothing written depends on them, since entries come out ordered by site
//! name.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::format::{TAG_BLOCK, TAG_PAGES};
use super::memory::FeatureCount;
use super::spill::SpillDir;
use super::table::{FeatureTable, MAX_LOAD_QUARTERS, SLOT_BYTES};
use super::write::ModelSink;
use crate::error::Result;

/// Interns site names to dense ids, in first-seen order. Nothing written depends on the ids
/// (keys are ordered by site name), so workers may intern in any order.
#[derive(Debug, Default, Clone)]
pub struct SiteTable {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl SiteTable {
    /// The id of a site already interned.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The id of a site, interning it when it is new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }

    /// The name of an interned site.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Sites interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// Per-worker feature counts: pages per site and pages per (site, feature).
///
/// Counts are document frequencies: a feature is counted at most once per page, however often
/// the page has it.
///
/// Memory: 24 bytes per hash-table slot, the table between 3/8 and 3/4 full (about 45
/// bytes per distinct (site, feature) pair), plus 24 bytes per pair while it is sorted to be
/// written out; a counter made with a budget keeps both within it.
#[derive(Debug)]
pub struct Counter {
    features: FeatureTable,
    pages: FxHashMap<u32, u64>,
    /// Distinct pairs this counter may hold before it must be spilled (see [`Counter::is_full_for`]).
    max_items: usize,
    /// Number of the page being added (from 1), to count its repeated features once.
    page: u32,
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            features: FeatureTable::default(),
            pages: FxHashMap::default(),
            max_items: usize::MAX,
            page: 0,
        }
    }
}

/// Bytes a [`Counter`] costs per hash-table slot.
const COUNTER_BUCKET_BYTES: usize = SLOT_BYTES;
/// Bytes per entry of the sorted vector a counter becomes when it is written out.
const COUNTER_SORTED_BYTES: usize = 24;

impl Counter {
    /// A counter without a budget: it never reports itself full.
    #[cfg(test)]
    pub fn new() -> Counter {
        Counter::default()
    }

    /// A counter that stays within about `budget_bytes`, including the sorted copy it makes
    /// when it is written out: it reports [`Counter::is_full_for`] before it would grow past.
    pub(crate) fn with_budget(budget_bytes: usize) -> Counter {
        // The table grows in powers of two, up to 3/4 full, and becomes a sorted vector when
        // written out: pick the table size that lets the most entries fit with that copy.
        let items = |buckets: usize| {
            let table = buckets * COUNTER_BUCKET_BYTES;
            if table >= budget_bytes {
                0
            } else {
                (buckets / 4 * MAX_LOAD_QUARTERS).min((budget_bytes - table) / COUNTER_SORTED_BYTES)
            }
        };
        let mut best = 0;
        let mut buckets = 1usize << 10;
        while buckets < 1 << 40 && buckets * COUNTER_BUCKET_BYTES < budget_bytes {
            best = best.max(items(buckets));
            buckets *= 2;
        }
        Counter {
            max_items: best.max(1024),
            ..Counter::default()
        }
    }

    /// Whether adding a page with `n` distinct features could take the counter past its
    /// budget; the caller then writes it out ([`Counter::write_run`]) and starts afresh.
    #[inline]
    pub(crate) fn is_full_for(&self, n: usize) -> bool {
        self.features.len() > 0 && self.features.len() + n > self.max_items
    }

    /// Whether `n` distinct pairs fit in this counter's budget.
    pub(crate) fn fits(&self, n: usize) -> bool {
        n <= self.max_items
    }

    /// Distinct pairs this counter may hold.
    #[cfg(test)]
    pub(crate) fn max_items(&self) -> usize {
        self.max_items
    }

    /// An empty counter with the same budget.
    pub(crate) fn fresh(&self) -> Counter {
        Counter {
            max_items: self.max_items,
            ..Counter::default()
        }
    }

    /// Counts one page of site `site` with its features, each once however often it comes
    /// ([`crate::shingle::Shingler::features`]; no need to sort them to drop repeats).
    pub fn add_page(&mut self, site: u32, features: &[(u8, u64)]) {
        *self.pages.entry(site).or_default() += 1;
        self.page = match self.page.checked_add(1) {
            Some(p) => p,
            None => {
                // After 4 billion pages: forget the old page numbers rather than reuse them.
                self.features.iter_mut().for_each(|t| t.last = 0);
                1
            }
        };
        let page = self.page;
        // Slots of features a few ahead are fetched while this one is counted: the table is
        // far larger than the caches, and a miss costs more than the rest of the work. A
        // feature takes a few nanoseconds, a miss to memory about a hundred: 16 ahead, and
        // the first 16 before the loop.
        const AHEAD: usize = 16;
        for &(k, h) in features.iter().take(AHEAD) {
            self.features.prefetch(site, k, h);
        }
        for (i, &(kind, hash)) in features.iter().enumerate() {
            if let Some(&(k, h)) = features.get(i + AHEAD) {
                self.features.prefetch(site, k, h);
            }
            let t = self.features.slot(site, kind, hash);
            if t.last != page {
                t.last = page;
                t.pages += 1;
            }
        }
    }

    /// Distinct (site, feature) pairs held: the memory driver.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no page was counted.
    pub fn is_empty(&self) -> bool {
        self.features.len() == 0 && self.pages.is_empty()
    }

    /// Pages counted per site id.
    pub(super) fn pages(&self) -> &FxHashMap<u32, u64> {
        &self.pages
    }

    /// The feature counts, keyed by (site id, kind, hash), in no particular order.
    pub(super) fn into_counts(self) -> impl Iterator<Item = FeatureCount> {
        (self.features.into_slots()).map(|s| ((s.site, s.kind, s.hash), s.pages))
    }

    /// Turns the counts into the sorted `B` and `P` entries of a partial model.
    #[cfg(test)]
    pub fn into_sorted_entries(self, sites: &SiteTable) -> Vec<(Vec<u8>, u64)> {
        let mut out = Vec::new();
        self.emit(sites, |k, v| {
            out.push((k.to_vec(), v));
            Ok(())
        })
        .expect("collecting cannot fail");
        out
    }

    /// Streams the counts as the sorted `B` and `P` entries of a partial model, building each
    /// key in one reused buffer.
    pub(crate) fn emit(
        self,
        sites: &SiteTable,
        f: impl FnMut(&[u8], u64) -> Result<()>,
    ) -> Result<()> {
        let (order, rank) = site_ranks(sites);
        let (feats, pages) = self.into_ranked(&rank, None)?;
        emit_ranked(sites, &order, feats.into_iter(), pages, f)
    }

    /// Streams the counts into `sink`, as [`Counter::emit`] does when the counter holds every
    /// count of the model.
    ///
    /// A final model drops the pairs seen on one page (they carry no evidence), so those skip
    /// the sort when the sink writes one: only their cross-site counts are taken
    /// ([`ModelSink::push_singleton`], what [`ModelSink::push`] takes of them). Most pairs of
    /// a crawl are such (75% of the bench corpus, 90% of the dev sets), and sorting them was
    /// a fifth of `learn`. The file is the same.
    pub(crate) fn emit_to(self, sites: &SiteTable, sink: &mut ModelSink) -> Result<()> {
        let (order, rank) = site_ranks(sites);
        let (feats, pages) = if sink.drops_singletons() {
            self.into_ranked(
                &rank,
                Some(&mut |kind, hash| sink.push_singleton(kind, hash)),
            )?
        } else {
            self.into_ranked(&rank, None)?
        };
        expect_pages(sites, &pages, sink);
        emit_ranked(sites, &order, feats.into_iter(), pages, |k, v| {
            sink.push(k, v)
        })
    }

    /// Streams the sum of `counters` into `sink` as [`Counter::emit_to`] streams one counter
    /// holding all their counts: each is sorted on its own thread of `pool`, and the sorted
    /// runs are merged, with no hash table built for the sum. (A pair counted once by one
    /// counter may be counted by another: all are sorted, unless there is one counter.)
    pub(crate) fn emit_sum(
        mut counters: Vec<Counter>,
        sites: &SiteTable,
        pool: &rayon::ThreadPool,
        sink: &mut ModelSink,
    ) -> Result<()> {
        use rayon::prelude::*;
        if counters.len() == 1 {
            let c = counters.pop().expect("one counter");
            return c.emit_to(sites, sink);
        }
        let (order, rank) = site_ranks(sites);
        let runs: Vec<(RankedFeatures, FxHashMap<u32, u64>)> = pool.install(|| {
            counters
                .into_par_iter()
                .map(|c| c.into_ranked(&rank, None))
                .collect::<Result<_>>()
        })?;
        let mut pages: FxHashMap<u32, u64> = FxHashMap::default();
        let mut feats = Vec::with_capacity(runs.len());
        for (fe, p) in runs {
            for (s, n) in p {
                *pages.entry(s).or_default() += n;
            }
            feats.push(fe.into_iter().peekable());
        }
        expect_pages(sites, &pages, sink);
        // A k-way merge summing equal keys; k is the number of workers, so a scan of the
        // heads beats a heap.
        let merged = std::iter::from_fn(move || {
            let min = feats
                .iter_mut()
                .filter_map(|r| r.peek().map(|e| e.0))
                .min()?;
            let mut sum = 0u64;
            for r in feats.iter_mut() {
                if let Some(e) = r.next_if(|e| e.0 == min) {
                    sum += e.1 as u64;
                }
            }
            Some((min, sum))
        });
        emit_ranked(sites, &order, merged, pages, |k, v| sink.push(k, v))
    }

    /// The feature counts keyed by (site rank, kind, hash), sorted, and the page counts. With
    /// `single`, the pairs counted once go to it instead.
    fn into_ranked(
        self,
        rank: &[u32],
        mut single: Option<&mut dyn FnMut(u8, u64) -> Result<()>>,
    ) -> Result<(RankedFeatures, FxHashMap<u32, u64>)> {
        let Counter {
            features, pages, ..
        } = self;
        let mut feats: RankedFeatures = Vec::with_capacity(features.len());
        for s in features.into_slots() {
            match single.as_mut() {
                Some(single) if s.pages == 1 => single(s.kind, s.hash)?,
                _ => feats.push(((rank[s.site as usize], s.kind, s.hash), s.pages)),
            }
        }
        feats.sort_unstable_by_key(|e| e.0);
        Ok((feats, pages))
    }

    /// Writes the counts as a sorted run in `dir`, for a later [`SpillDir::merge_keys`].
    pub(crate) fn write_run(self, sites: &SiteTable, dir: &SpillDir) -> Result<()> {
        let mut w = dir.key_run()?;
        dir.add_site_pages(
            (self.pages.iter()).map(|(&s, &n)| (sites.name(s).as_bytes().to_vec(), n)),
        );
        self.emit(sites, |k, v| w.push(k, v))?;
        dir.add_key_run(w.finish()?);
        Ok(())
    }
}

/// Gives `sink` the page counts of the sites, before their entries.
fn expect_pages(sites: &SiteTable, pages: &FxHashMap<u32, u64>, sink: &mut ModelSink) {
    for (&s, &n) in pages {
        sink.expect_pages(sites.name(s).as_bytes(), n);
    }
}

/// Feature counts keyed by (site rank, kind, hash).
type RankedFeatures = Vec<((u32, u8, u64), u32)>;

/// Sites by name (`order`: rank → id) and each site's rank (`rank`: id → rank), so that
/// sorting (rank, kind, hash) gives key order without building every key first.
fn site_ranks(sites: &SiteTable) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..sites.len() as u32).collect();
    order.sort_by(|&a, &b| sites.name(a).as_bytes().cmp(sites.name(b).as_bytes()));
    let mut rank = vec![0u32; sites.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    (order, rank)
}

/// Streams sorted (rank, kind, hash) counts and the page counts as the sorted `B` and `P`
/// entries of a partial model, building each key in one reused buffer.
fn emit_ranked<V: Into<u64>>(
    sites: &SiteTable,
    order: &[u32],
    feats: impl Iterator<Item = ((u32, u8, u64), V)>,
    pages: FxHashMap<u32, u64>,
    mut f: impl FnMut(&[u8], u64) -> Result<()>,
) -> Result<()> {
    let mut key = Vec::with_capacity(64);
    let mut last_rank = u32::MAX;
    for ((r, kind, hash), v) in feats {
        if r != last_rank {
            key.clear();
            key.push(TAG_BLOCK);
            key.extend_from_slice(sites.name(order[r as usize]).as_bytes());
            key.push(0);
            last_rank = r;
        }
        let n = key.len();
        key.push(kind);
        key.extend_from_slice(&hash.to_be_bytes());
        f(&key, v.into())?;
        key.truncate(n);
    }
    let mut pages: Vec<(&str, u64)> = pages.iter().map(|(&s, &n)| (sites.name(s), n)).collect();
    pages.sort_unstable();
    for (name, n) in pages {
        key.clear();
        key.push(TAG_PAGES);
        key.extend_from_slice(name.as_bytes());
        f(&key, n)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::format::{block_key, pages_key};
    use super::*;
    use crate::shingle::{KIND_BLOCK, KIND_TOKEN};

    #[test]
    fn a_feature_repeated_on_a_page_counts_once() {
        let mut sites = SiteTable::default();
        let a = sites.intern("a.example");
        let mut c = Counter::new();
        c.add_page(
            a,
            &[
                (KIND_BLOCK, 1),
                (KIND_TOKEN, 9),
                (KIND_BLOCK, 1),
                (KIND_TOKEN, 9),
            ],
        );
        c.add_page(a, &[(KIND_TOKEN, 9), (KIND_BLOCK, 2), (KIND_TOKEN, 9)]);
        // Past the last page number, the numbering starts again without losing a count.
        c.page = u32::MAX - 1;
        c.add_page(a, &[(KIND_BLOCK, 1), (KIND_BLOCK, 1)]);
        c.add_page(a, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2)]);
        c.add_page(a, &[(KIND_BLOCK, 2), (KIND_BLOCK, 1)]);
        let got = c.into_sorted_entries(&sites);
        let want = vec![
            (block_key("a.example", KIND_BLOCK, 1), 4),
            (block_key("a.example", KIND_BLOCK, 2), 3),
            (block_key("a.example", KIND_TOKEN, 9), 2),
            (pages_key("a.example"), 5),
        ];
        assert_eq!(got, want);
    }
    /// A final model written from one counter skips the sort for pairs counted once
    /// (`emit_to`); the file is the one every sorted entry pushed through the sink gives.
    #[test]
    fn final_model_skipping_singletons_writes_the_same_bytes() {
        use super::super::{write_entries, ModelParams, SpillDir};
        let mut sites = SiteTable::default();
        let (a, b) = (sites.intern("a.example"), sites.intern("b.example"));
        let fill = || {
            let mut c = Counter::new();
            for p in 0..40u64 {
                let site = if p % 3 == 0 { b } else { a };
                // Shared chrome, a block on a few pages, one of its own, a token or two.
                let page = [
                    (KIND_BLOCK, 7),
                    (KIND_BLOCK, 100 + p % 5),
                    (KIND_BLOCK, 1000 + p),
                    (KIND_TOKEN, 5000 + p % 11),
                    (KIND_TOKEN, 9000 + p),
                ];
                c.add_page(site, &page);
            }
            c
        };
        let dir = tempfile::tempdir().unwrap();
        for partial in [false, true] {
            let want = dir.path().join(format!("want{partial}.model"));
            write_entries(
                &want,
                fill().into_sorted_entries(&sites),
                ModelParams::default(),
                partial,
            )
            .unwrap();
            let spill = SpillDir::new(Some(dir.path())).unwrap();
            let mut sink =
                ModelSink::new(ModelParams::default(), partial, 1 << 20, &spill, 0).unwrap();
            fill().emit_to(&sites, &mut sink).unwrap();
            let got = dir.path().join(format!("got{partial}.model"));
            sink.finish(&got, true).unwrap();
            assert!(
                std::fs::read(&got).unwrap() == std::fs::read(&want).unwrap(),
                "partial {partial}"
            );
        }
    }
}
