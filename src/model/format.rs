//! The bytes of a model file: the key encoding of the fst map, the header, the format version
//! and the checksum around it (models/FORMAT.md describes the same layout for readers outside
//! Rust).
//!
//! A file is `DECHROME` magic, format version (u32 LE), header length (u32 LE), header (JSON),
//! the shard table (shard count, u32 LE, then each shard's length in bytes, u64 LE), the
//! shards' fst bytes one after another, and an xxh3-64 checksum (u64 LE) of everything before
//! it. Each shard is the fst map of a run of the keys, in key order, so that the shards of one
//! model are built on as many threads (see `write.rs`). Writing streams the shards from
//! temporary files; reading checks magic, version and checksum before it trusts a byte, and
//! says what is wrong with a file it refuses. Version 2 files (one fst, no shard table) are
//! still read.

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::error::{Error, Result};
use crate::fs::AtomicFile;
use crate::shingle::{KIND_PREFIX, KIND_SUFFIX, KIND_TOKEN};

/// The on-disk format version this build writes (and reads, with [`OLDEST_READ`]'s).
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build reads: version 2 is version 3 with one shard and no
/// shard table.
const OLDEST_READ: u32 = 2;
pub(super) const MAGIC: &[u8; 8] = b"DECHROME";

/// `B` site `\0` kind hash: pages of the site that contain the feature.
pub(super) const TAG_BLOCK: u8 = b'B';
/// `G` kind hash: sites whose pages contain the block.
pub(super) const TAG_GLOBAL: u8 = b'G';
/// `P` site: pages of the site.
pub(super) const TAG_PAGES: u8 = b'P';

/// Parameters that learning and cleaning must agree on, stored in the model header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelParams {
    /// Blocks with at most this many tokens were shingled.
    pub shingle_max_tokens: u32,
    /// A final model leaves out the token, prefix and suffix features (`t`, `p`, `s`) found on
    /// fewer pages of their site than this. Cleaning asks whether such a feature is on at
    /// least [`crate::CleanConfig::min_template_pages`] pages (and a share of the site), never
    /// less, and those below it are most of a model's keys. Cleaning treats a
    /// `min_template_pages` below this as this. Files written before it was recorded: 2 (only
    /// features on one page were left out).
    #[serde(default = "pruned_below_two")]
    pub min_affix_pages: u32,
    /// A final model also leaves out the token features found on fewer pages than this many
    /// thousandths of their site's pages (rounded up): cleaning asks for at least
    /// [`crate::CleanConfig::token_share`] of them, and treats a lower share as this one.
    /// Files written before it was recorded: 0.
    #[serde(default)]
    pub token_share_permille: u32,
    /// The same for prefix and suffix features, against
    /// [`crate::CleanConfig::template_share`].
    #[serde(default)]
    pub affix_share_permille: u32,
}

impl ModelParams {
    /// The fewest pages of a site of `pages` pages on which a final model keeps a feature of
    /// `kind`: 2 (a feature on one page carries no evidence), and for token, prefix and
    /// suffix features `min_affix_pages` and their share of the site's pages, rounded up
    /// (the product in `f32`, as cleaning takes it).
    pub(crate) fn keeps_from(&self, kind: u8, pages: u64) -> u64 {
        let share = match kind {
            KIND_TOKEN => self.token_share(),
            KIND_PREFIX | KIND_SUFFIX => self.affix_share(),
            _ => return 2,
        };
        ((share * pages as f32).ceil() as u64)
            .max(u64::from(self.min_affix_pages))
            .max(2)
    }

    /// The share of a site's pages below which a final model leaves out token features.
    pub(crate) fn token_share(&self) -> f32 {
        self.token_share_permille as f32 / 1000.0
    }

    /// The share of a site's pages below which a final model leaves out prefix and suffix
    /// features.
    pub(crate) fn affix_share(&self) -> f32 {
        self.affix_share_permille as f32 / 1000.0
    }
}

fn pruned_below_two() -> u32 {
    2
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            shingle_max_tokens: crate::shingle::DEFAULT_SHINGLE_MAX_TOKENS,
            min_affix_pages: crate::clean::DEFAULT_MIN_TEMPLATE_PAGES as u32,
            token_share_permille: crate::clean::DEFAULT_TOKEN_SHARE_PERMILLE,
            affix_share_permille: crate::clean::DEFAULT_TEMPLATE_SHARE_PERMILLE,
        }
    }
}

/// The model header, stored as JSON after the magic and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// A partial model: every count kept, singletons included, and no cross-site counts; only
    /// a merge reads it.
    pub partial: bool,
    /// The parameters the model was learned with.
    pub params: ModelParams,
    /// Pages learned from.
    pub pages: u64,
    /// Sites learned from.
    pub sites: u64,
    /// Keys in the fst.
    pub keys: u64,
}

/// `B` site `\0` kind hash.
#[cfg(test)]
pub(super) fn block_key(site: &str, kind: u8, hash: u64) -> Vec<u8> {
    let mut k = site_prefix(site);
    k.push(kind);
    k.extend_from_slice(&hash.to_be_bytes());
    k
}

/// `B` site `\0`: the prefix of every feature key of the site.
pub(super) fn site_prefix(site: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(site.len() + 11);
    k.push(TAG_BLOCK);
    k.extend_from_slice(site.as_bytes());
    k.push(0);
    k
}

/// `P` site.
pub(super) fn pages_key(site: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(site.len() + 1);
    k.push(TAG_PAGES);
    k.extend_from_slice(site.as_bytes());
    k
}

/// `G` kind hash.
pub(super) fn global_key(kind: u8, hash: u64) -> [u8; 10] {
    let mut k = [0u8; 10];
    k[0] = TAG_GLOBAL;
    k[1] = kind;
    k[2..].copy_from_slice(&hash.to_be_bytes());
    k
}

/// Splits a `B` key into (site, kind, hash).
pub(super) fn parse_block_key(key: &[u8]) -> Option<(&[u8], u8, u64)> {
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

/// Writes the model file at `path` (under a temporary name, renamed when complete): the
/// envelope around the shards' fst bytes in `shards`, temporary files read from their start,
/// in key order. Without `replace`, a file at `path` (even one that appeared while the model
/// was built) is kept and the write fails.
pub(super) fn write_file(
    path: &Path,
    header: &Header,
    shards: &mut [File],
    replace: bool,
) -> Result<()> {
    let file = AtomicFile::create(path, replace)?;
    let mut w = HashingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        hasher: Xxh3::new(),
    };
    let hjson = serde_json::to_vec(header).expect("header serialises");
    let io_err = |e| Error::io(path, e);
    w.write_all(MAGIC).map_err(io_err)?;
    w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(io_err)?;
    w.write_all(&(hjson.len() as u32).to_le_bytes())
        .map_err(io_err)?;
    w.write_all(&hjson).map_err(io_err)?;
    w.write_all(&(shards.len() as u32).to_le_bytes())
        .map_err(io_err)?;
    for f in shards.iter_mut() {
        let len = f.seek(io::SeekFrom::End(0)).map_err(io_err)?;
        w.write_all(&len.to_le_bytes()).map_err(io_err)?;
    }
    for f in shards.iter_mut() {
        f.seek(io::SeekFrom::Start(0)).map_err(io_err)?;
        io::copy(f, &mut w).map_err(io_err)?;
    }
    let sum = w.hasher.digest();
    let mut inner = w.inner;
    inner.write_all(&sum.to_le_bytes()).map_err(io_err)?;
    let file = inner
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    file.commit()
}

/// A writer that hashes what it writes, for the checksum at the end of the file.
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

/// Checks the envelope of a model file's bytes (`path` names it in errors): its header, and
/// where each shard's fst bytes lie, in key order.
pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<(Header, Vec<Range<usize>>)> {
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
    if !(OLDEST_READ..=FORMAT_VERSION).contains(&version) {
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
    let mut at = 16 + hlen;
    if version == 2 {
        let one = at..body_end;
        return Ok((header, std::iter::once(one).collect()));
    }
    let word = |at: usize, n: usize| -> Result<u64> {
        let b = bytes
            .get(at..at + n)
            .filter(|_| at + n <= body_end)
            .ok_or_else(|| corrupt("shard table runs past the end"))?;
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(b);
        Ok(u64::from_le_bytes(w))
    };
    let count = word(at, 4)? as usize;
    at += 4;
    if count == 0 || count > (body_end - at) / 8 {
        return Err(corrupt("shard table runs past the end"));
    }
    let mut start = at + 8 * count;
    let mut shards = Vec::with_capacity(count);
    for i in 0..count {
        let len = word(at + 8 * i, 8)? as usize;
        let end = start
            .checked_add(len)
            .filter(|&e| e <= body_end)
            .ok_or_else(|| corrupt("shards run past the end"))?;
        shards.push(start..end);
        start = end;
    }
    if start != body_end {
        return Err(corrupt("shards do not end where the checksum starts"));
    }
    Ok((header, shards))
}
