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
//! A *final* model drops features seen on one page only (they carry no evidence) and adds the
//! cross-site `G` counts. Both learning and merging end in [`ModelSink`], so the two paths give
//! byte-identical files.
//!
//! # File layout
//! `DECHROME` magic, format version (u32 LE), header length (u32 LE), header (JSON), the fst
//! bytes, and an xxh3-64 checksum (u64 LE) of everything before it. Loading memory-maps the
//! file, checks magic, version and checksum, and refuses a damaged file with a message that
//! says what to do.
//!
//! Memory: a loaded model costs its mapped pages only; learning holds one [`Counter`] entry per
//! distinct (site, feature) pair seen, about 40 bytes each.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fst::{IntoStreamer, Map, MapBuilder, Streamer};
use memmap2::Mmap;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::error::{Error, Result};
use crate::fs::AtomicFile;
use crate::shingle::KIND_BLOCK;
pub(crate) mod spill;

use spill::HashCounter;
pub(crate) use spill::SpillDir;

/// The on-disk format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"DECHROME";

const TAG_BLOCK: u8 = b'B';
const TAG_GLOBAL: u8 = b'G';
const TAG_PAGES: u8 = b'P';

/// Parameters that learning and cleaning must agree on, stored in the model header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelParams {
    /// Blocks with at most this many tokens were shingled.
    pub shingle_max_tokens: u32,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            shingle_max_tokens: crate::shingle::DEFAULT_SHINGLE_MAX_TOKENS,
        }
    }
}

/// The model header, stored as JSON after the magic and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub partial: bool,
    pub params: ModelParams,
    /// Pages learned from.
    pub pages: u64,
    /// Sites learned from.
    pub sites: u64,
    /// Keys in the fst.
    pub keys: u64,
}

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

    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Per-worker feature counts: pages per site and pages per (site, feature).
///
/// Counts are document frequencies: a feature is counted at most once per page, however often
/// the page has it.
#[derive(Debug)]
pub struct Counter {
    features: FxHashMap<(u32, u8, u64), Tally>,
    pages: FxHashMap<u32, u64>,
    /// Distinct pairs this counter may hold before it must be spilled (see [`Counter::is_full_for`]).
    max_items: usize,
    /// Number of the page being added (from 1), to count its repeated features once.
    page: u32,
}

/// A feature's count, and the last page that counted it.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    pages: u32,
    last: u32,
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            features: FxHashMap::default(),
            pages: FxHashMap::default(),
            max_items: usize::MAX,
            page: 0,
        }
    }
}

/// Bytes a [`Counter`] costs per hash-table bucket (a 24-byte entry and a control byte).
const COUNTER_BUCKET_BYTES: usize = 25;
const _: () = assert!(std::mem::size_of::<((u32, u8, u64), Tally)>() + 1 == COUNTER_BUCKET_BYTES);
/// Bytes per entry of the sorted vector a counter becomes when it is written out.
const COUNTER_SORTED_BYTES: usize = 24;

impl Counter {
    pub fn new() -> Counter {
        Counter::default()
    }

    /// A counter that stays within about `budget_bytes`, including the sorted copy it makes
    /// when it is written out: it reports [`Counter::is_full_for`] before it would grow past.
    pub fn with_budget(budget_bytes: usize) -> Counter {
        // The table grows in powers of two, up to 7/8 full, and becomes a sorted vector when
        // written out: pick the table size that lets the most entries fit with that copy.
        let items = |buckets: usize| {
            let table = buckets * COUNTER_BUCKET_BYTES;
            if table >= budget_bytes {
                0
            } else {
                (buckets / 8 * 7).min((budget_bytes - table) / COUNTER_SORTED_BYTES)
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
    pub fn is_full_for(&self, n: usize) -> bool {
        !self.features.is_empty() && self.features.len() + n > self.max_items
    }

    /// Whether `n` distinct pairs fit in this counter's budget.
    pub fn fits(&self, n: usize) -> bool {
        n <= self.max_items
    }

    /// An empty counter with the same budget.
    pub fn fresh(&self) -> Counter {
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
                self.features.values_mut().for_each(|t| t.last = 0);
                1
            }
        };
        let page = self.page;
        for &(kind, hash) in features {
            let t = self.features.entry((site, kind, hash)).or_default();
            if t.last != page {
                t.last = page;
                t.pages += 1;
            }
        }
    }

    /// Adds another counter's counts into this one.
    pub fn merge(&mut self, other: Counter) {
        for (k, v) in other.features {
            self.features.entry(k).or_default().pages += v.pages;
        }
        for (k, v) in other.pages {
            *self.pages.entry(k).or_default() += v;
        }
    }

    /// Distinct (site, feature) pairs held: the memory driver.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty() && self.pages.is_empty()
    }

    /// Turns the counts into the sorted `B` and `P` entries of a partial model.
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
    pub fn emit(self, sites: &SiteTable, f: impl FnMut(&[u8], u64) -> Result<()>) -> Result<()> {
        let (order, rank) = site_ranks(sites);
        let (feats, pages) = self.into_ranked(&rank);
        emit_ranked(sites, &order, feats.into_iter(), pages, f)
    }

    /// Streams the sum of `counters` as [`Counter::emit`] streams one counter holding all
    /// their counts: each is sorted on its own thread of `pool`, and the sorted runs are
    /// merged, with no hash table built for the sum.
    pub fn emit_sum(
        counters: Vec<Counter>,
        sites: &SiteTable,
        pool: &rayon::ThreadPool,
        f: impl FnMut(&[u8], u64) -> Result<()>,
    ) -> Result<()> {
        use rayon::prelude::*;
        let (order, rank) = site_ranks(sites);
        let runs: Vec<(RankedFeatures, FxHashMap<u32, u64>)> = pool.install(|| {
            counters
                .into_par_iter()
                .map(|c| c.into_ranked(&rank))
                .collect()
        });
        let mut pages: FxHashMap<u32, u64> = FxHashMap::default();
        let mut feats = Vec::with_capacity(runs.len());
        for (fe, p) in runs {
            for (s, n) in p {
                *pages.entry(s).or_default() += n;
            }
            feats.push(fe.into_iter().peekable());
        }
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
        emit_ranked(sites, &order, merged, pages, f)
    }

    /// The feature counts keyed by (site rank, kind, hash), sorted, and the page counts.
    fn into_ranked(self, rank: &[u32]) -> (RankedFeatures, FxHashMap<u32, u64>) {
        let Counter {
            features, pages, ..
        } = self;
        let mut feats: RankedFeatures = features
            .into_iter()
            .map(|((s, k, h), v)| ((rank[s as usize], k, h), v.pages))
            .collect();
        feats.sort_unstable_by_key(|e| e.0);
        (feats, pages)
    }

    /// Writes the counts as a sorted run in `dir`, for a later [`SpillDir::merge_keys`].
    pub fn write_run(self, sites: &SiteTable, dir: &SpillDir) -> Result<()> {
        let mut w = dir.key_run()?;
        self.emit(sites, |k, v| w.push(k, v))?;
        dir.add_key_run(w.finish()?);
        Ok(())
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

/// `B` site `\0` kind hash.
pub fn block_key(site: &str, kind: u8, hash: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(site.len() + 11);
    k.push(TAG_BLOCK);
    k.extend_from_slice(site.as_bytes());
    k.push(0);
    k.push(kind);
    k.extend_from_slice(&hash.to_be_bytes());
    k
}

fn pages_key(site: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(site.len() + 1);
    k.push(TAG_PAGES);
    k.extend_from_slice(site.as_bytes());
    k
}

fn global_key(kind: u8, hash: u64) -> [u8; 10] {
    let mut k = [0u8; 10];
    k[0] = TAG_GLOBAL;
    k[1] = kind;
    k[2..].copy_from_slice(&hash.to_be_bytes());
    k
}

/// Splits a `B` key into (site, kind, hash).
fn parse_block_key(key: &[u8]) -> Option<(&[u8], u8, u64)> {
    if key.len() < 11 || key[0] != TAG_BLOCK {
        return None;
    }
    let n = key.len();
    if key[n - 10] != 0 {
        return None;
    }
    let hash = u64::from_be_bytes(key[n - 8..].try_into().ok()?);
    Some((&key[1..n - 10], key[n - 9], hash))
}

/// Builds a model file from keys in order: the fst goes to a temporary file first, since the
/// header (which precedes it) holds the key count.
///
/// The fst is built on a thread of its own, fed batches of keys, so that building it (a tenth
/// of learning's CPU time, and inherently serial) overlaps the merging that produces the keys.
pub struct ModelWriter {
    batch: KeyBatch,
    tx: Option<crossbeam_channel::Sender<KeyBatch>>,
    builder: Option<std::thread::JoinHandle<Result<MapBuilder<BufWriter<File>>>>>,
    /// The builder, when it runs on the caller's thread (no thread of its own).
    inline: Option<MapBuilder<BufWriter<File>>>,
    keys: u64,
}

/// Keys (concatenated, each with its end offset) and their values, in order.
#[derive(Default)]
struct KeyBatch {
    bytes: Vec<u8>,
    entries: Vec<(usize, u64)>,
}

/// Keys per batch sent to the building thread.
const KEY_BATCH: usize = 8192;

/// Inserts a batch of keys into an fst builder.
fn insert_batch(builder: &mut MapBuilder<BufWriter<File>>, batch: &KeyBatch) -> Result<()> {
    let mut start = 0;
    for &(end, value) in &batch.entries {
        builder
            .insert(&batch.bytes[start..end], value)
            .map_err(|e| Error::fst("writing the model (keys must arrive sorted)", e))?;
        start = end;
    }
    Ok(())
}

impl ModelWriter {
    /// A writer whose fst is built on a thread of its own (`background`), overlapping the
    /// work that produces the keys, or on the caller's thread (single-threaded jobs).
    pub fn new(background: bool) -> Result<ModelWriter> {
        let tmp = tempfile::tempfile().map_err(|e| Error::io("temporary file", e))?;
        let mut builder = MapBuilder::new(BufWriter::with_capacity(1 << 20, tmp))
            .map_err(|e| Error::fst("starting the model", e))?;
        if !background {
            return Ok(ModelWriter {
                batch: KeyBatch::default(),
                tx: None,
                builder: None,
                inline: Some(builder),
                keys: 0,
            });
        }
        let (tx, rx) = crossbeam_channel::bounded::<KeyBatch>(4);
        let handle = std::thread::spawn(move || {
            for batch in rx {
                insert_batch(&mut builder, &batch)?;
            }
            Ok(builder)
        });
        Ok(ModelWriter {
            batch: KeyBatch::default(),
            tx: Some(tx),
            builder: Some(handle),
            inline: None,
            keys: 0,
        })
    }

    /// Adds the next key; keys must be strictly increasing (an error says so at
    /// [`ModelWriter::finish`]).
    #[inline]
    pub fn insert(&mut self, key: &[u8], value: u64) -> Result<()> {
        self.batch.bytes.extend_from_slice(key);
        self.batch.entries.push((self.batch.bytes.len(), value));
        self.keys += 1;
        if self.batch.entries.len() >= KEY_BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        if let Some(b) = self.inline.as_mut() {
            insert_batch(b, &self.batch)?;
            self.batch.bytes.clear();
            self.batch.entries.clear();
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        if let Some(tx) = &self.tx {
            // A closed channel means the builder stopped on an error, which `finish` returns.
            if tx.send(batch).is_err() {
                self.tx = None;
            }
        }
        Ok(())
    }

    /// Waits for the building thread and returns its builder.
    fn built(&mut self) -> Result<MapBuilder<BufWriter<File>>> {
        self.send()?;
        if let Some(b) = self.inline.take() {
            return Ok(b);
        }
        self.tx = None;
        match self.builder.take().expect("built once").join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Writes the file (under a temporary name, renamed when complete).
    pub fn finish(mut self, path: &Path, mut header: Header) -> Result<Header> {
        let tmp = self
            .built()?
            .into_inner()
            .map_err(|e| Error::fst("finishing the model", e))?;
        let mut tmp = tmp
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?;
        header.keys = self.keys;
        let file = AtomicFile::create(path, true)?;
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Xxh3::new(),
        };
        let hjson = serde_json::to_vec(&header).expect("header serialises");
        let io_err = |e| Error::io(path, e);
        w.write_all(MAGIC).map_err(io_err)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(io_err)?;
        w.write_all(&(hjson.len() as u32).to_le_bytes())
            .map_err(io_err)?;
        w.write_all(&hjson).map_err(io_err)?;
        use std::io::Seek;
        tmp.seek(io::SeekFrom::Start(0)).map_err(io_err)?;
        io::copy(&mut tmp, &mut w).map_err(io_err)?;
        let sum = w.hasher.digest();
        let mut inner = w.inner;
        inner.write_all(&sum.to_le_bytes()).map_err(io_err)?;
        let file = inner
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?;
        file.commit()?;
        Ok(header)
    }
}

/// Writes a model file from entries already in key order. Written under a temporary name and
/// renamed when complete.
pub fn write_model<I>(path: &Path, header: Header, entries: I) -> Result<Header>
where
    I: IntoIterator<Item = (Vec<u8>, u64)>,
{
    let mut w = ModelWriter::new(true)?;
    for (k, v) in entries {
        w.insert(&k, v)?;
    }
    w.finish(path, header)
}

struct HashingWriter<W> {
    inner: W,
    hasher: Xxh3,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Where the sorted entries of a partial model go to become a model file: as they are
/// (`partial`), or finalized: site features on ≥ 2 pages, cross-site block counts on ≥ 2
/// sites, page counts. Learning (in memory or from spilled runs) and merging all end here, so
/// every path gives byte-identical files.
///
/// Memory: the cross-site counts are gathered by an external sort keyed by block hash
/// ([`HashCounter`]) within `budget` bytes; the page counts (one per site) are held until the
/// end. Everything else streams into the fst builder.
pub struct ModelSink<'d> {
    writer: ModelWriter,
    params: ModelParams,
    partial: bool,
    global: Option<HashCounter<'d>>,
    pages_entries: Vec<(Vec<u8>, u64)>,
    total_pages: u64,
    sites: u64,
    last: Vec<u8>,
}

impl<'d> ModelSink<'d> {
    /// A sink for a model of `params`, holding the cross-site counts within `budget` bytes
    /// (spilling to `dir` beyond); the fst is built on a thread of its own when `background`.
    pub fn new(
        params: ModelParams,
        partial: bool,
        budget: usize,
        dir: &'d SpillDir,
        background: bool,
    ) -> Result<ModelSink<'d>> {
        Ok(ModelSink {
            writer: ModelWriter::new(background)?,
            params,
            partial,
            global: (!partial).then(|| HashCounter::new(budget, dir)),
            pages_entries: Vec::new(),
            total_pages: 0,
            sites: 0,
            last: Vec::new(),
        })
    }

    /// Takes the next entry of a partial model; keys must be strictly increasing.
    pub fn push(&mut self, k: &[u8], v: u64) -> Result<()> {
        debug_assert!(self.last.is_empty() || self.last.as_slice() < k);
        match k.first() {
            Some(&TAG_BLOCK) => {
                if let Some(g) = self.global.as_mut() {
                    if let Some((_, kind, hash)) = parse_block_key(k) {
                        if kind == KIND_BLOCK {
                            g.push(hash)?;
                        }
                    }
                    if v >= 2 {
                        self.writer.insert(k, v)?;
                    }
                } else {
                    self.writer.insert(k, v)?;
                }
            }
            Some(&TAG_PAGES) => {
                self.total_pages += v;
                self.sites += 1;
                if self.partial {
                    self.writer.insert(k, v)?;
                } else {
                    self.pages_entries.push((k.to_vec(), v));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Writes the cross-site counts and page counts (final models) and the file.
    pub fn finish(mut self, path: &Path) -> Result<Header> {
        if let Some(g) = self.global.take() {
            let w = &mut self.writer;
            g.for_each(|h, n| {
                if n >= 2 {
                    w.insert(&global_key(KIND_BLOCK, h), n)?;
                }
                Ok(())
            })?;
            for (k, v) in std::mem::take(&mut self.pages_entries) {
                self.writer.insert(&k, v)?;
            }
        }
        let header = Header {
            partial: self.partial,
            params: self.params,
            pages: self.total_pages,
            sites: self.sites,
            keys: 0,
        };
        self.writer.finish(path, header)
    }
}

/// Default memory for learning and merging when none is given: 1 GiB.
pub const DEFAULT_MEMORY: usize = 1 << 30;

/// Bytes of a memory-mapped model file, restricted to its fst region.
#[derive(Clone)]
pub struct FstBytes {
    mmap: Arc<Mmap>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for FstBytes {
    fn as_ref(&self) -> &[u8] {
        &self.mmap[self.start..self.end]
    }
}

impl SiteView {
    /// A number that tells this site's keys apart from every other site's in the same model
    /// (0 for a site without keys), for caching lookups.
    pub fn key_id(&self) -> u64 {
        match self.node {
            Some(c) => c.addr as u64 + 1,
            None if self.id != u32::MAX => self.id as u64 + 1,
            None => 0,
        }
    }
}

/// A loaded model. Cheap to share between threads (`&Model` is `Sync`).
///
/// Usually a memory-mapped model file; `run` may instead clean against the same counts held
/// in hash tables ([`Model::from_counters`]), which answer every lookup alike.
pub struct Model {
    pub path: PathBuf,
    pub header: Header,
    store: Store,
}

enum Store {
    Fst {
        map: Map<FstBytes>,
        /// Where the `G` block keys branch off: the fst node after `G` and the block kind,
        /// with the output gathered on the way (`None` when the model has no such key).
        global: Option<Cursor>,
    },
    Memory(MemoryStore),
}

/// The keys of a final model as hash tables, split by the top bits of the feature hash so
/// that the parts are built in parallel.
///
/// Memory: about 25 bytes per site feature seen on two pages or more, plus one entry per
/// cross-site block and per site; no more than the counters it is built from.
struct MemoryStore {
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
type FeatureCount = ((u32, u8, u64), u32);

/// Parts of an in-memory model built from several counters.
const MEMORY_PARTS: usize = 16;

impl MemoryStore {
    #[inline]
    fn part(&self, hash: u64) -> &MemoryPart {
        &self.parts[part_index(hash, self.shift)]
    }
}

/// The part of `hash` when parts are told by the bits above `shift` (64: one part, part 0).
#[inline]
fn part_index(hash: u64, shift: u32) -> usize {
    hash.checked_shr(shift).unwrap_or(0) as usize
}

impl MemoryPart {
    /// The part of the final model holding these summed counts (each key once).
    fn of(counts: impl Iterator<Item = ((u32, u8, u64), u32)>, size: usize) -> MemoryPart {
        let mut features = FxHashMap::with_capacity_and_hasher(size / 4, Default::default());
        // Every (site, block) pair counts one site for its block, seen on one page or more:
        // the same `G` counts the model sink gathers from a partial model's keys.
        let mut global: FxHashMap<u64, u32> = FxHashMap::default();
        for (k, n) in counts {
            if k.1 == KIND_BLOCK {
                *global.entry(k.2).or_default() += 1;
            }
            if n >= 2 {
                features.insert(k, n);
            }
        }
        global.retain(|_, n| *n >= 2);
        MemoryPart { features, global }
    }
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
    /// The fst node after `prefix` (`None` when no key has it).
    node: Option<Cursor>,
    /// The site's id in an in-memory model (`u32::MAX` when it has none).
    id: u32,
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

    /// Opens and checks a model file.
    pub fn open(path: &Path) -> Result<Model> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is read-only; a model file changed under a running job is the
        // user's error, as with any mmap-based reader (ripgrep, fst).
        let mmap = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        Self::from_mmap(path, Arc::new(mmap))
    }

    fn from_mmap(path: &Path, mmap: Arc<Mmap>) -> Result<Model> {
        let bytes: &[u8] = &mmap;
        let corrupt = |detail: &str| Error::ModelCorrupt {
            path: path.to_path_buf(),
            detail: detail.into(),
        };
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(Error::ModelMagic {
                path: path.to_path_buf(),
            });
        }
        if bytes.len() < 24 {
            return Err(corrupt("file is too short"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        if version != FORMAT_VERSION {
            return Err(Error::ModelVersion {
                path: path.to_path_buf(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let body_end = bytes.len() - 8;
        let stored = u64::from_le_bytes(bytes[body_end..].try_into().unwrap());
        if xxh3_64(&bytes[..body_end]) != stored {
            return Err(corrupt("checksum mismatch"));
        }
        let hlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        if 16 + hlen > body_end {
            return Err(corrupt("header length runs past the end"));
        }
        let header: Header = serde_json::from_slice(&bytes[16..16 + hlen])
            .map_err(|e| corrupt(&format!("header: {e}")))?;
        let fst_bytes = FstBytes {
            mmap: mmap.clone(),
            start: 16 + hlen,
            end: body_end,
        };
        let map = Map::new(fst_bytes).map_err(|e| corrupt(&format!("fst: {e}")))?;
        let global = descend(map.as_fst(), None, &[TAG_GLOBAL, KIND_BLOCK]);
        Ok(Model {
            path: path.to_path_buf(),
            header,
            store: Store::Fst { map, global },
        })
    }

    /// The final model of the counts that `learn` would write from these counters, held in
    /// hash tables instead of an fst: what `run` cleans against when the model need not be
    /// kept. Every lookup answers as on the file [`crate::job::learn`] writes (a test checks
    /// it), without building the fst or reading it back.
    pub fn from_counters(
        counters: Vec<Counter>,
        sites: &SiteTable,
        params: ModelParams,
        path: PathBuf,
        pool: &rayon::ThreadPool,
    ) -> Model {
        use rayon::prelude::*;
        let mut pages: FxHashMap<u32, u64> = FxHashMap::default();
        for c in &counters {
            for (&s, &n) in &c.pages {
                *pages.entry(s).or_default() += n;
            }
        }
        let (parts, shift) = if counters.len() == 1 {
            let c = counters.into_iter().next().expect("one counter");
            let n = c.features.len();
            let counts = c.features.into_iter().map(|(k, t)| (k, t.pages));
            (vec![MemoryPart::of(counts, n)], 64)
        } else {
            // Each counter splits its counts by part, then each part sums its share of every
            // counter: both steps in parallel, and no table is built twice.
            let bits = MEMORY_PARTS.trailing_zeros();
            let shift = 64 - bits;
            let split: Vec<Vec<Vec<FeatureCount>>> = pool.install(|| {
                counters
                    .into_par_iter()
                    .map(|c| {
                        let mut by_part = vec![Vec::new(); MEMORY_PARTS];
                        for (k, t) in c.features {
                            by_part[part_index(k.2, shift)].push((k, t.pages));
                        }
                        by_part
                    })
                    .collect()
            });
            let parts = pool.install(|| {
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
                        MemoryPart::of(sum.into_iter(), n)
                    })
                    .collect()
            });
            (parts, shift)
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

    /// The fst map, for tools that search or stream the keys; `None` for a model held in
    /// memory ([`Model::from_counters`]).
    pub fn fst(&self) -> Option<&Map<FstBytes>> {
        match &self.store {
            Store::Fst { map, .. } => Some(map),
            Store::Memory(_) => None,
        }
    }

    /// Whether lookups are hash-table probes already (no cache in front of them pays).
    pub fn is_in_memory(&self) -> bool {
        matches!(self.store, Store::Memory(_))
    }

    /// Looks up a site.
    pub fn site(&self, site: &str) -> SiteView {
        let map = match &self.store {
            Store::Fst { map, .. } => map,
            Store::Memory(m) => {
                let (id, pages) = m.sites.get(site).copied().unwrap_or((u32::MAX, 0));
                return SiteView {
                    pages,
                    prefix: Vec::new(),
                    node: None,
                    id,
                };
            }
        };
        let pages = map.get(pages_key(site)).unwrap_or(0);
        let mut prefix = Vec::with_capacity(site.len() + 2);
        prefix.push(TAG_BLOCK);
        prefix.extend_from_slice(site.as_bytes());
        prefix.push(0);
        let node = if pages == 0 {
            None
        } else {
            descend(map.as_fst(), None, &prefix)
        };
        SiteView {
            pages,
            prefix,
            node,
            id: u32::MAX,
        }
    }

    /// Pages of the site that contain the feature. `key` is a scratch buffer.
    #[inline]
    pub fn site_count(&self, site: &SiteView, kind: u8, hash: u64, _key: &mut Vec<u8>) -> u64 {
        if site.pages == 0 {
            return 0;
        }
        match &self.store {
            Store::Fst { map, .. } => {
                // The same value as `map.get(B site \0 kind hash)`, walking from the node
                // after the site's prefix (found once per page) instead of from the root.
                let Some(at) = site.node else {
                    return 0;
                };
                value_after(map.as_fst(), at, Some(kind), hash)
            }
            Store::Memory(m) => m
                .part(hash)
                .features
                .get(&(site.id, kind, hash))
                .map_or(0, |&n| n as u64),
        }
    }

    /// Sites whose pages contain the block.
    #[inline]
    pub fn cross_sites(&self, hash: u64) -> u64 {
        match &self.store {
            Store::Fst {
                map,
                global: Some(at),
            } => value_after(map.as_fst(), *at, None, hash),
            Store::Fst { global: None, .. } => 0,
            Store::Memory(m) => m.part(hash).global.get(&hash).map_or(0, |&n| n as u64),
        }
    }

    /// Every site with its page count, in name order.
    pub fn sites(&self) -> Vec<(String, u64)> {
        let map = match &self.store {
            Store::Fst { map, .. } => map,
            Store::Memory(m) => {
                let mut out: Vec<(String, u64)> =
                    m.sites.iter().map(|(k, v)| (k.clone(), v.1)).collect();
                out.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                return out;
            }
        };
        let mut out = Vec::new();
        let mut s = map
            .range()
            .ge([TAG_PAGES])
            .lt([TAG_PAGES + 1])
            .into_stream();
        while let Some((k, v)) = s.next() {
            out.push((String::from_utf8_lossy(&k[1..]).into_owned(), v));
        }
        out
    }

    /// Every site feature `(kind, hash, count)` of one site, in key order.
    pub fn site_features(&self, site: &str) -> Vec<(u8, u64, u64)> {
        let view = self.site(site);
        let map = match &self.store {
            Store::Fst { map, .. } => map,
            Store::Memory(m) => {
                let mut out: Vec<(u8, u64, u64)> = m
                    .parts
                    .iter()
                    .flat_map(|p| &p.features)
                    .filter(|(k, _)| k.0 == view.id)
                    .map(|(k, &n)| (k.1, k.2, n as u64))
                    .collect();
                out.sort_unstable();
                return out;
            }
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

/// Merges models by streaming union, summing counts (fst-bin's `merge` pattern). Inputs must
/// be partial models learned with the same parameters; the result is partial when `partial`,
/// else finalized exactly as `learn` would have written it from all the pages at once.
///
/// Memory: the inputs are memory-mapped and read in key order; the cross-site counts are
/// sorted within `memory` bytes (spilling to temporary files beyond).
pub fn merge(inputs: &[PathBuf], out: &Path, partial: bool) -> Result<Header> {
    merge_with_memory(inputs, out, partial, DEFAULT_MEMORY)
}

/// [`merge`] within a memory budget (bytes) for the cross-site counts.
pub fn merge_with_memory(
    inputs: &[PathBuf],
    out: &Path,
    partial: bool,
    memory: usize,
) -> Result<Header> {
    merge_with_progress(inputs, out, partial, memory, &mut |_| {})
}

/// [`merge_with_memory`], calling `progress` now and then with the number of input keys read
/// since the last call (the inputs' `header.keys` sum to the total).
pub fn merge_with_progress(
    inputs: &[PathBuf],
    out: &Path,
    partial: bool,
    memory: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<Header> {
    let models: Vec<Model> = inputs
        .iter()
        .map(|p| Model::open(p))
        .collect::<Result<_>>()?;
    let first = models
        .first()
        .ok_or_else(|| Error::Config("merge needs at least one model".into()))?;
    for m in &models {
        if !m.header.partial {
            return Err(Error::ModelKind {
                path: m.path.clone(),
                what: "is a final model, which has dropped the counts a merge needs".into(),
                hint: "learn each shard with `dechrome learn --partial`".into(),
            });
        }
        if m.header.params != first.header.params {
            return Err(Error::ModelKind {
                path: m.path.clone(),
                what: format!(
                    "was learned with other parameters ({:?} vs {:?})",
                    m.header.params, first.header.params
                ),
                hint: "learn every shard with the same settings".into(),
            });
        }
    }
    let params = first.header.params;
    let mut op = fst::map::OpBuilder::new();
    for m in &models {
        op.push(m.fst().expect("opened from a file").stream());
    }
    let mut union = op.union();
    let dir = SpillDir::new(None)?;
    let mut sink = ModelSink::new(params, partial, memory / 2, &dir, true)?;
    let mut read = 0u64;
    while let Some((k, vals)) = union.next() {
        let v: u64 = vals.iter().map(|iv| iv.value).sum();
        sink.push(k, v)?;
        read += vals.len() as u64;
        if read >= 1 << 16 {
            progress(read);
            read = 0;
        }
    }
    progress(read);
    sink.finish(out)
}

/// Writes a model from sorted partial entries: as is when `partial`, else finalized.
pub fn write_entries(
    out: &Path,
    sorted_partial: Vec<(Vec<u8>, u64)>,
    params: ModelParams,
    partial: bool,
) -> Result<Header> {
    let dir = SpillDir::new(None)?;
    let mut sink = ModelSink::new(params, partial, DEFAULT_MEMORY / 2, &dir, true)?;
    for (k, v) in sorted_partial {
        sink.push(&k, v)?;
    }
    sink.finish(out)
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
mod tests {
    use super::*;
    use crate::shingle::KIND_TOKEN;

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

    proptest::proptest! {
        /// `run`'s in-memory model must clean exactly as the file `learn` writes: every
        /// lookup, present or absent, answers alike, however the pages were split between
        /// worker counters.
        #[test]
        fn memory_model_answers_as_the_file_model(
            pages in proptest::collection::vec(
                (0u32..4, proptest::collection::vec((0u8..3, 0u64..12), 0..8)),
                1..40,
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
                let feats: Vec<(u8, u64)> = feats.iter().map(|&(k, h)| (k, spread(h))).collect();
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
                for kind in 0..3 {
                    for h in (0..13).map(spread) {
                        let mut k = Vec::new();
                        proptest::prop_assert_eq!(
                            file.site_count(&fv, kind, h, &mut k),
                            mem.site_count(&mv, kind, h, &mut k)
                        );
                    }
                }
            }
            for h in (0..13).map(spread) {
                proptest::prop_assert_eq!(file.cross_sites(h), mem.cross_sites(h));
            }
        }
    }

    fn sample_counter(sites: &mut SiteTable) -> Counter {
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
        let mut k = Vec::new();
        assert_eq!(a.pages, 2);
        assert_eq!(m.site_count(&a, KIND_BLOCK, 1, &mut k), 2);
        assert_eq!(
            m.site_count(&a, KIND_BLOCK, 2, &mut k),
            0,
            "singletons are dropped"
        );
        assert_eq!(m.site_count(&a, KIND_TOKEN, 9, &mut k), 2);
        assert_eq!(m.cross_sites(1), 2);
        assert_eq!(m.cross_sites(2), 2);
        assert_eq!(m.cross_sites(3), 0);
        assert_eq!(m.site("nope").pages, 0);
        assert_eq!(
            m.sites(),
            vec![("a.example".to_string(), 2), ("b.example".to_string(), 1)]
        );
    }

    #[test]
    fn corrupt_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.model");
        let mut sites = SiteTable::default();
        let c = sample_counter(&mut sites);
        write_entries(
            &p,
            c.into_sorted_entries(&sites),
            ModelParams::default(),
            false,
        )
        .unwrap();
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

    #[test]
    fn merged_partials_equal_learning_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut sites = SiteTable::default();
        let whole = sample_counter(&mut sites);
        let once = dir.path().join("once.model");
        write_entries(
            &once,
            whole.into_sorted_entries(&sites),
            ModelParams::default(),
            false,
        )
        .unwrap();

        // The same pages split in two shards, each with its own site table.
        let mut s1 = SiteTable::default();
        let mut c1 = Counter::new();
        let a = s1.intern("a.example");
        c1.add_page(a, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2), (KIND_TOKEN, 9)]);
        let mut s2 = SiteTable::default();
        let mut c2 = Counter::new();
        let b = s2.intern("b.example");
        let a2 = s2.intern("a.example");
        c2.add_page(a2, &[(KIND_BLOCK, 1), (KIND_BLOCK, 3), (KIND_TOKEN, 9)]);
        c2.add_page(b, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2)]);
        let p1 = dir.path().join("p1.model");
        let p2 = dir.path().join("p2.model");
        write_entries(
            &p1,
            c1.into_sorted_entries(&s1),
            ModelParams::default(),
            true,
        )
        .unwrap();
        write_entries(
            &p2,
            c2.into_sorted_entries(&s2),
            ModelParams::default(),
            true,
        )
        .unwrap();
        let merged = dir.path().join("merged.model");
        merge(&[p1.clone(), p2], &merged, false).unwrap();
        assert_eq!(
            std::fs::read(&once).unwrap(),
            std::fs::read(&merged).unwrap()
        );

        let e = merge(&[once], &dir.path().join("x"), false).err().unwrap();
        assert!(e.to_string().contains("--partial"));
    }
}
