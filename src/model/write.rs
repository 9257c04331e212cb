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

use super::format::{self, global_key, parse_block_key, Header, ModelParams};
use super::format::{TAG_BLOCK, TAG_PAGES};
use super::spill::{HashCounter, SpillDir};
#[cfg(test)]
use super::DEFAULT_MEMORY;
use crate::error::{Error, Result};
use crate::shingle::{counted_across_sites, KIND_BLOCK};

/// Builds a model file from keys in order: the fst goes to a temporary file first, since the
/// header (which precedes it) holds the key count.
///
/// The fst is built on a thread of its own, fed batches of keys, so that building it (a tenth
/// of learning's CPU time, and inherently serial) overlaps the merging that produces the keys.
/// Memory: up to five batches of [`KEY_BATCH`] keys in flight, and the builder's own buffers.
pub(super) struct ModelWriter {
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
    pub(super) fn new(background: bool) -> Result<ModelWriter> {
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
    pub(super) fn insert(&mut self, key: &[u8], value: u64) -> Result<()> {
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

    /// Writes the file (under a temporary name, renamed when complete), replacing one that
    /// exists only if `replace`.
    pub(super) fn finish(
        mut self,
        path: &Path,
        mut header: Header,
        replace: bool,
    ) -> Result<Header> {
        let tmp = self
            .built()?
            .into_inner()
            .map_err(|e| Error::fst("finishing the model", e))?;
        let mut tmp = tmp
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?;
        header.keys = self.keys;
        format::write_file(path, &header, &mut tmp, replace)?;
        Ok(header)
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
pub(crate) struct ModelSink<'d> {
    writer: ModelWriter,
    params: ModelParams,
    partial: bool,
    global: Option<HashCounter<'d>>,
    pages_entries: Vec<(Vec<u8>, u64)>,
    total_pages: u64,
    sites: u64,
}

impl<'d> ModelSink<'d> {
    /// A sink for a model of `params`, holding the cross-site counts within `budget` bytes
    /// (spilling to `dir` beyond); the fst is built on a thread of its own when `background`.
    pub(crate) fn new(
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
        })
    }

    /// Takes the next entry of a partial model; keys must be strictly increasing.
    pub(crate) fn push(&mut self, k: &[u8], v: u64) -> Result<()> {
        match k.first() {
            Some(&TAG_BLOCK) => {
                if let Some(g) = self.global.as_mut() {
                    if let Some((_, kind, hash)) = parse_block_key(k) {
                        if counted_across_sites(kind) {
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
    let mut sink = ModelSink::new(params, partial, DEFAULT_MEMORY / 2, &dir, true)?;
    for (k, v) in sorted_partial {
        sink.push(&k, v)?;
    }
    sink.finish(out, true)
}
