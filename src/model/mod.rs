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
//! cross-site `G` counts. Both learning and merging end in one sink, so the two paths give
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
//!
//! Memory: a loaded model costs its mapped pages only; learning holds one `Counter` entry per
//! distinct (site, feature) pair seen, about 40 bytes each, within the job's budget.

mod counter;
mod format;
mod learner;
mod memory;
mod merge;
mod spill;
mod write;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fst::{IntoStreamer, Map, Streamer};
use memmap2::Mmap;

pub(crate) use counter::{Counter, SiteTable};
pub use format::{Header, ModelParams, FORMAT_VERSION};
pub use learner::Learner;
pub use merge::{merge, MergeOptions};
pub(crate) use spill::SpillDir;
#[cfg(test)]
pub(crate) use write::write_entries;
pub(crate) use write::ModelSink;

use crate::error::{Error, Result};
use crate::shingle::KIND_BLOCK;
use format::{pages_key, parse_block_key, site_prefix, TAG_GLOBAL, TAG_PAGES};
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
/// Usually a memory-mapped model file, which costs its mapped pages only (the OS pages them in
/// as lookups touch them); `run` may instead clean against the same counts held in hash tables
/// (`memory`), which answer every lookup alike.
pub struct Model {
    /// The file it was opened from (a description for a model held in memory).
    pub path: PathBuf,
    /// Its header.
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

impl SiteView {
    /// A number that tells this site's keys apart from every other site's in the same model
    /// (0 for a site without keys), for caching lookups.
    pub(crate) fn key_id(&self) -> u64 {
        match self.node {
            Some(c) => c.addr as u64 + 1,
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
        let (header, fst) = format::parse(path, &mmap)?;
        let fst_bytes = FstBytes {
            mmap: mmap.clone(),
            start: fst.start,
            end: fst.end,
        };
        let map = Map::new(fst_bytes).map_err(|e| Error::ModelCorrupt {
            path: path.to_path_buf(),
            detail: format!("fst: {e}"),
        })?;
        let global = descend(map.as_fst(), None, &[TAG_GLOBAL, KIND_BLOCK]);
        Ok(Model {
            path: path.to_path_buf(),
            header,
            store: Store::Fst { map, global },
        })
    }

    /// The fst map, for tools that search or stream the keys; `None` for a model held in
    /// memory.
    pub(crate) fn fst(&self) -> Option<&Map<FstBytes>> {
        match &self.store {
            Store::Fst { map, .. } => Some(map),
            Store::Memory(_) => None,
        }
    }

    /// Whether lookups are hash-table probes already (no cache in front of them pays).
    pub(crate) fn is_in_memory(&self) -> bool {
        matches!(self.store, Store::Memory(_))
    }

    /// Looks up a site.
    pub fn site(&self, site: &str) -> SiteView {
        let map = match &self.store {
            Store::Fst { map, .. } => map,
            Store::Memory(m) => {
                let (id, pages) = m.site(site);
                return SiteView {
                    pages,
                    prefix: Vec::new(),
                    node: None,
                    id,
                };
            }
        };
        let pages = map.get(pages_key(site)).unwrap_or(0);
        let prefix = site_prefix(site);
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

    /// Pages of the site that contain the feature.
    #[inline]
    pub fn site_count(&self, site: &SiteView, kind: u8, hash: u64) -> u64 {
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
            Store::Memory(m) => m.site_count(site.id, kind, hash),
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
            Store::Memory(m) => m.cross_sites(hash),
        }
    }

    /// Every site with its page count, in name order.
    pub fn sites(&self) -> Vec<(String, u64)> {
        let map = match &self.store {
            Store::Fst { map, .. } => map,
            Store::Memory(m) => return m.sites(),
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
mod tests {
    use super::format::MAGIC;
    use super::*;
    use crate::shingle::KIND_TOKEN;

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
        assert_eq!(m.site_count(&a, KIND_TOKEN, 9), 2);
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
}
