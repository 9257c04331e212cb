//! A file's bytes as a decompressed stream, read in lines and decoded as UTF-8.
//!
//! A file is opened (or stdin for `-`), memory-mapped when it is a regular file, and its gzip
//! or zstd compression undone, told by the magic bytes rather than the name. The record
//! readers then take lines off the stream with a bound on their length, and decode bytes as
//! UTF-8. Errors of the decompressor are damage to the stream ([`Error::Truncated`]).
//!
//! Memory: one decompression window, and at most [`MappedReader::RELEASE`] bytes of a mapped
//! file's read pages mapped in.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Location, Result};

/// Maps an error of the decompressor (or a read) to [`Error::Truncated`] when it is damage to
/// the stream, else to [`Error::Io`].
pub(super) fn stream_error(path: &Path, offset: u64, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            Error::Truncated {
                path: path.to_path_buf(),
                offset,
                detail: e.to_string(),
            }
        }
        _ => Error::io(path, e),
    }
}

/// Opens a file (or stdin for `-`) and undoes gzip or zstd compression, detected from the
/// magic bytes rather than the file name.
///
/// A regular file is memory-mapped: its bytes are read where the page cache holds them, with
/// no `read` call copying them first. (As with ripgrep, a file truncated by another process
/// while it is read ends the job with a bus error.)
pub(super) fn open_decompressed(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        match map_file(&f) {
            Some(map) => return decompressed(path, MappedReader::new(map)),
            None => Box::new(f),
        }
    };
    decompressed(path, BufReader::with_capacity(1 << 20, raw))
}

/// A read-only map of a non-empty regular file, advised for sequential reading; `None` where
/// the file cannot be mapped (then it is read).
fn map_file(f: &File) -> Option<memmap2::Mmap> {
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() == 0 {
        return None;
    }
    // SAFETY: the map is read-only and private to this reader; see open_decompressed for a
    // file changed underneath.
    let map = unsafe { memmap2::Mmap::map(f) }.ok()?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

/// Reads a memory-mapped file in order, handing back the pages it has read past so that
/// resident memory stays bounded however large the file (the page cache keeps them).
///
/// Memory: at most [`MappedReader::RELEASE`] bytes of read pages stay mapped in.
struct MappedReader {
    map: memmap2::Mmap,
    pos: usize,
    /// Bytes before this offset were handed back.
    released: usize,
    /// Bytes read past before they are handed back.
    release: usize,
}

impl MappedReader {
    const RELEASE: usize = 16 << 20;

    fn new(map: memmap2::Mmap) -> MappedReader {
        MappedReader::with_release(map, Self::RELEASE)
    }

    fn with_release(map: memmap2::Mmap, release: usize) -> MappedReader {
        MappedReader {
            map,
            pos: 0,
            released: 0,
            release,
        }
    }
}

impl Read for MappedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.len().min(buf.len());
        buf[..n].copy_from_slice(&self.map[self.pos..self.pos + n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for MappedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(&self.map[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.map.len());
        if self.pos - self.released >= self.release {
            // Whole pages only, all of them read past: no slice handed out still borrows
            // them (`consume` takes `&mut self`).
            let end = self.pos & !(4095);
            #[cfg(unix)]
            // SAFETY: the map is read-only and file-backed, so pages dropped from it are read
            // again from the file if touched; none before `end` will be.
            unsafe {
                let _ = self.map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    self.released,
                    end - self.released,
                );
            }
            self.released = end;
        }
    }
}

/// `br` with gzip or zstd undone, told by its first bytes.
fn decompressed<R: BufRead + Send + 'static>(
    path: &Path,
    mut br: R,
) -> Result<Box<dyn BufRead + Send>> {
    let head = br.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        // MultiGzDecoder: Common Crawl writes one gzip member per record.
        let dec = flate2::bufread::MultiGzDecoder::new(br);
        Ok(Box::new(BufReader::with_capacity(1 << 20, dec)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let dec = zstd::stream::read::Decoder::with_buffer(br).map_err(|e| Error::io(path, e))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, dec)))
    } else {
        Ok(Box::new(br))
    }
}

/// Reads one line (up to and including `\n`) into `buf`, keeping at most `limit` bytes of it;
/// returns the bytes the line took in the stream (0 at the end) and whether it was longer
/// than `limit` (then `buf` holds only its start and the rest was read past, not kept).
/// A decompression error becomes [`Error::Truncated`].
pub(super) fn read_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    path: &Path,
    offset: u64,
    limit: u64,
) -> Result<(u64, bool)> {
    buf.clear();
    append_line(r, buf, path, offset, limit)
}

/// [`read_line`], appending to `buf` instead of replacing it; on a line over `limit`, `buf`
/// keeps only the line's first `limit` bytes after what it held before.
pub(super) fn append_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    path: &Path,
    offset: u64,
    limit: u64,
) -> Result<(u64, bool)> {
    let at = buf.len();
    let mut total = 0u64;
    let mut over = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(stream_error(path, offset + total, e)),
        };
        if avail.is_empty() {
            return Ok((total, over));
        }
        let (n, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if !over {
            let room = limit.saturating_sub((buf.len() - at) as u64) as usize;
            if n <= room {
                buf.extend_from_slice(&avail[..n]);
            } else {
                buf.extend_from_slice(&avail[..room]);
                over = true;
            }
        }
        r.consume(n);
        total += n as u64;
        if done {
            return Ok((total, over));
        }
    }
}

/// Decodes bytes as UTF-8, lossily unless `strict`. Returns the text and whether it was lossy.
pub(super) fn decode_utf8(bytes: Vec<u8>, strict: bool, loc: &Location) -> Result<(String, bool)> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, false)),
        Err(e) => {
            if strict {
                Err(Error::InvalidUtf8 {
                    loc: loc.clone(),
                    bad_byte: e.utf8_error().valid_up_to() as u64,
                })
            } else {
                Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), true))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapped_file_reads_whole_while_read_pages_are_handed_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        let text: String = (0..20_000)
            .map(|i| format!("line {i} of the file\n"))
            .collect();
        std::fs::write(&p, &text).unwrap();
        let map = map_file(&File::open(&p).unwrap()).expect("a regular file maps");
        let mut r = MappedReader::with_release(map, 8192);
        let mut lines = Vec::new();
        let mut line = String::new();
        while r.read_line(&mut line).unwrap() > 0 {
            lines.push(std::mem::take(&mut line));
        }
        assert_eq!(lines.concat(), text);
        assert!(
            r.released > text.len() - 8192 - 4096,
            "released up to {}",
            r.released
        );
        let mut rest = Vec::new();
        assert_eq!(r.read_to_end(&mut rest).unwrap(), 0);
    }
}
