//! The cross-site prior: generic chrome learned once, from many sites, and shipped with
//! dechrome, for pages whose own crawl cannot tell (a site with one to a few pages, a crawl of
//! one site).
//!
//! A crawl's model counts on how many of the crawl's sites each block occurs; a block on
//! several unrelated sites is generic chrome (a share row, "Leave a comment", a copyright
//! line). A crawl of one site, or of a few pages of a site, has no such count. The prior is
//! the same count taken over a large corpus of sites: the whole-block hashes found on at least
//! `min_sites` distinct sites, each with its site count. It holds hashes only, never text.
//!
//! The file is an envelope like a model's: magic `DCPRIOR1`, format version (u32 LE), header
//! length (u32 LE), a JSON [`PriorHeader`], an `fst` map from `kind hash` (9 bytes, hash
//! big-endian) to the number of sites, and an xxh3-64 checksum (u64 LE) of every byte before
//! it (models/FORMAT.md). Loading memory-maps a file, or reads the copy built into the binary
//! ([`Prior::builtin`]), and checks magic, version and checksum before trusting a byte.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use fst::{IntoStreamer, Map, MapBuilder, Streamer};
use memmap2::Mmap;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::format::TAG_GLOBAL;
use super::Model;
use crate::error::{Error, Result};
use crate::fs::AtomicFile;
use crate::shingle::KIND_BLOCK;

/// The prior file format version this build reads and writes.
pub const PRIOR_FORMAT_VERSION: u32 = 1;
const PRIOR_MAGIC: &[u8; 8] = b"DCPRIOR1";

/// The prior built into the binary: `models/generic.prior` (models/FORMAT.md says what it was
/// learned from and how to rebuild it).
static BUILTIN: &[u8] = include_bytes!("../../models/generic.prior");

/// What a prior was learned from, stored as JSON in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorHeader {
    /// Sites of the corpus it was learned from.
    pub sites: u64,
    /// Pages of that corpus.
    pub pages: u64,
    /// A block is kept when it occurs on at least this many of those sites.
    pub min_sites: u64,
    /// Block hashes it holds.
    pub features: u64,
    /// The shingling parameter of the model it was taken from (blocks are hashed alike).
    pub shingle_max_tokens: u32,
    /// A free description of the corpus (which crawls, when).
    pub learned_from: String,
}

/// Bytes of a prior: the binary's built-in copy or a memory-mapped file, restricted to the
/// fst region.
#[derive(Clone)]
pub(crate) enum PriorBytes {
    Static(&'static [u8]),
    Mapped(Arc<Mmap>, usize, usize),
}

impl AsRef<[u8]> for PriorBytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            PriorBytes::Static(b) => b,
            PriorBytes::Mapped(m, s, e) => &m[*s..*e],
        }
    }
}

/// A loaded prior. Cheap to share between threads.
pub struct Prior {
    /// Where it came from: a file's path, or `(built in)`.
    pub source: String,
    /// Its header.
    pub header: PriorHeader,
    map: Map<PriorBytes>,
    /// `map`'s block counts by hash: a prior holds generic chrome only (thousands of blocks),
    /// and chrome is what pages hold, so many lookups find their key, which in the fst costs
    /// a node per key byte.
    ///
    /// Memory: about 24 bytes per block of the prior.
    blocks: FxHashMap<u64, u64>,
}

impl std::fmt::Debug for Prior {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prior({}, {:?})", self.source, self.header)
    }
}

impl Prior {
    /// The prior built into this binary (`models/generic.prior` at build time), parsed once.
    pub fn builtin() -> Arc<Prior> {
        static P: OnceLock<Arc<Prior>> = OnceLock::new();
        P.get_or_init(|| {
            let (header, r) = parse(Path::new("(built in)"), BUILTIN).expect("built-in prior");
            let map = Map::new(PriorBytes::Static(&BUILTIN[r.0..r.1])).expect("built-in prior");
            Arc::new(Prior::new("(built in)".into(), header, map))
        })
        .clone()
    }

    /// Opens and checks a prior file: magic, version and checksum.
    pub fn open(path: &Path) -> Result<Prior> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: read-only map; a prior changed under a running job is the user's error, as
        // for models.
        let mmap = Arc::new(unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?);
        let (header, (s, e)) = parse(path, &mmap)?;
        let map =
            Map::new(PriorBytes::Mapped(mmap.clone(), s, e)).map_err(|e| Error::PriorFile {
                path: path.to_path_buf(),
                problem: format!("is damaged (fst: {e})"),
            })?;
        Ok(Prior::new(path.display().to_string(), header, map))
    }

    fn new(source: String, header: PriorHeader, map: Map<PriorBytes>) -> Prior {
        let mut blocks = FxHashMap::default();
        let lo = [KIND_BLOCK];
        let hi = [KIND_BLOCK + 1];
        let mut s = map.range().ge(lo).lt(hi).into_stream();
        while let Some((k, v)) = s.next() {
            if let Some(h) = k.get(1..9) {
                blocks.insert(u64::from_be_bytes(h.try_into().expect("8 bytes")), v);
            }
        }
        Prior {
            source,
            header,
            map,
            blocks,
        }
    }

    /// Sites of the prior's corpus on which the block with this hash occurs (0 when it is
    /// not in the prior: on fewer than `min_sites` sites).
    #[inline]
    pub fn block_sites(&self, hash: u64) -> u64 {
        self.blocks.get(&hash).copied().unwrap_or(0)
    }

    /// Every `(kind, hash, sites)` of the prior, in key order.
    pub fn features(&self) -> Vec<(u8, u64, u64)> {
        let mut out = Vec::new();
        let mut s = self.map.stream();
        while let Some((k, v)) = s.next() {
            let hash = u64::from_be_bytes(k[1..9].try_into().expect("9-byte keys"));
            out.push((k[0], hash, v));
        }
        out
    }
}

/// `kind hash`, the key of a prior feature.
fn key(kind: u8, hash: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = kind;
    k[1..].copy_from_slice(&hash.to_be_bytes());
    k
}

/// Writes a prior of the blocks that occur on at least `min_sites` sites of `model` (a final
/// model learned from a corpus of many sites) to `path`. `learned_from` describes the corpus.
pub fn build_prior(
    model: &Model,
    min_sites: u64,
    learned_from: &str,
    path: &Path,
    replace: bool,
) -> Result<PriorHeader> {
    let fst_err = |e: fst::Error| Error::Fst {
        context: format!("building the prior {}", path.display()),
        err: e,
    };
    let Some(map) = model.tag_shard(TAG_GLOBAL) else {
        return Err(Error::ModelKind {
            path: model.path.clone(),
            what: "is held in memory".into(),
            hint: "build the prior from a model file".into(),
        });
    };
    let mut b = MapBuilder::memory();
    let mut n = 0u64;
    let lo = [TAG_GLOBAL, KIND_BLOCK];
    let hi = [TAG_GLOBAL, KIND_BLOCK + 1];
    let mut s = map.range().ge(lo).lt(hi).into_stream();
    while let Some((k, v)) = s.next() {
        if v >= min_sites.max(2) {
            let hash = u64::from_be_bytes(k[2..10].try_into().expect("G keys are 10 bytes"));
            b.insert(key(KIND_BLOCK, hash), v).map_err(fst_err)?;
            n += 1;
        }
    }
    let fst = b.into_inner().map_err(fst_err)?;
    let header = PriorHeader {
        sites: model.header.sites,
        pages: model.header.pages,
        min_sites: min_sites.max(2),
        features: n,
        shingle_max_tokens: model.header.params.shingle_max_tokens,
        learned_from: learned_from.to_string(),
    };
    let mut bytes = Vec::with_capacity(fst.len() + 256);
    let hjson = serde_json::to_vec(&header).expect("header serialises");
    bytes.extend_from_slice(PRIOR_MAGIC);
    bytes.extend_from_slice(&PRIOR_FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(hjson.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&hjson);
    bytes.extend_from_slice(&fst);
    let sum = xxh3_64(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    let mut f = AtomicFile::create(path, replace)?;
    f.write_all(&bytes).map_err(|e| Error::io(path, e))?;
    f.commit()?;
    Ok(header)
}

/// Checks a prior's envelope: its header and where its fst bytes lie.
fn parse(path: &Path, bytes: &[u8]) -> Result<(PriorHeader, (usize, usize))> {
    let bad = |problem: String| Error::PriorFile {
        path: path.to_path_buf(),
        problem,
    };
    if bytes.len() < 8 || &bytes[..8] != PRIOR_MAGIC {
        return Err(bad("is not a dechrome prior (bad magic bytes)".into()));
    }
    if bytes.len() < 24 {
        return Err(bad("is damaged (file is too short)".into()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != PRIOR_FORMAT_VERSION {
        return Err(bad(format!(
            "is a prior of format version {version}, this dechrome reads version \
             {PRIOR_FORMAT_VERSION}"
        )));
    }
    let body_end = bytes.len() - 8;
    let stored = u64::from_le_bytes(bytes[body_end..].try_into().expect("8 bytes"));
    if xxh3_64(&bytes[..body_end]) != stored {
        return Err(bad("is damaged (checksum mismatch)".into()));
    }
    let hlen = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
    if 16 + hlen > body_end {
        return Err(bad("is damaged (header length runs past the end)".into()));
    }
    let header: PriorHeader = serde_json::from_slice(&bytes[16..16 + hlen])
        .map_err(|e| bad(format!("is damaged (header: {e})")))?;
    Ok((header, (16 + hlen, body_end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::sample_counter;
    use crate::model::{test_model, SiteTable};

    #[test]
    fn prior_round_trip_and_checks() {
        let mut sites = SiteTable::default();
        let (dir, m) = test_model(sample_counter(&mut sites), &sites);
        let p = dir.path().join("p.prior");
        let h = build_prior(&m, 2, "test", &p, false).unwrap();
        assert_eq!((h.features, h.sites, h.min_sites), (2, 2, 2));
        let prior = Prior::open(&p).unwrap();
        assert_eq!(prior.block_sites(1), 2);
        assert_eq!(prior.block_sites(2), 2);
        assert_eq!(prior.block_sites(3), 0);
        assert_eq!(prior.features().len(), 2);
        // Kept only on at least three sites: none here.
        build_prior(&m, 3, "test", &p, true).unwrap();
        assert_eq!(Prior::open(&p).unwrap().block_sites(1), 0);

        // Another format version is refused, saying how to rebuild it.
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
        std::fs::write(&p, &bytes).unwrap();
        let e = Prior::open(&p).unwrap_err().to_string();
        assert!(e.contains("version 7") && e.contains("build_prior"), "{e}");
        bytes[8..12].copy_from_slice(&PRIOR_FORMAT_VERSION.to_le_bytes());
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&p, &bytes).unwrap();
        let e = Prior::open(&p).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        std::fs::write(&p, b"DECHROME model, not a prior").unwrap();
        assert!(Prior::open(&p).unwrap_err().to_string().contains("magic"));
    }

    #[test]
    fn builtin_prior_loads() {
        let p = Prior::builtin();
        assert!(p.header.features > 0 && p.header.min_sites >= 2);
    }

    /// The table the prior answers from holds exactly the fst's block counts.
    #[test]
    fn block_sites_answer_as_the_fst() {
        let p = Prior::builtin();
        let features = p.features();
        assert_eq!(features.len() as u64, p.header.features);
        let fst_says = |h: u64| p.map.get(key(KIND_BLOCK, h)).unwrap_or(0);
        for &(_, h, v) in &features {
            assert_eq!((p.block_sites(h), fst_says(h)), (v, v));
        }
        for i in 0..10_000u64 {
            let h = xxh3_64(&i.to_le_bytes());
            assert_eq!(p.block_sites(h), fst_says(h));
        }
    }
}
