//! Writing model files: [`ModelSink`] takes the sorted entries of a partial model and writes
//! them as they are or finalized; [`ModelWriter`] builds the fst, on a thread of its own when
//! asked, and wraps it in the file's envelope.
//!
//! Learning (in memory or from spilled runs) and merging all end in a sink, so every path
//! gives byte-identical files. Keys must arrive strictly increasing; a key out of order is an
//! error when the file is finished.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use fst::MapBuilder;
use rustc_hash::FxHashMap;

use super::format::{self, global_key, parse_block_key, Header, ModelParams};
use super::format::{TAG_BLOCK, TAG_PAGES};
use super::spill::{HashCounter, SpillDir};
#[cfg(test)]
use super::DEFAULT_MEMORY;
use crate::error::{Error, Result};
use crate::shingle::{counted_across_sites, KIND_BLOCK, KIND_PREFIX, KIND_SUFFIX, KIND_TOKEN};

/// Builds a model file from keys in order, as shards: runs of [`SHARD_KEYS`] keys or more,
/// each ending where a site's keys end (so that a site's keys, and the `G` and `P` keys, each
/// lie in one shard), each its own fst. The fst goes to temporary files first, since the
/// header (which precedes them) holds the key count.
///
/// Building an fst is inherently serial (a key at a time, ~0.5–1 µs each, its registry missing
/// on every node of the keys' hash bytes), and was most of `learn` past a few cores: the
/// shards are built on `builders` threads of their own, overlapping each other and the merging
/// that produces the keys; with none, on the caller's thread one after another. Where the
/// shards end depends on the keys alone, so the file is the same whatever the thread count.
///
/// Memory: up to two shards' keys per builder in flight, and the builders' own buffers.
pub(super) struct ModelWriter {
    /// The keys of the shard being gathered.
    batch: KeyBatch,
    /// The group of the last key: a site's `B` prefix, or the tag of the other keys.
    group: Vec<u8>,
    /// Keys a shard holds before it may end.
    shard_keys: usize,
    tx: Option<crossbeam_channel::Sender<(usize, KeyBatch)>>,
    builders: Vec<std::thread::JoinHandle<Result<Vec<Built>>>>,
    /// The shards built on the caller's thread (no builders).
    inline: Vec<File>,
    /// Shards handed out so far.
    shards: usize,
    keys: u64,
}

/// A shard built by a builder thread: its number and its fst's file.
type Built = (usize, File);

/// Keys (concatenated, each with its end offset) and their values, in order.
#[derive(Default)]
struct KeyBatch {
    bytes: Vec<u8>,
    entries: Vec<(usize, u64)>,
}

/// Keys a shard holds before it ends at the next group: enough that a shard's fst costs far
/// more than its share of the file's envelope and lookups' choice of a shard, few enough
/// that a model of a crawl of some gigabytes has a shard for each of 16 cores.
pub(super) const SHARD_KEYS: usize = 1 << 16;

/// The part of a key that its shard may not split: `B` site `\0` (what precedes the kind and
/// the hash), or the tag of a `G` or `P` key.
fn group_len(key: &[u8]) -> usize {
    if key.first() == Some(&TAG_BLOCK) && key.len() >= 11 {
        key.len() - 9
    } else {
        key.len().min(1)
    }
}

/// Builds one shard's fst in a temporary file.
fn build_shard(batch: &KeyBatch) -> Result<File> {
    let tmp = tempfile::tempfile().map_err(|e| Error::io("temporary file", e))?;
    let mut builder = MapBuilder::new(BufWriter::with_capacity(1 << 20, tmp))
        .map_err(|e| Error::fst("starting the model", e))?;
    let mut start = 0;
    for &(end, value) in &batch.entries {
        builder
            .insert(&batch.bytes[start..end], value)
            .map_err(|e| Error::fst("writing the model (keys must arrive sorted)", e))?;
        start = end;
    }
    let w = builder
        .into_inner()
        .map_err(|e| Error::fst("finishing the model", e))?;
    w.into_inner()
        .map_err(|e| Error::io("temporary file", e.into_error()))
}

impl ModelWriter {
    /// A writer whose shards are built on `builders` threads of their own (0: on the caller's
    /// thread), each ending after at least `shard_keys` keys.
    pub(super) fn new(builders: usize, shard_keys: usize) -> ModelWriter {
        let mut w = ModelWriter {
            batch: KeyBatch::default(),
            group: Vec::new(),
            shard_keys: shard_keys.max(1),
            tx: None,
            builders: Vec::new(),
            inline: Vec::new(),
            shards: 0,
            keys: 0,
        };
        if builders == 0 {
            return w;
        }
        let (tx, rx) = crossbeam_channel::bounded::<(usize, KeyBatch)>(builders);
        w.builders = (0..builders)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || {
                    let mut built = Vec::new();
                    for (i, batch) in rx {
                        built.push((i, build_shard(&batch)?));
                    }
                    Ok(built)
                })
            })
            .collect();
        w.tx = Some(tx);
        w
    }

    /// Adds the next key; keys must be strictly increasing (an error says so at
    /// [`ModelWriter::finish`]).
    #[inline]
    pub(super) fn insert(&mut self, key: &[u8], value: u64) -> Result<()> {
        let group = &key[..group_len(key)];
        if group != self.group.as_slice() {
            // Within a group the shard's fst checks the order; across groups, this.
            if group < self.group.as_slice() {
                let err = fst::raw::Error::OutOfOrder {
                    previous: self.group.clone(),
                    got: key.to_vec(),
                };
                return Err(Error::fst(
                    "writing the model (keys must arrive sorted)",
                    err.into(),
                ));
            }
            if self.batch.entries.len() >= self.shard_keys {
                self.send()?;
            }
            self.group.clear();
            self.group.extend_from_slice(group);
        }
        self.batch.bytes.extend_from_slice(key);
        self.batch.entries.push((self.batch.bytes.len(), value));
        self.keys += 1;
        Ok(())
    }

    /// Hands the gathered shard to a builder (or builds it here).
    fn send(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.batch);
        let i = self.shards;
        self.shards += 1;
        match &self.tx {
            None => self.inline.push(build_shard(&batch)?),
            Some(tx) => {
                // A closed channel means every builder stopped on an error, which `built`
                // returns.
                if tx.send((i, batch)).is_err() {
                    self.tx = None;
                }
            }
        }
        Ok(())
    }

    /// Sends the last shard (a model without keys has one, empty), waits for the builders
    /// and returns the shards' files in key order.
    fn built(&mut self) -> Result<Vec<File>> {
        if !self.batch.entries.is_empty() || self.shards == 0 {
            self.send()?;
        }
        self.tx = None;
        let mut built = std::mem::take(&mut self.inline);
        if self.builders.is_empty() {
            return Ok(built);
        }
        let mut numbered = Vec::with_capacity(self.shards);
        for handle in self.builders.drain(..) {
            match handle.join() {
                Ok(r) => numbered.extend(r?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        numbered.sort_unstable_by_key(|s| s.0);
        if numbered.len() != self.shards {
            return Err(Error::Config(
                "a model shard's builder stopped without a result".into(),
            ));
        }
        built.extend(numbered.into_iter().map(|s| s.1));
        Ok(built)
    }

    /// Writes the file (under a temporary name, renamed when complete), replacing one that
    /// exists only if `replace`.
    pub(super) fn finish(
        mut self,
        path: &Path,
        mut header: Header,
        replace: bool,
    ) -> Result<Header> {
        let mut shards = self.built()?;
        header.keys = self.keys;
        format::write_file(path, &header, &mut shards, replace)?;
        Ok(header)
    }
}

/// Where the sorted entries of a partial model go to become a model file: as they are
/// (`partial`), or finalized: site features on ≥ 2 pages (token and affix features on ≥
/// `min_affix_pages`), cross-site block counts on ≥ 2 sites, page counts. Learning (in
/// memory or from spilled runs) and merging all end here, so every path gives byte-identical
/// files.
///
/// A final model also drops token and affix features on less than their share of their
/// site's pages ([`ModelParams::token_share_permille`], `affix_share_permille`), which it can
/// only tell when the sites' page counts come before the entries ([`ModelSink::expect_pages`]):
/// the `P` entries sort after every `B` entry. Every path that writes a final model gives them.
///
/// Memory: the cross-site counts are gathered by an external sort keyed by block hash
/// ([`HashCounter`]) within `budget` bytes; the page counts (one per site, twice: as given
/// and as entries) are held until the end. Everything else streams into the fst builder.
pub(crate) struct ModelSink<'d> {
    writer: ModelWriter,
    params: ModelParams,
    partial: bool,
    global: Option<HashCounter<'d>>,
    pages_entries: Vec<(Vec<u8>, u64)>,
    total_pages: u64,
    sites: u64,
    /// Pages of each site, as given by [`ModelSink::expect_pages`].
    site_pages: FxHashMap<Vec<u8>, u64>,
    /// The site of the last token or affix entry, and its pages.
    last_site: (Vec<u8>, u64),
}

impl<'d> ModelSink<'d> {
    /// A sink for a model of `params`, holding the cross-site counts within `budget` bytes
    /// (spilling to `dir` beyond); the fst's shards are built on `builders` threads of their
    /// own (0: on the caller's thread).
    pub(crate) fn new(
        params: ModelParams,
        partial: bool,
        budget: usize,
        dir: &'d SpillDir,
        builders: usize,
    ) -> Result<ModelSink<'d>> {
        Ok(ModelSink {
            writer: ModelWriter::new(builders, SHARD_KEYS),
            params,
            partial,
            global: (!partial).then(|| HashCounter::new(budget, dir)),
            pages_entries: Vec::new(),
            total_pages: 0,
            sites: 0,
            site_pages: FxHashMap::default(),
            last_site: (Vec::new(), 0),
        })
    }

    /// Takes `pages` more pages of `site` (its name), before the entries: a final model's
    /// share floors for token and affix features come from them. A site never given keeps
    /// those features from `min_affix_pages`, as a model without share floors would.
    pub(crate) fn expect_pages(&mut self, site: &[u8], pages: u64) {
        if !self.partial {
            *self.site_pages.entry(site.to_vec()).or_default() += pages;
        }
    }

    /// Takes the next entry of a partial model; keys must be strictly increasing.
    pub(crate) fn push(&mut self, k: &[u8], v: u64) -> Result<()> {
        match k.first() {
            Some(&TAG_BLOCK) => {
                if let Some(g) = self.global.as_mut() {
                    let parsed = parse_block_key(k);
                    if let Some((_, kind, hash)) = parsed {
                        if counted_across_sites(kind) {
                            g.push(hash)?;
                        }
                    }
                    let from = match parsed {
                        Some((site, kind @ (KIND_TOKEN | KIND_PREFIX | KIND_SUFFIX), _)) => {
                            self.affix_floor(site, kind)
                        }
                        _ => 2,
                    };
                    if v >= from {
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

    /// The count from which a final model keeps a token, prefix or suffix (`kind`) entry of
    /// `site` ([`ModelParams::keeps_from`]).
    fn affix_floor(&mut self, site: &[u8], kind: u8) -> u64 {
        if self.last_site.0 != site {
            let n = self.site_pages.get(site).copied().unwrap_or(0);
            self.last_site = (site.to_vec(), n);
        }
        self.params.keeps_from(kind, self.last_site.1)
    }

    /// Whether the model is final: it drops the `B` entries counted once, of which
    /// [`ModelSink::push_singleton`] takes what [`ModelSink::push`] would.
    pub(crate) fn drops_singletons(&self) -> bool {
        self.global.is_some()
    }

    /// Takes a `B` entry of count 1 of a final model, in any order: what [`ModelSink::push`]
    /// keeps of it, its site for the cross-site count of its kind.
    pub(crate) fn push_singleton(&mut self, kind: u8, hash: u64) -> Result<()> {
        match self.global.as_mut() {
            Some(g) if counted_across_sites(kind) => g.push(hash),
            _ => Ok(()),
        }
    }

    /// Writes the cross-site counts and page counts (final models) and the file, replacing
    /// one that exists (or appears meanwhile) only if `replace`.
    pub(crate) fn finish(mut self, path: &Path, replace: bool) -> Result<Header> {
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
        self.writer.finish(path, header, replace)
    }
}

/// Gives `sink` the page counts among the entries of a partial model, before them.
#[cfg(test)]
fn expect_pages_of(sink: &mut ModelSink, entries: &[(Vec<u8>, u64)]) {
    for (k, v) in entries.iter().filter(|e| e.0.first() == Some(&TAG_PAGES)) {
        sink.expect_pages(&k[1..], *v);
    }
}

/// [`write_entries`] with shards of at least `shard_keys` keys built on `builders` threads.
#[cfg(test)]
pub(crate) fn write_entries_sharded(
    out: &Path,
    sorted_partial: Vec<(Vec<u8>, u64)>,
    partial: bool,
    shard_keys: usize,
    builders: usize,
) -> Result<Header> {
    let dir = SpillDir::new(None)?;
    let mut sink = ModelSink::new(ModelParams::default(), partial, 1 << 20, &dir, builders)?;
    sink.writer = ModelWriter::new(builders, shard_keys);
    expect_pages_of(&mut sink, &sorted_partial);
    for (k, v) in sorted_partial {
        sink.push(&k, v)?;
    }
    sink.finish(out, true)
}

/// Writes a model from sorted partial entries ([`crate::model::Counter::into_sorted_entries`]):
/// as they are when `partial`, else finalized. Returns the header written.
#[cfg(test)]
pub fn write_entries(
    out: &Path,
    sorted_partial: Vec<(Vec<u8>, u64)>,
    params: ModelParams,
    partial: bool,
) -> Result<Header> {
    let dir = SpillDir::new(None)?;
    let mut sink = ModelSink::new(params, partial, DEFAULT_MEMORY / 2, &dir, 2)?;
    expect_pages_of(&mut sink, &sorted_partial);
    for (k, v) in sorted_partial {
        sink.push(&k, v)?;
    }
    sink.finish(out, true)
}
