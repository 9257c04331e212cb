//! External sorting for learning within a memory budget.
//!
//! Two kinds of sorted runs go to temporary files when counts outgrow memory:
//!
//! * **key runs**: `(key, count)` pairs in key order, prefix-compressed (shared prefix length,
//!   suffix length, suffix, count, as varints), read back by [`KeyMerger`], a streaming k-way
//!   merge that sums the counts of equal keys;
//! * **hash runs**: `(hash, count)` pairs in hash order, used by [`HashCounter`] to count on how
//!   many sites each block occurs without holding every distinct block in memory.
//!
//! Runs are read sequentially through small buffers, so merging costs about 64 KiB per run
//! however large the runs are. Nothing here drops a count: singletons only disappear when a
//! final model is written, after the last merge.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

fn write_varint(w: &mut impl Write, mut v: u64) -> io::Result<()> {
    let mut buf = [0u8; 10];
    let mut n = 0;
    while v >= 0x80 {
        buf[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    buf[n] = v as u8;
    w.write_all(&buf[..=n])
}

/// Reads a varint; `Ok(None)` at a clean end of the stream.
fn read_varint(r: &mut impl Read) -> io::Result<Option<u64>> {
    let mut v = 0u64;
    let mut shift = 0;
    let mut b = [0u8; 1];
    loop {
        if r.read(&mut b)? == 0 {
            return if shift == 0 {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        v |= ((b[0] & 0x7f) as u64) << shift;
        if b[0] < 0x80 {
            return Ok(Some(v));
        }
        shift += 7;
        if shift > 63 {
            return Err(io::ErrorKind::InvalidData.into());
        }
    }
}

/// A directory of temporary run files, removed when dropped. Shared by the workers.
///
/// It is named `dechrome-spill-HOST-PID-N` and registered as a temporary, so that an
/// interrupted job removes it ([`crate::fs::remove_temporaries`]) and the next job that spills
/// beside it removes it if a killed job left it (its PID no longer runs on this host; the host
/// is in the name because a `--temp-dir` may be shared between machines).
pub struct SpillDir {
    dir: PathBuf,
    next: AtomicUsize,
    key_runs: Mutex<Vec<PathBuf>>,
    /// Pages of the sites counted in the key runs (see [`SpillDir::add_site_pages`]).
    site_pages: Mutex<Vec<(Vec<u8>, u64)>>,
}

/// Spill directories made by this process so far, to name each its own.
static SPILL_DIRS: AtomicUsize = AtomicUsize::new(0);

/// This machine's name as it may stand in a file name (`host` when it has none).
fn host_name() -> String {
    let mut buf = [0u8; 256];
    #[cfg(unix)]
    // SAFETY: the buffer is writable for its whole length; gethostname NUL-terminates within
    // it or fails.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) } == 0;
    #[cfg(not(unix))]
    let ok = false;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(0);
    let name: String = String::from_utf8_lossy(&buf[..end])
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(64)
        .collect();
    if ok && !name.is_empty() {
        name
    } else {
        "host".into()
    }
}

impl SpillDir {
    /// Creates the directory under `parent` (the system temporary directory when `None`),
    /// first removing the ones that killed jobs on this host left there.
    pub fn new(parent: Option<&Path>) -> Result<SpillDir> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let prefix = format!("dechrome-spill-{}-", host_name());
        crate::fs::sweep_stale(&parent, &prefix);
        let n = SPILL_DIRS.fetch_add(1, Ordering::Relaxed);
        let dir = parent.join(format!("{prefix}{}-{n}", std::process::id()));
        // Ours by its name: a leftover of an earlier process that had our PID.
        if std::fs::symlink_metadata(&dir).is_ok() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::fs::create_dir(&dir).map_err(|e| Error::io(&parent, e))?;
        crate::fs::register_temporary(&dir);
        Ok(SpillDir {
            dir,
            next: AtomicUsize::new(0),
            key_runs: Mutex::new(Vec::new()),
            site_pages: Mutex::new(Vec::new()),
        })
    }

    fn fresh(&self, what: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{what}-{n:06}.run"))
    }

    /// Starts a key run; entries must be written in key order.
    pub fn key_run(&self) -> Result<KeyRunWriter> {
        let path = self.fresh("keys");
        let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(KeyRunWriter {
            w: BufWriter::with_capacity(1 << 20, f),
            path,
            last: Vec::new(),
            entries: 0,
        })
    }

    /// Records a finished key run for [`SpillDir::merge_keys`].
    pub fn add_key_run(&self, path: PathBuf) {
        self.key_runs
            .lock()
            .expect("no panics holding it")
            .push(path);
    }

    /// Records pages of sites counted in a key run: a final model's sink needs them before
    /// the merged entries ([`crate::model::ModelSink::expect_pages`]), whose `P` entries
    /// come last.
    pub fn add_site_pages(&self, pages: impl IntoIterator<Item = (Vec<u8>, u64)>) {
        let mut p = self.site_pages.lock().expect("no panics holding it");
        p.extend(pages);
    }

    /// The site pages recorded with the key runs, taken: (site name, pages), a site once per
    /// run that counted it.
    pub fn take_site_pages(&self) -> Vec<(Vec<u8>, u64)> {
        std::mem::take(&mut *self.site_pages.lock().expect("no panics holding it"))
    }

    /// Number of key runs written so far.
    pub fn key_runs(&self) -> usize {
        self.key_runs.lock().expect("no panics holding it").len()
    }

    /// Merges every key run written so far, in key order, summing equal keys.
    pub fn merge_keys(&self) -> Result<KeyMerger> {
        let mut runs = std::mem::take(&mut *self.key_runs.lock().expect("no panics holding it"));
        // Run names are numbered, so the order does not depend on which worker finished first
        // (the merged result would not either: counts are summed).
        runs.sort();
        KeyMerger::new(&runs)
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        crate::fs::forget_temporary(&self.dir);
    }
}

/// Writes one key run.
pub struct KeyRunWriter {
    w: BufWriter<File>,
    path: PathBuf,
    last: Vec<u8>,
    entries: u64,
}

impl KeyRunWriter {
    /// Appends an entry; keys must come in order.
    pub fn push(&mut self, key: &[u8], count: u64) -> Result<()> {
        let shared = self
            .last
            .iter()
            .zip(key)
            .take_while(|(a, b)| a == b)
            .count();
        let io_err = |e| Error::io(&self.path, e);
        write_varint(&mut self.w, shared as u64).map_err(io_err)?;
        write_varint(&mut self.w, (key.len() - shared) as u64).map_err(io_err)?;
        self.w.write_all(&key[shared..]).map_err(io_err)?;
        write_varint(&mut self.w, count).map_err(io_err)?;
        self.last.truncate(shared);
        self.last.extend_from_slice(&key[shared..]);
        self.entries += 1;
        Ok(())
    }

    /// Flushes the run and returns its path.
    pub fn finish(self) -> Result<PathBuf> {
        let path = self.path;
        self.w
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        Ok(path)
    }
}

struct KeyRunReader {
    r: BufReader<File>,
    path: PathBuf,
    /// The last key read: the next one is decoded against it.
    key: Vec<u8>,
}

impl KeyRunReader {
    /// Reads the next entry into `self.key`; the count, or `None` at the end.
    fn next(&mut self) -> Result<Option<u64>> {
        let key = &mut self.key;
        let bad = |p: &Path, e: io::Error| Error::io(p, e);
        let Some(shared) = read_varint(&mut self.r).map_err(|e| bad(&self.path, e))? else {
            return Ok(None);
        };
        let len = read_varint(&mut self.r)
            .map_err(|e| bad(&self.path, e))?
            .ok_or_else(|| bad(&self.path, io::ErrorKind::UnexpectedEof.into()))?;
        key.truncate(shared as usize);
        let at = key.len();
        key.resize(at + len as usize, 0);
        self.r
            .read_exact(&mut key[at..])
            .map_err(|e| bad(&self.path, e))?;
        let count = read_varint(&mut self.r)
            .map_err(|e| bad(&self.path, e))?
            .ok_or_else(|| bad(&self.path, io::ErrorKind::UnexpectedEof.into()))?;
        Ok(Some(count))
    }
}

/// Streaming k-way merge of key runs; equal keys have their counts summed.
pub struct KeyMerger {
    readers: Vec<KeyRunReader>,
    /// Each reader's current key, owned by the heap while queued.
    heap: BinaryHeap<Reverse<(Vec<u8>, usize, u64)>>,
    spare: Vec<Vec<u8>>,
    cur: Vec<u8>,
}

impl KeyMerger {
    fn new(runs: &[PathBuf]) -> Result<KeyMerger> {
        let mut m = KeyMerger {
            readers: Vec::with_capacity(runs.len()),
            heap: BinaryHeap::with_capacity(runs.len()),
            spare: Vec::new(),
            cur: Vec::new(),
        };
        for p in runs {
            let f = File::open(p).map_err(|e| Error::io(p, e))?;
            m.readers.push(KeyRunReader {
                r: BufReader::with_capacity(1 << 16, f),
                path: p.clone(),
                key: Vec::new(),
            });
        }
        for i in 0..m.readers.len() {
            m.advance(i)?;
        }
        Ok(m)
    }

    /// The next key in order with its summed count; the key is valid until the next call.
    pub fn next_entry(&mut self) -> Result<Option<(&[u8], u64)>> {
        let Some(Reverse((key, i, mut sum))) = self.heap.pop() else {
            return Ok(None);
        };
        let old = std::mem::replace(&mut self.cur, key);
        self.spare.push(old);
        self.advance(i)?;
        while let Some(Reverse((k, _, _))) = self.heap.peek() {
            if *k != self.cur {
                break;
            }
            let Reverse((k, j, c)) = self.heap.pop().expect("peeked");
            sum += c;
            self.spare.push(k);
            self.advance(j)?;
        }
        Ok(Some((&self.cur, sum)))
    }

    /// Queues reader `i`'s next entry, copying its key into a spare buffer for the heap.
    fn advance(&mut self, i: usize) -> Result<()> {
        if let Some(c) = self.readers[i].next()? {
            let mut key = self.spare.pop().unwrap_or_default();
            key.clear();
            key.extend_from_slice(&self.readers[i].key);
            self.heap.push(Reverse((key, i, c)));
        }
        Ok(())
    }
}

/// Counts `u64` hashes (how many times each was pushed) within a memory budget, spilling
/// sorted `(hash, count)` runs when the buffer is full.
pub struct HashCounter<'d> {
    buf: Vec<u64>,
    cap: usize,
    dir: &'d SpillDir,
    runs: Vec<PathBuf>,
}

impl<'d> HashCounter<'d> {
    /// A counter that holds at most `budget_bytes` of hashes in memory.
    pub fn new(budget_bytes: usize, dir: &'d SpillDir) -> HashCounter<'d> {
        let cap = (budget_bytes / 8).max(1024);
        HashCounter {
            buf: Vec::new(),
            cap,
            dir,
            runs: Vec::new(),
        }
    }

    /// Counts one occurrence of `h`.
    #[inline]
    pub fn push(&mut self, h: u64) -> Result<()> {
        if self.buf.len() == self.cap {
            self.spill()?;
        }
        self.buf.push(h);
        Ok(())
    }

    fn sort_counts(buf: &mut [u64]) -> impl Iterator<Item = (u64, u64)> + '_ {
        buf.sort_unstable();
        buf.chunk_by(|a, b| a == b).map(|c| (c[0], c.len() as u64))
    }

    fn spill(&mut self) -> Result<()> {
        let path = self.dir.fresh("hashes");
        let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        for (h, n) in Self::sort_counts(&mut self.buf) {
            w.write_all(&h.to_le_bytes())
                .and_then(|()| write_varint(&mut w, n))
                .map_err(|e| Error::io(&path, e))?;
        }
        w.into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        self.buf.clear();
        self.runs.push(path);
        Ok(())
    }

    /// Calls `f(hash, count)` for every distinct hash, in hash order.
    pub fn for_each(mut self, mut f: impl FnMut(u64, u64) -> Result<()>) -> Result<()> {
        if self.runs.is_empty() {
            let mut buf = std::mem::take(&mut self.buf);
            for (h, n) in Self::sort_counts(&mut buf) {
                f(h, n)?;
            }
            return Ok(());
        }
        if !self.buf.is_empty() {
            self.spill()?;
        }
        self.buf = Vec::new();
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::with_capacity(self.runs.len());
        for (i, p) in self.runs.iter().enumerate() {
            let file = File::open(p).map_err(|e| Error::io(p, e))?;
            let mut r = BufReader::with_capacity(1 << 16, file);
            if let Some(e) = read_hash_entry(&mut r, p)? {
                heap.push(Reverse((e.0, i, e.1)));
            }
            readers.push(r);
        }
        let mut cur: Option<(u64, u64)> = None;
        while let Some(Reverse((h, i, n))) = heap.pop() {
            match &mut cur {
                Some((ch, cn)) if *ch == h => *cn += n,
                _ => {
                    if let Some((ch, cn)) = cur {
                        f(ch, cn)?;
                    }
                    cur = Some((h, n));
                }
            }
            if let Some(e) = read_hash_entry(&mut readers[i], &self.runs[i])? {
                heap.push(Reverse((e.0, i, e.1)));
            }
        }
        if let Some((ch, cn)) = cur {
            f(ch, cn)?;
        }
        for p in &self.runs {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

fn read_hash_entry(r: &mut BufReader<File>, path: &Path) -> Result<Option<(u64, u64)>> {
    let mut h = [0u8; 8];
    match r.read_exact(&mut h) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    }
    let n = read_varint(r)
        .map_err(|e| Error::io(path, e))?
        .ok_or_else(|| Error::io(path, io::ErrorKind::UnexpectedEof.into()))?;
    Ok(Some((u64::from_le_bytes(h), n)))
}
