//! The frequency model: how often each block and token recurs on each site, and on how many
//! sites each block occurs, stored as one `fst` map in a versioned, checksummed file.
//!
//! # Keys
//! All keys live in one map, ordered bytewise, values are counts:
//!
//! | key | value |
//! |---|---|
//! | `B` site `\0` kind hash(8, big-endian) | pages of the site that contain the feature |
//! | `G` kind hash | sites whose pages contain the block (final models only, ≥ 2) |
//! | `P` site | pages of the site |
//!
//! A *partial* model (`learn --partial`) keeps every site feature, singletons included, and no
//! `G` keys: that is what a later [`merge`] needs to give exactly the model learned in one go.
//! A *final* model drops features seen on one page only (they carry no evidence), and token
//! and affix features below their floors ([`ModelParams::min_affix_pages`] and a share of
//! their site's pages, [`ModelParams::token_share_permille`]), and adds the cross-site `G`
//! counts. Both learning and merging end in one sink, so the two paths give
//! byte-identical files.
//!
//! # Parts
//! - `format`: the key encoding and the file's envelope (magic, version, JSON [`Header`],
//!   fst bytes, xxh3-64 checksum); models/FORMAT.md describes it for other readers.
//! - `counter`: `SiteTable` and `Counter`, what learning fills.
//! - `write`: the sink that turns sorted partial entries into a file (`write_entries`).
//! - `spill`: sorted runs on disk, when counts outgrow the memory budget.
//! - `merge`: [`merge`], the streaming union of partial models.
//! - `memory`: `run`'s model held in hash tables instead of a file.
//! - `prior`: [`Prior`], generic chrome learned across many sites, shipped with dechrome.
//! - `filter`: a Bloom filter of the `G` block hashes, asked before the fst.
//!
//! Memory: a loaded model costs its mapped pages and 2 to 4 bytes per `G` key (the filter
//! in front of the cross-site counts); learning holds one `Counter` entry per
//! distinct (site, feature) pair seen, about 40 bytes each (16 while the site has one page),
//! within the job's budget.

mod counter;
mod filter;
mod format;
mod learner;
mod memory;
mod merge;
mod prior;
mod spill;
mod table;
mod write;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use fst::{IntoStreamer, Map, Streamer};
use memmap2::Mmap;
use xxhash_rust::xxh3::xxh3_64;

pub(crate) use counter::{Counter, SiteTable};
pub use format::{Header, ModelParams, FORMAT_VERSION};
pub use learner::Learner;
pub use merge::{merge, MergeOptions};
pub use prior::{build_prior, Prior, PriorHeader, PRIOR_FORMAT_VERSION};
pub(crate) use spill::SpillDir;
#[cfg(test)]
pub(crate) use write::write_entries;
pub(crate) use write::ModelSink;

use crate::error::{Error, Result};
use crate::shingle::KIND_BLOCK;
use filter::HashFilter;
use format::{pages_key, parse_block_key, site_prefix, TAG_BLOCK, TAG_GLOBAL, TAG_PAGES};
use memory::MemoryStore;

/// Default memory for learning and merging when none is given: 1 GiB.
pub const DEFAULT_MEMORY: usize = 1 << 30;

/// Bytes of a memory-mapped model file, restricted to its fst region.
#[derive(Clone)]
pub(crate) struct FstBytes {
    mmap: Arc<Mmap>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for FstBytes {
    fn as_ref(&self) -> &[u8] {
        &self.mmap[self.start..self.end]
    }
}

/// A loaded model. Cheap to share between threads (`&Model` is `Sync`).
///
/// Usually a memory-mapped model file, which costs its mapped pages (the OS pages them in as
/// lookups touch them), a filter of its cross-site keys (2–4 bytes each) and, once a page of
/// one of a shard's sites is cleaned, a filter of that shard's site features (2–4 bytes per
/// key of the shard); `run` may instead clean against the same counts held in hash
/// tables (`memory`), which answer every lookup alike.
pub struct Model {
    /// The file it was opened from (a description for a model held in memory).
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    store: Store,
}

enum Store {
    Fst {
        /// The model's shards, in key order (one for a version-2 file).
        shards: Vec<Shard>,
        /// Where the `G` block keys branch off: their shard, and the node after `G` and the
        /// block kind with the output gathered on the way (`None` when the model has no such
        /// key).
        global: Option<(usize, Cursor)>,
        /// The hashes of the `G` block keys, asked before the fst (most blocks are on one
        /// site and have none).
        global_filter: HashFilter,
    },
    Memory(MemoryStore),
}

/// One shard of a model file: the fst map of a run of its keys.
pub(crate) struct Shard {
    /// The shard's first key (empty for a shard without keys).
    first: Vec<u8>,
    pub(crate) map: Map<FstBytes>,
    /// A filter of the shard's site features ([`feature_probe`]), made at its first use.
    ///
    /// Memory: 2–4 bytes per `B` key of the shard, once a page of one of its sites is
    /// cleaned.
    features: OnceLock<HashFilter>,
}

impl Shard {
    /// The filter of the shard's site features: most features of a page (its own lines and
    /// their words) are on no other page of its site, and the fst answers "no" only after a
    /// node per key byte down to where the hash leaves the site's keys. Made from the shard's
    /// `B` keys the first time it is asked (a shard holds about 65,536 keys: a few
    /// milliseconds), so that a job touches only the shards of the sites it cleans.
    fn features(&self) -> &HashFilter {
        self.features.get_or_init(|| {
            let mut probes = Vec::new();
            let mut site: (Vec<u8>, u64) = (Vec::new(), 0);
            for_each_key_under(self.map.as_fst(), &[TAG_BLOCK], |k| {
                if let Some((name, kind, hash)) = parse_block_key(k) {
                    if site.0 != name {
                        site = (name.to_vec(), xxh3_64(name));
                    }
                    probes.push(feature_probe(site.1, kind, hash));
                }
            });
            HashFilter::new(&probes)
        })
    }
}

/// What a shard's feature filter holds for the feature (`kind`, `hash`) of the site whose
/// name hashes (xxh3) to `site`: still uniform in every bit, as the filter needs, since
/// `hash` is.
#[inline]
fn feature_probe(site: u64, kind: u8, hash: u64) -> u64 {
    hash ^ site ^ u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The shard that holds `key`, if any does: the last whose first key is not above it.
fn shard_of(shards: &[Shard], key: &[u8]) -> usize {
    shards
        .partition_point(|s| s.first.as_slice() <= key)
        .saturating_sub(1)
}

/// Threads that build a model's shards in jobs that do not say how many: one per core.
pub(crate) fn shard_builders() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A node of the model's fst and the output summed on the path to it: a lookup of a key with
/// a known prefix starts here instead of at the root.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    addr: fst::raw::CompiledAddr,
    out: fst::raw::Output,
}

/// The part of the model about one site, looked up once per page.
#[derive(Debug, Clone)]
pub struct SiteView {
    /// Pages of this site in the model (0 for a site the model never saw).
    pub pages: u64,
    prefix: Vec<u8>,
    /// The fst node after `prefix` (`None` when no key has it), in shard `shard`.
    node: Option<Cursor>,
    shard: usize,
    /// The site's id in an in-memory model (`u32::MAX` when it has none).
    id: u32,
    /// xxh3 of the site's name, for the shard's feature filter (see [`feature_probe`]).
    name_hash: u64,
}

impl SiteView {
    /// A number that tells this site's keys apart from every other site's in the same model
    /// (0 for a site without keys), for caching lookups.
    pub(crate) fn key_id(&self) -> u64 {
        match self.node {
            Some(c) => ((self.shard as u64) << 40 | c.addr as u64) + 1,
            None if self.id != u32::MAX => self.id as u64 + 1,
            None => 0,
        }
    }
}

impl Model {
    /// Opens a model for cleaning: a final model, not a partial one (whose singleton counts
    /// and missing cross-site counts would mislead the cleaner).
    pub fn open_final(path: &Path) -> Result<Model> {
        let m = Model::open(path)?;
        if m.header.partial {
            return Err(Error::ModelKind {
                path: path.to_path_buf(),
                what: "is a partial model".into(),
                hint: format!(
                    "finish it with `dechrome merge {} -o MODEL` first",
                    path.display()
                ),
            });
        }
        Ok(m)
    }

    /// Opens and checks a model file: magic, version and checksum.
    pub fn open(path: &Path) -> Result<Model> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is read-only; a model file changed under a running job is the
        // user's error, as with any mmap-based reader (ripgrep, fst).
        let mmap = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        Self::from_mmap(path, Arc::new(mmap))
    }

    fn from_mmap(path: &Path, mmap: Arc<Mmap>) -> Result<Model> {
        let (header, ranges) = format::parse(path, &mmap)?;
        let mut shards: Vec<Shard> = Vec::with_capacity(ranges.len());
        for r in ranges {
            let fst_bytes = FstBytes {
                mmap: mmap.clone(),
                start: r.start,
                end: r.end,
            };
            let map = Map::new(fst_bytes).map_err(|e| Error::ModelCorrupt {
                path: path.to_path_buf(),
                detail: format!("fst: {e}"),
            })?;
            let first = map.stream().next().map(|(k, _)| k.to_vec());
            let first = first.unwrap_or_default();
            if shards.last().is_some_and(|s| s.first >= first) {
                return Err(Error::ModelCorrupt {
                    path: path.to_path_buf(),
                    detail: "shards out of key order".into(),
                });
            }
            shards.push(Shard {
                first,
                map,
                features: OnceLock::new(),
            });
        }
        let g = [TAG_GLOBAL, KIND_BLOCK];
        let at = shard_of(&shards, &[TAG_GLOBAL, KIND_BLOCK, u8::MAX]);
        let global = descend(shards[at].map.as_fst(), None, &g).map(|c| (at, c));
        let mut hashes = Vec::new();
        if global.is_some() {
            for_each_key_under(shards[at].map.as_fst(), &g, |k| {
                if let Ok(h) = <[u8; 8]>::try_from(&k[2..]) {
                    hashes.push(u64::from_be_bytes(h));
                }
            });
        }
        Ok(Model {
            path: path.to_path_buf(),
            header,
            store: Store::Fst {
                shards,
                global,
                global_filter: HashFilter::new(&hashes),
            },
        })
    }

    /// The model's shards, in key order, for tools that search or stream the keys (each
    /// shard's keys, then the next shard's, are all keys in order); `None` for a model held
    /// in memory.
    pub(crate) fn shards(&self) -> Option<&[Shard]> {
        match &self.store {
            Store::Fst { shards, .. } => Some(shards),
            Store::Memory(_) => None,
        }
    }

    /// The shard that holds every key with the tag `tag` (`G` cross-site counts, `P` page
    /// counts: the writer never splits a tag's keys but the `B` keys, which it splits only
    /// between sites); `None` for a model held in memory.
    pub(crate) fn tag_shard(&self, tag: u8) -> Option<&Map<FstBytes>> {
        let shards = self.shards()?;
        Some(&shards[shard_of(shards, &[tag + 1])].map)
    }

    /// Whether lookups are hash-table probes already (no cache in front of them pays).
    pub(crate) fn is_in_memory(&self) -> bool {
        matches!(self.store, Store::Memory(_))
    }

    /// Looks up a site.
    pub fn site(&self, site: &str) -> SiteView {
        let shards = match &self.store {
            Store::Fst { shards, .. } => shards,
            Store::Memory(m) => {
                let (id, pages) = m.site(site);
                return SiteView {
                    pages,
                    prefix: Vec::new(),
                    node: None,
                    shard: 0,
                    id,
                    name_hash: 0,
                };
            }
        };
        let pk = pages_key(site);
        let pages = shards[shard_of(shards, &pk)].map.get(&pk).unwrap_or(0);
        let mut prefix = site_prefix(site);
        // The site's keys are all in one shard: the one that holds the key past its last.
        prefix.push(u8::MAX);
        let shard = shard_of(shards, &prefix);
        prefix.pop();
        let node = if pages == 0 {
            None
        } else {
            descend(shards[shard].map.as_fst(), None, &prefix)
        };
        SiteView {
            pages,
            prefix,
            node,
            shard,
            id: u32::MAX,
            name_hash: xxh3_64(site.as_bytes()),
        }
    }

    /// Pages of the site that contain the feature.
    #[inline]
    pub fn site_count(&self, site: &SiteView, kind: u8, hash: u64) -> u64 {
        if site.pages == 0 {
            return 0;
        }
        match &self.store {
            Store::Fst { shards, .. } => {
                // The same value as `map.get(B site \0 kind hash)`, walking from the node
                // after the site's prefix (found once per page) instead of from the root.
                let Some(at) = site.node else {
                    return 0;
                };
                value_after(shards[site.shard].map.as_fst(), at, Some(kind), hash)
            }
            Store::Memory(m) => m.site_count(site.id, kind, hash),
        }
    }

    /// Whether the site may have the feature (`false`: [`Model::site_count`] is surely 0),
    /// answered from the filter of its shard's features without walking the fst: a cache
    /// in front of `site_count` need not hold the features this rules out.
    #[inline]
    pub(crate) fn may_have_site_feature(&self, site: &SiteView, kind: u8, hash: u64) -> bool {
        match &self.store {
            Store::Fst { shards, .. } => {
                site.node.is_some()
                    && shards[site.shard].features().may_hold(feature_probe(
                        site.name_hash,
                        kind,
                        hash,
                    ))
            }
            Store::Memory(_) => true,
        }
    }

    /// Sites whose pages contain the block.
    #[inline]
    pub fn cross_sites(&self, hash: u64) -> u64 {
        match &self.store {
            Store::Fst {
                shards,
                global: Some((shard, at)),
                global_filter,
            } if global_filter.may_hold(hash) => {
                value_after(shards[*shard].map.as_fst(), *at, None, hash)
            }
            Store::Fst { .. } => 0,
            Store::Memory(m) => m.cross_sites(hash),
        }
    }

    /// Whether the block may be on other sites (`false`: surely on none), answered without
    /// walking the fst: a cache in front of [`Model::cross_sites`] need not hold the
    /// blocks this rules out.
    #[inline]
    pub(crate) fn may_be_cross_site(&self, hash: u64) -> bool {
        match &self.store {
            Store::Fst {
                global: Some(_),
                global_filter,
                ..
            } => global_filter.may_hold(hash),
            Store::Fst { global: None, .. } => false,
            Store::Memory(_) => true,
        }
    }

    /// Every site with its page count, in name order.
    pub fn sites(&self) -> Vec<(String, u64)> {
        match &self.store {
            Store::Memory(m) => m.sites(),
            Store::Fst { .. } => (self.site_pages_raw().into_iter())
                .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
                .collect(),
        }
    }

    /// Every site with its page count, in name order, the name as the model's bytes.
    pub(crate) fn site_pages_raw(&self) -> Vec<(Vec<u8>, u64)> {
        match &self.store {
            Store::Fst { .. } => {
                let map = self.tag_shard(TAG_PAGES).expect("a model file has shards");
                let r = map.range().ge([TAG_PAGES]).lt([TAG_PAGES + 1]);
                r.into_stream()
                    .into_byte_vec()
                    .into_iter()
                    .map(|(k, v)| (k[1..].to_vec(), v))
                    .collect()
            }
            Store::Memory(m) => (m.sites().into_iter())
                .map(|(s, n)| (s.into_bytes(), n))
                .collect(),
        }
    }

    /// Every site feature `(kind, hash, count)` of one site, in key order.
    pub fn site_features(&self, site: &str) -> Vec<(u8, u64, u64)> {
        let view = self.site(site);
        let map = match &self.store {
            Store::Fst { shards, .. } => &shards[view.shard].map,
            Store::Memory(m) => return m.site_features(view.id),
        };
        let mut hi = view.prefix.clone();
        *hi.last_mut().unwrap() = 1;
        let mut out = Vec::new();
        let mut s = map.range().ge(&view.prefix).lt(&hi).into_stream();
        while let Some((k, v)) = s.next() {
            if let Some((_, kind, hash)) = parse_block_key(k) {
                out.push((kind, hash, v));
            }
        }
        out
    }
}

/// Follows `bytes` from `from` (the root when `None`): the node reached, with the output summed
/// on the way, or `None` when no key continues that way.
fn descend<D: AsRef<[u8]>>(
    fst: &fst::raw::Fst<D>,
    from: Option<Cursor>,
    bytes: &[u8],
) -> Option<Cursor> {
    let (mut node, mut out) = match from {
        Some(c) => (fst.node(c.addr), c.out),
        None => (fst.root(), fst::raw::Output::zero()),
    };
    for &b in bytes {
        let t = node.transition(node.find_input(b)?);
        out = out.cat(t.out);
        node = fst.node(t.addr);
    }
    Some(Cursor {
        addr: node.addr(),
        out,
    })
}

/// Calls `f` with every key of `fst` that begins with `prefix`, in key order: a depth-first
/// walk of the raw nodes. A stream over the prefix's range does the same with bounds, an
/// automaton and outputs to keep: building a shard's feature filter with one took ~400 ns a
/// key (7% of `clean` on the dev sets, whose model is large for their pages).
///
/// Memory: the key at hand and a node per byte of it.
fn for_each_key_under<D: AsRef<[u8]>>(
    fst: &fst::raw::Fst<D>,
    prefix: &[u8],
    mut f: impl FnMut(&[u8]),
) {
    let Some(at) = descend(fst, None, prefix) else {
        return;
    };
    let mut key = prefix.to_vec();
    let start = fst.node(at.addr);
    if start.is_final() {
        f(&key);
    }
    // Each node on the path to the key at hand, with its next transition to take.
    let mut path = vec![(start, 0)];
    while let Some((node, next)) = path.last_mut() {
        if *next == node.len() {
            path.pop();
            key.pop();
            continue;
        }
        let t = node.transition(*next);
        *next += 1;
        key.push(t.inp);
        let child = fst.node(t.addr);
        if child.is_final() {
            f(&key);
        }
        path.push((child, 0));
    }
}

/// The value of the key `prefix kind hash` (`prefix hash` when `kind` is `None`), where `at`
/// is the node after `prefix`; 0 when there is no such key.
#[inline]
fn value_after<D: AsRef<[u8]>>(
    fst: &fst::raw::Fst<D>,
    at: Cursor,
    kind: Option<u8>,
    hash: u64,
) -> u64 {
    let mut node = fst.node(at.addr);
    let mut out = at.out;
    for b in kind.into_iter().chain(hash.to_be_bytes()) {
        let Some(i) = node.find_input(b) else {
            return 0;
        };
        let t = node.transition(i);
        out = out.cat(t.out);
        node = fst.node(t.addr);
    }
    if node.is_final() {
        out.cat(node.final_output()).value()
    } else {
        0
    }
}

/// A final model of `counter`'s counts, written to a temporary directory (kept alive by the
/// returned guard) and opened: for the unit tests of the modules that read models.
#[cfg(test)]
pub(crate) fn test_model(counter: Counter, sites: &SiteTable) -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.model");
    write_entries(
        &p,
        counter.into_sorted_entries(sites),
        ModelParams::default(),
        false,
    )
    .unwrap();
    let m = Model::open(&p).unwrap();
    (dir, m)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::format::MAGIC;
    use super::*;
    use crate::shingle::KIND_TOKEN;

    proptest::proptest! {
        #[test]
        fn the_walk_under_a_prefix_gives_the_keys_with_it_in_order(
            keys in proptest::collection::btree_set(
                proptest::collection::vec(proptest::sample::select(b"ABGa\0\xff".to_vec()), 0..7),
                0..60,
            ),
            prefix in proptest::collection::vec(proptest::sample::select(b"ABG".to_vec()), 0..3),
        ) {
            let map = fst::Map::from_iter(keys.iter().map(|k| (k.as_slice(), 1))).unwrap();
            let mut walked = Vec::new();
            for_each_key_under(map.as_fst(), &prefix, |k| walked.push(k.to_vec()));
            let want: Vec<Vec<u8>> =
                keys.iter().filter(|k| k.starts_with(&prefix)).cloned().collect();
            proptest::prop_assert_eq!(walked, want);
        }
    }

    /// Three pages of two sites: blocks 1 and 2 on both sites, block 3 and token 9 on one.
    pub(super) fn sample_counter(sites: &mut SiteTable) -> Counter {
        let mut c = Counter::new();
        let a = sites.intern("a.example");
        let b = sites.intern("b.example");
        c.add_page(a, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2), (KIND_TOKEN, 9)]);
        c.add_page(a, &[(KIND_BLOCK, 1), (KIND_BLOCK, 3), (KIND_TOKEN, 9)]);
        c.add_page(b, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2)]);
        c
    }

    #[test]
    fn model_round_trip() {
        let mut sites = SiteTable::default();
        let c = sample_counter(&mut sites);
        let (_dir, m) = test_model(c, &sites);
        assert!(!m.header.partial);
        assert_eq!((m.header.pages, m.header.sites), (3, 2));
        let a = m.site("a.example");
        assert_eq!(a.pages, 2);
        assert_eq!(m.site_count(&a, KIND_BLOCK, 1), 2);
        assert_eq!(m.site_count(&a, KIND_BLOCK, 2), 0, "singletons are dropped");
        assert_eq!(
            m.site_count(&a, KIND_TOKEN, 9),
            0,
            "tokens on fewer than min_affix_pages pages are dropped"
        );
        assert_eq!(m.cross_sites(1), 2);
        assert_eq!(m.cross_sites(2), 2);
        assert_eq!(m.cross_sites(3), 0);
        assert_eq!(m.site("nope").pages, 0);
        assert_eq!(
            m.sites(),
            vec![("a.example".to_string(), 2), ("b.example".to_string(), 1)]
        );
    }

    /// A model cut into many shards (down to one key each) answers every lookup as the same
    /// model in one shard, and its file is the same whatever the number of threads that built
    /// its shards.
    #[test]
    fn a_sharded_model_answers_as_one_fst() {
        use super::write::write_entries_sharded;
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        let names: Vec<String> = (0..12).map(|i| format!("s{i}.example")).collect();
        for (i, n) in names.iter().enumerate() {
            let id = sites.intern(n);
            for p in 0..3u64 {
                let feats: Vec<(u8, u64)> = (0..(5 + i as u64))
                    .map(|h| {
                        (
                            if h % 3 == 0 { KIND_TOKEN } else { KIND_BLOCK },
                            h * 7 + p % 2,
                        )
                    })
                    .collect();
                c.add_page(id, &feats);
            }
        }
        let entries = c.into_sorted_entries(&sites);
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.model");
        write_entries_sharded(&one, entries.clone(), false, usize::MAX, 0).unwrap();
        let one = Model::open(&one).unwrap();
        assert_eq!(one.shards().unwrap().len(), 1);
        for shard_keys in [1, 2, 7, 40] {
            let mut files = Vec::new();
            for builders in [0, 1, 3] {
                let p = dir.path().join(format!("m{shard_keys}-{builders}.model"));
                write_entries_sharded(&p, entries.clone(), false, shard_keys, builders).unwrap();
                files.push(std::fs::read(&p).unwrap());
                let m = Model::open(&p).unwrap();
                assert!(shard_keys > 40 || m.shards().unwrap().len() > 2);
                assert_eq!(m.header, one.header);
                assert_eq!(m.sites(), one.sites());
                for n in names.iter().map(String::as_str).chain(["nope.example"]) {
                    let (a, b) = (m.site(n), one.site(n));
                    assert_eq!(a.pages, b.pages);
                    assert_eq!(m.site_features(n), one.site_features(n));
                    for h in 0..120 {
                        for kind in [KIND_BLOCK, KIND_TOKEN] {
                            assert_eq!(m.site_count(&a, kind, h), one.site_count(&b, kind, h));
                        }
                        assert_eq!(m.cross_sites(h), one.cross_sites(h));
                    }
                }
            }
            assert!(
                files.windows(2).all(|w| w[0] == w[1]),
                "same bytes, any threads"
            );
        }
    }

    /// A final model keeps blocks from two pages but tokens and affixes from
    /// `min_affix_pages` only; a header without that field (an older file) reads as 2.
    #[test]
    fn tokens_and_affixes_below_the_template_floor_are_left_out() {
        use crate::shingle::{KIND_PREFIX, KIND_SUFFIX};
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        let a = sites.intern("a.example");
        for p in 0..4u64 {
            let mut feats = vec![(KIND_BLOCK, 1), (KIND_TOKEN, 10), (KIND_PREFIX, 20)];
            if p < 3 {
                feats.extend([(KIND_TOKEN, 11), (KIND_SUFFIX, 21)]);
            }
            if p < 2 {
                feats.extend([(KIND_BLOCK, 2), (KIND_TOKEN, 12), (KIND_PREFIX, 22)]);
            }
            c.add_page(a, &feats);
        }
        let (_dir, m) = test_model(c, &sites);
        assert_eq!(m.header.params.min_affix_pages, 3);
        let v = m.site("a.example");
        let got = |kind, h| m.site_count(&v, kind, h);
        assert_eq!((got(KIND_BLOCK, 1), got(KIND_BLOCK, 2)), (4, 2));
        assert_eq!((got(KIND_TOKEN, 10), got(KIND_TOKEN, 11)), (4, 3));
        assert_eq!((got(KIND_PREFIX, 20), got(KIND_SUFFIX, 21)), (4, 3));
        assert_eq!((got(KIND_TOKEN, 12), got(KIND_PREFIX, 22)), (0, 0));
        let old: format::Header = serde_json::from_str(
            r#"{"partial":false,"params":{"shingle_max_tokens":12},"pages":1,"sites":1,"keys":0}"#,
        )
        .unwrap();
        assert_eq!(old.params.min_affix_pages, 2);
        assert_eq!(
            ModelParams::default().min_affix_pages as u64,
            crate::CleanConfig::default().min_template_pages
        );
    }

    /// A final model leaves out the tokens on less than a fifth of their site's pages and the
    /// prefixes and suffixes on less than a tenth (the default shares cleaning asks for); a
    /// header without the shares (an older file) reads as 0.
    #[test]
    fn tokens_and_affixes_below_their_share_of_the_site_are_left_out() {
        use crate::shingle::{KIND_PREFIX, KIND_SUFFIX};
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        let a = sites.intern("a.example");
        let b = sites.intern("b.example");
        // 40 pages of a: a token on 8 (a fifth) and one on 7; a prefix on 4 (a tenth), a
        // suffix on 3. Four pages of b: the same token on 3 (below a fifth of 40, above the
        // floor of 3 pages).
        for p in 0..40u64 {
            let mut feats = vec![(KIND_BLOCK, 1)];
            if p < 8 {
                feats.push((KIND_TOKEN, 10));
            }
            if p < 7 {
                feats.push((KIND_TOKEN, 11));
            }
            if p < 4 {
                feats.push((KIND_PREFIX, 20));
            }
            if p < 3 {
                feats.push((KIND_SUFFIX, 21));
            }
            c.add_page(a, &feats);
            if p < 4 {
                c.add_page(b, &[(KIND_TOKEN, if p < 3 { 11 } else { 12 })]);
            }
        }
        let (_dir, m) = test_model(c, &sites);
        assert_eq!(m.header.params.token_share_permille, 200);
        assert_eq!(m.header.params.affix_share_permille, 100);
        let v = m.site("a.example");
        let got = |kind, h| m.site_count(&v, kind, h);
        assert_eq!((got(KIND_TOKEN, 10), got(KIND_TOKEN, 11)), (8, 0));
        assert_eq!((got(KIND_PREFIX, 20), got(KIND_SUFFIX, 21)), (4, 0));
        assert_eq!(m.site_count(&m.site("b.example"), KIND_TOKEN, 11), 3);
        let old: format::Header = serde_json::from_str(
            r#"{"partial":false,"params":{"shingle_max_tokens":12,"min_affix_pages":3},"pages":1,"sites":1,"keys":0}"#,
        )
        .unwrap();
        assert_eq!(old.params.token_share(), 0.0);
        let clean = crate::CleanConfig::default();
        let params = ModelParams::default();
        assert_eq!(
            (params.token_share(), params.affix_share()),
            (clean.token_share, clean.template_share)
        );
    }

    /// The filter in front of the cross-site counts never hides one: over thousands of
    /// uniform block hashes on one to four sites, every count is the fst's.
    #[test]
    fn cross_site_counts_pass_the_filter() {
        use xxhash_rust::xxh3::xxh3_64;
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        let hash = |i: u64| xxh3_64(&i.to_le_bytes());
        for s in 0..4u64 {
            let id = sites.intern(&format!("s{s}.example"));
            // Block i is on the sites s <= i % 4: i % 4 + 1 sites.
            let feats: Vec<(u8, u64)> = (0..4000u64)
                .filter(|i| s <= i % 4)
                .map(|i| (KIND_BLOCK, hash(i)))
                .collect();
            c.add_page(id, &feats);
        }
        let (_dir, m) = test_model(c, &sites);
        for i in 0..8000u64 {
            let want = if i < 4000 && i % 4 > 0 { i % 4 + 1 } else { 0 };
            assert_eq!(m.cross_sites(hash(i)), want, "block {i}");
            assert!(want == 0 || m.may_be_cross_site(hash(i)));
        }
    }

    /// The filter of a shard's site features never hides one: over sites whose keys fill
    /// several shards, every feature a site has passes it, and most it has not do not.
    #[test]
    fn site_features_pass_their_shards_filter() {
        use crate::shingle::KIND_TOKEN;
        use xxhash_rust::xxh3::xxh3_64;
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        let hash = |i: u64| xxh3_64(&i.to_le_bytes());
        for s in 0..6u64 {
            let id = sites.intern(&format!("s{s}.example"));
            // Site s has blocks and tokens i = s (mod 3) on three pages.
            let feats: Vec<(u8, u64)> = (0..3000u64)
                .filter(|i| i % 3 == s % 3)
                .flat_map(|i| [(KIND_BLOCK, hash(i)), (KIND_TOKEN, hash(i))])
                .collect();
            for _ in 0..3 {
                c.add_page(id, &feats);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.model");
        let entries = c.into_sorted_entries(&sites);
        write::write_entries_sharded(&p, entries, false, 1500, 0).unwrap();
        let m = Model::open(&p).unwrap();
        assert!(
            m.shards().unwrap().len() >= 4,
            "the keys fill several shards"
        );
        let mut passed = 0;
        for s in 0..6u64 {
            let v = m.site(&format!("s{s}.example"));
            for i in 0..3000u64 {
                for kind in [KIND_BLOCK, KIND_TOKEN] {
                    let has = m.site_count(&v, kind, hash(i)) > 0;
                    assert_eq!(has, i % 3 == s % 3, "site {s} feature {i}");
                    let may = m.may_have_site_feature(&v, kind, hash(i));
                    assert!(may || !has, "site {s} feature {i} hidden");
                    passed += usize::from(may && !has);
                }
            }
        }
        // 24,000 absent features; about 1.4% expected to pass.
        assert!(passed < 2_400, "{passed} absent features passed");
        assert!(!m.may_have_site_feature(&m.site("elsewhere.example"), KIND_BLOCK, hash(0)));
    }

    /// The final model of [`sample_counter`] written as `m.model` in `dir`.
    fn sample_model_file(dir: &Path) -> PathBuf {
        let p = dir.join("m.model");
        let mut sites = SiteTable::default();
        let c = sample_counter(&mut sites);
        let entries = c.into_sorted_entries(&sites);
        write_entries(&p, entries, ModelParams::default(), false).unwrap();
        p
    }

    /// A version-2 file (one fst, no shard table) reads as the same model.
    #[test]
    fn version_2_files_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = sample_model_file(dir.path());
        let v3 = std::fs::read(&p).unwrap();
        let hlen = u32::from_le_bytes(v3[12..16].try_into().unwrap()) as usize;
        let table = 16 + hlen;
        assert_eq!(
            u32::from_le_bytes(v3[table..table + 4].try_into().unwrap()),
            1
        );
        let mut v2 = v3[..table].to_vec();
        v2[8..12].copy_from_slice(&2u32.to_le_bytes());
        v2.extend_from_slice(&v3[table + 12..v3.len() - 8]);
        let sum = xxhash_rust::xxh3::xxh3_64(&v2);
        v2.extend_from_slice(&sum.to_le_bytes());
        let old = dir.path().join("v2.model");
        std::fs::write(&old, &v2).unwrap();
        let (a, b) = (Model::open(&p).unwrap(), Model::open(&old).unwrap());
        assert_eq!(a.header, b.header);
        assert_eq!(a.sites(), b.sites());
        for site in ["a.example", "b.example"] {
            assert_eq!(a.site_features(site), b.site_features(site));
        }
        assert_eq!(b.cross_sites(1), 2);
    }

    #[test]
    fn corrupt_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = sample_model_file(dir.path());
        let mut bytes = std::fs::read(&p).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&p, &bytes).unwrap();
        let e = Model::open(&p).err().unwrap().to_string();
        assert!(e.contains("damaged") && e.contains("checksum"), "{e}");

        std::fs::write(&p, b"not a model at all").unwrap();
        assert!(matches!(Model::open(&p), Err(Error::ModelMagic { .. })));

        let mut bytes = std::fs::read(dir.path().join("m.model")).unwrap();
        bytes.clear();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&99u32.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 20]);
        std::fs::write(&p, &bytes).unwrap();
        let e = Model::open(&p).err().unwrap().to_string();
        assert!(e.contains("version 99") && e.contains("rebuild"), "{e}");
    }
}
