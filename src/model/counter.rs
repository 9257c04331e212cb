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
/// The first page of a site is held aside, its distinct features in a list, and goes into the
/// hash table only when a second page of the site comes. Most sites of a crawl shard have one
/// page (831 of the dev sets' 909), and every pair of theirs is counted once: a final model
/// keeps only their cross-site counts, so they need no table slot, which cost a cache miss
/// each and most of the table's size.
///
/// Memory: 24 bytes per hash-table slot, the table between 3/8 and 3/4 full (about 45
/// bytes per distinct (site, feature) pair), 16 bytes per pair of a first page held aside (at
/// most twice those of sites still on one page), plus 24 bytes per pair while it is sorted to
/// be written out; a counter made with a budget keeps all within it.
#[derive(Debug)]
pub struct Counter {
    features: FeatureTable,
    sites: FxHashMap<u32, SiteCount>,
    /// The distinct features of the first pages held aside, one page after the other; the
    /// pages of sites that had a second page since are dead entries until [`Counter::compact`].
    firsts: Vec<(u8, u64)>,
    /// Entries of `firsts` whose site went into the table.
    dead: usize,
    /// Finds a page's distinct features.
    seen: PageSet,
    /// Distinct pairs this counter may hold before it must be spilled (see [`Counter::is_full_for`]).
    max_items: usize,
    /// Number of the page being added (from 1), to count its repeated features once.
    page: u32,
}

/// A site's pages, and while it has one, where its features lie in [`Counter::firsts`].
#[derive(Debug, Default, Clone, Copy)]
struct SiteCount {
    pages: u64,
    first: (usize, usize),
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            features: FeatureTable::default(),
            sites: FxHashMap::default(),
            firsts: Vec::new(),
            dead: 0,
            seen: PageSet::default(),
            max_items: usize::MAX,
            page: 0,
        }
    }
}

/// A set of one page's (kind, hash) features, emptied for the next page by a new stamp:
/// open addressing over a table kept at most half full, small enough to stay in the caches.
#[derive(Debug, Default)]
struct PageSet {
    /// (hash, stamp, kind); a slot is held on this page when its stamp is the current one.
    slots: Vec<(u64, u32, u8)>,
    stamp: u32,
}

impl PageSet {
    /// Appends to `out` each of `features` once, in first-met order.
    fn distinct_into(&mut self, features: &[(u8, u64)], out: &mut Vec<(u8, u64)>) {
        let want = (features.len() * 2).next_power_of_two().max(64);
        if self.slots.len() < want {
            self.slots = vec![(0, 0, 0); want];
            self.stamp = 0;
        }
        self.stamp = match self.stamp.checked_add(1) {
            Some(s) => s,
            None => {
                self.slots.iter_mut().for_each(|s| s.1 = 0);
                1
            }
        };
        let (stamp, mask) = (self.stamp, self.slots.len() - 1);
        out.reserve(features.len());
        for &(kind, hash) in features {
            // xxh3 hashes: their low bits place them; the kind moves equal hashes apart.
            let mut i =
                (hash ^ u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as usize & mask;
            loop {
                let s = &mut self.slots[i];
                if s.1 != stamp {
                    *s = (hash, stamp, kind);
                    out.push((kind, hash));
                    break;
                }
                if s.0 == hash && s.2 == kind {
                    break;
                }
                i = (i + 1) & mask;
            }
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
        !self.is_empty() && self.len() + n > self.max_items
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
        let e = self.sites.entry(site).or_default();
        e.pages += 1;
        match e.pages {
            1 => {
                let start = self.firsts.len();
                self.seen.distinct_into(features, &mut self.firsts);
                e.first = (start, self.firsts.len());
                return;
            }
            2 => {
                // The site's first page goes into the table now.
                let (start, end) = std::mem::take(&mut e.first);
                count_page(
                    &mut self.features,
                    &mut self.page,
                    site,
                    &self.firsts[start..end],
                );
                self.dead += end - start;
                if self.dead > 4096 && self.dead * 2 > self.firsts.len() {
                    self.compact();
                }
            }
            _ => {}
        }
        count_page(&mut self.features, &mut self.page, site, features);
    }

    /// Drops the dead entries of `firsts`.
    fn compact(&mut self) {
        let mut live = Vec::with_capacity(self.firsts.len() - self.dead);
        for e in self.sites.values_mut().filter(|e| e.pages == 1) {
            let start = live.len();
            live.extend_from_slice(&self.firsts[e.first.0..e.first.1]);
            e.first = (start, live.len());
        }
        self.firsts = live;
        self.dead = 0;
    }

    /// The features of the sites held aside with one page, each once: (site, kind, hash).
    fn held(&self) -> impl Iterator<Item = (u32, u8, u64)> + '_ {
        (self.sites.iter())
            .filter(|(_, e)| e.pages == 1)
            .flat_map(|(&site, e)| {
                self.firsts[e.first.0..e.first.1]
                    .iter()
                    .map(move |&(k, h)| (site, k, h))
            })
    }

    /// Distinct (site, feature) pairs held, in the table or aside (dead entries included
    /// until they are dropped): the memory driver.
    pub fn len(&self) -> usize {
        self.features.len() + self.firsts.len()
    }

    /// Whether no page was counted.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Pages counted per site id.
    pub(super) fn pages(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.sites.iter().map(|(&s, e)| (s, e.pages))
    }

    /// The feature counts, keyed by (site id, kind, hash), in no particular order.
    pub(super) fn into_counts(self) -> impl Iterator<Item = FeatureCount> {
        let Counter {
            features,
            sites,
            firsts,
            ..
        } = self;
        let firsts = std::rc::Rc::new(firsts);
        let held = (sites.into_iter().filter(|(_, e)| e.pages == 1)).flat_map(move |(site, e)| {
            let firsts = std::rc::Rc::clone(&firsts);
            (e.first.0..e.first.1).map(move |i| {
                let (kind, hash) = firsts[i];
                ((site, kind, hash), 1)
            })
        });
        (features.into_slots())
            .map(|s| ((s.site, s.kind, s.hash), s.pages))
            .chain(held)
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
        let pages: FxHashMap<u32, u64> = self.pages().collect();
        let mut feats: RankedFeatures = Vec::with_capacity(match single {
            Some(_) => self.features.len(),
            None => self.len() - self.dead,
        });
        for (site, kind, hash) in self.held() {
            match single.as_mut() {
                Some(single) => single(kind, hash)?,
                None => feats.push(((rank[site as usize], kind, hash), 1)),
            }
        }
        for s in self.features.into_slots() {
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
            self.pages()
                .map(|(s, n)| (sites.name(s).as_bytes().to_vec(), n)),
        );
        self.emit(sites, |k, v| w.push(k, v))?;
        dir.add_key_run(w.finish()?);
        Ok(())
    }
}

/// Counts one page of `site` in `table`: each of `features` once, page numbers in `page`
/// (the number of the last page counted, from 1).
fn count_page(table: &mut FeatureTable, page: &mut u32, site: u32, features: &[(u8, u64)]) {
    *page = match page.checked_add(1) {
        Some(p) => p,
        None => {
            // After 4 billion pages: forget the old page numbers rather than reuse them.
            table.iter_mut().for_each(|t| t.last = 0);
            1
        }
    };
    let page = *page;
    // Slots of features a few ahead are fetched while this one is counted: the table is far
    // larger than the caches, and a miss costs more than the rest of the work. A feature
    // takes a few nanoseconds, a miss to memory about a hundred: 16 ahead, and the first 16
    // before the loop.
    const AHEAD: usize = 16;
    for &(k, h) in features.iter().take(AHEAD) {
        table.prefetch(site, k, h);
    }
    for (i, &(kind, hash)) in features.iter().enumerate() {
        if let Some(&(k, h)) = features.get(i + AHEAD) {
            table.prefetch(site, k, h);
        }
        let t = table.slot(site, kind, hash);
        if t.last != page {
            t.last = page;
            t.pages += 1;
        }
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
    use std::collections::BTreeMap;

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
    /// First pages held aside (and compacted as sites get second pages) count as the table
    /// would: every pair once per page, one-page sites' pairs once.
    #[test]
    fn first_pages_held_aside_count_as_the_table_does() {
        let mut sites = SiteTable::default();
        let names: Vec<String> = (0..3000).map(|i| format!("s{i:04}.example")).collect();
        let ids: Vec<u32> = names.iter().map(|n| sites.intern(n)).collect();
        let mut c = Counter::new();
        let mut want: BTreeMap<(String, u8, u64), u64> = BTreeMap::new();
        let mut pages: BTreeMap<String, u64> = BTreeMap::new();
        // Sites get 1, 2 or 3 pages, interleaved, so that compaction moves pages still held.
        for round in 0..3u64 {
            for (i, &id) in ids.iter().enumerate() {
                if (i as u64 % 3) < round {
                    continue;
                }
                let i = i as u64;
                let page: Vec<(u8, u64)> = (0..6)
                    .map(|j| {
                        (
                            if j % 2 == 0 { KIND_BLOCK } else { KIND_TOKEN },
                            (i * 7 + j + round) % 50,
                        )
                    })
                    .chain([(KIND_BLOCK, 3), (KIND_BLOCK, 3)])
                    .collect();
                let mut distinct = page.clone();
                distinct.sort_unstable();
                distinct.dedup();
                for (k, h) in distinct {
                    *want.entry((names[i as usize].clone(), k, h)).or_default() += 1;
                }
                *pages.entry(names[i as usize].clone()).or_default() += 1;
                c.add_page(id, &page);
            }
        }
        // 3,000 first pages of about 7 features were held; the second pages of 2,000 sites
        // made theirs dead, and compaction dropped them.
        assert!(c.firsts.len() < 12_000, "compacted: {}", c.firsts.len());
        let mut expected: Vec<(Vec<u8>, u64)> = want
            .into_iter()
            .map(|((s, k, h), n)| (block_key(&s, k, h), n))
            .collect();
        expected.extend(pages.into_iter().map(|(s, n)| (pages_key(&s), n)));
        assert_eq!(c.into_sorted_entries(&sites), expected);
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
