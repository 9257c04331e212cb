//! Writing cleaned crawls: JSONL (`jsonl.rs`) or WET (`wet.rs`), plain, gzip or zstd by the
//! file name or an explicit [`Compression`]; Parquet (`parquet.rs`, zstd inside unless told
//! otherwise); a directory of text files (`dir.rs`); or stdout.
//!
//! Invariants:
//! - files and directories are written under a temporary name that is renamed only when the
//!   run completes ([`Writer::finish`]), so a failed run leaves no partial output behind;
//! - a record's bytes depend on the record alone, so workers format records in parallel and
//!   the writer only appends them in input order;
//! - gzip WET output has one gzip member per record, as Common Crawl ships it.
//!
//! Memory: a 1 MiB write buffer and one record's bytes; the output file's writeback is started
//! every 64 MiB so the final sync has little left to write.

mod dir;
mod jsonl;
mod parquet;
mod parquet_copy;
mod wet;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::clean::Decision;
use crate::error::{Error, Result};
use crate::fs::{is_special, AtomicFile};
use crate::input::Record;

use self::parquet::ParquetSink;
use dir::TextDir;

/// Where cleaned records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    /// JSONL to stdout.
    Stdout,
    /// WET to stdout.
    StdoutWet,
    /// JSONL file, compressed as its name says (`.gz`, `.zst`).
    Jsonl(PathBuf),
    /// WET file (WARC `conversion` records), compressed as its name says.
    Wet(PathBuf),
    /// A directory of text files mirroring the input's relative paths (or ids).
    Dir(PathBuf),
    /// A Parquet file (`-`: stdout): the input's columns kept, the text cleaned.
    Parquet(PathBuf),
}

impl OutputKind {
    /// Picks the output kind from the `-o` argument: `-` is stdout; a name ending in
    /// `.parquet` is a Parquet file; one ending in `.warc`
    /// or `.wet` (optionally followed by `.gz`/`.zst`) is a WET file; one ending in `.jsonl`,
    /// `.json`, `.ndjson`, `.gz` or `.zst` is a JSONL file; anything else (or an existing
    /// directory, or a trailing `/`) is a directory.
    pub fn from_arg(arg: &Path) -> OutputKind {
        let s = arg.to_string_lossy();
        let stem = s
            .strip_suffix(".gz")
            .or_else(|| s.strip_suffix(".zst"))
            .unwrap_or(&s);
        if s == "-" {
            OutputKind::Stdout
        } else if s.ends_with(".parquet") && !arg.is_dir() {
            OutputKind::Parquet(arg.to_path_buf())
        } else if arg.is_dir() || s.ends_with('/') {
            OutputKind::Dir(arg.to_path_buf())
        } else if is_special(arg) {
            // A device or pipe takes JSONL (or WET, by its name).
            if stem.ends_with(".warc") || stem.ends_with(".wet") {
                OutputKind::Wet(arg.to_path_buf())
            } else {
                OutputKind::Jsonl(arg.to_path_buf())
            }
        } else if stem.ends_with(".warc") || stem.ends_with(".wet") {
            OutputKind::Wet(arg.to_path_buf())
        } else if [".jsonl", ".json", ".gz", ".zst", ".ndjson"]
            .iter()
            .any(|e| s.ends_with(e))
        {
            OutputKind::Jsonl(arg.to_path_buf())
        } else {
            OutputKind::Dir(arg.to_path_buf())
        }
    }

    /// This kind with its format overridden (`--output-format`). A directory cannot change
    /// format; a file path keeps its name.
    pub fn with_format(self, format: OutputFormat) -> Result<OutputKind> {
        Ok(match (self, format) {
            (OutputKind::Stdout | OutputKind::StdoutWet, OutputFormat::Text) => {
                return Err(Error::Config(
                    "--output-format text needs a directory for -o, not stdout".into(),
                ))
            }
            (OutputKind::Stdout | OutputKind::StdoutWet, OutputFormat::Wet) => {
                OutputKind::StdoutWet
            }
            (OutputKind::Stdout | OutputKind::StdoutWet, OutputFormat::Parquet) => {
                OutputKind::Parquet(PathBuf::from("-"))
            }
            (OutputKind::Stdout | OutputKind::StdoutWet, _) => OutputKind::Stdout,
            (
                OutputKind::Jsonl(p)
                | OutputKind::Wet(p)
                | OutputKind::Dir(p)
                | OutputKind::Parquet(p),
                f,
            ) => match f {
                OutputFormat::Jsonl => OutputKind::Jsonl(p),
                OutputFormat::Wet => OutputKind::Wet(p),
                OutputFormat::Text => OutputKind::Dir(p),
                OutputFormat::Parquet => OutputKind::Parquet(p),
            },
        })
    }
}

/// Output formats, to override the one a path's name implies ([`OutputKind::with_format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One JSON object per line.
    Jsonl,
    /// WARC `conversion` records.
    Wet,
    /// A directory of text files.
    Text,
    /// Parquet.
    Parquet,
}

/// Output compression, to override the one a file's name implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// None.
    None,
    /// Gzip (one member per record for WET).
    Gz,
    /// Zstandard.
    Zst,
    /// Snappy (Parquet output only).
    Snappy,
}

/// Compression of an output file, from its file name.
fn compression_of(path: &Path) -> Compression {
    let s = path.to_string_lossy();
    if s.ends_with(".gz") {
        Compression::Gz
    } else if s.ends_with(".zst") {
        Compression::Zst
    } else {
        Compression::None
    }
}

/// The uncompressed end of an output: stdout or a file under a temporary name.
enum Base {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<AtomicFile>),
}

impl Write for Base {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Base::Stdout(w) => w.write(buf),
            Base::File(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Base::Stdout(w) => w.write_all(buf),
            Base::File(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Base::Stdout(w) => w.flush(),
            Base::File(w) => w.flush(),
        }
    }
}

impl Base {
    fn finish(self, path: &Path) -> Result<()> {
        match self {
            Base::Stdout(mut w) => w.flush().map_err(|e| Error::io(path, e)),
            Base::File(w) => w
                .into_inner()
                .map_err(|e| Error::io(path, e.into_error()))?
                .commit(),
        }
    }
}

/// Where a [`Writer`]'s bytes go.
enum Sink {
    Raw(Base),
    Gz(flate2::write::GzEncoder<Base>),
    /// One gzip member per record (WET).
    GzMembers(Base),
    Zst(zstd::stream::write::Encoder<'static, Base>),
    Dir(TextDir),
    Parquet(Box<ParquetSink>),
}

/// Turns a cleaned record into the bytes of a JSONL line or a WET record. It holds no state,
/// so worker threads can format records in parallel ([`Writer::formatter`]).
#[derive(Debug, Clone)]
pub(crate) struct Formatter {
    wet: bool,
    text_field: String,
    keep_removed: bool,
}

impl Formatter {
    /// Appends one record with its cleaned text to `buf`; `decisions` give the removed blocks
    /// when they are kept.
    pub(crate) fn format(
        &self,
        rec: &Record,
        cleaned: &str,
        decisions: &[Decision],
        buf: &mut Vec<u8>,
    ) {
        if self.wet {
            wet::write_wet(buf, rec, cleaned);
        } else {
            let (field, keep) = (&self.text_field, self.keep_removed);
            jsonl::write_line(buf, rec, cleaned, decisions, field, keep);
        }
    }
}

/// Writes cleaned records in the format of the chosen [`OutputKind`].
pub struct Writer {
    sink: Sink,
    path: PathBuf,
    fmt: Formatter,
    buf: Vec<u8>,
    gz_buf: Vec<u8>,
    /// Record bytes written since the output file was last synced to disk.
    unsynced: usize,
}

/// Writeback of the output file is started after every this many record bytes, while the
/// workers go on cleaning, so that the sync before the final rename has little left to write.
const SYNC_EVERY: usize = 64 << 20;

impl Writer {
    /// Opens the output, refusing to replace an existing one unless `force`. `compress`
    /// overrides the compression the file name implies; `text_field` names the JSONL field of
    /// the text; `keep_removed` adds each record's removed blocks (JSONL only).
    pub fn create(
        kind: &OutputKind,
        compress: Option<Compression>,
        text_field: &str,
        keep_removed: bool,
        force: bool,
    ) -> Result<Writer> {
        let wet = matches!(kind, OutputKind::Wet(_) | OutputKind::StdoutWet);
        let (sink, path) = match kind {
            OutputKind::Stdout | OutputKind::StdoutWet => {
                let base = Base::Stdout(BufWriter::with_capacity(1 << 20, io::stdout()));
                let p = PathBuf::from("-");
                (Self::compressor(base, compress, wet, &p)?, p)
            }
            OutputKind::Jsonl(p) | OutputKind::Wet(p) => {
                let base = Base::File(BufWriter::with_capacity(
                    1 << 20,
                    AtomicFile::create(p, force)?,
                ));
                let c = compress.or(Some(compression_of(p)));
                (Self::compressor(base, c, wet, p)?, p.clone())
            }
            OutputKind::Dir(p) => (Sink::Dir(TextDir::create(p, force)?), p.clone()),
            OutputKind::Parquet(p) => {
                let base = if p.as_os_str() == "-" {
                    Base::Stdout(BufWriter::with_capacity(1 << 20, io::stdout()))
                } else {
                    Base::File(BufWriter::with_capacity(
                        1 << 20,
                        AtomicFile::create(p, force)?,
                    ))
                };
                let sink = ParquetSink::new(base, p, compress, text_field, keep_removed);
                (Sink::Parquet(Box::new(sink)), p.clone())
            }
        };
        Ok(Writer {
            sink,
            path,
            fmt: Formatter {
                wet,
                text_field: text_field.to_owned(),
                keep_removed,
            },
            buf: Vec::with_capacity(1 << 16),
            gz_buf: Vec::new(),
            unsynced: 0,
        })
    }

    fn compressor(base: Base, c: Option<Compression>, wet: bool, p: &Path) -> Result<Sink> {
        Ok(match c.unwrap_or(Compression::None) {
            Compression::None => Sink::Raw(base),
            Compression::Snappy => {
                return Err(Error::Config(format!(
                    "{}: snappy compresses Parquet output only; use gzip or zstd",
                    p.display()
                )))
            }
            Compression::Gz if wet => Sink::GzMembers(base),
            Compression::Gz => Sink::Gz(flate2::write::GzEncoder::new(base, Default::default())),
            Compression::Zst => {
                Sink::Zst(zstd::stream::write::Encoder::new(base, 3).map_err(|e| Error::io(p, e))?)
            }
        })
    }

    /// Writes one record with its cleaned text; `decisions` is used for `--keep-removed`.
    pub fn write(&mut self, rec: &Record, cleaned: &str, decisions: &[Decision]) -> Result<()> {
        if let Sink::Parquet(p) = &mut self.sink {
            return p.write(rec, cleaned.to_owned(), decisions);
        }
        self.buf.clear();
        if let Sink::Dir(dir) = &mut self.sink {
            return dir.write(rec, cleaned);
        }
        self.fmt.format(rec, cleaned, decisions, &mut self.buf);
        self.emit()
    }

    /// [`Writer::write`] with the cleaned text handed over: a Parquet output keeps it
    /// without a copy.
    pub(crate) fn write_owned(
        &mut self,
        rec: &Record,
        cleaned: String,
        decisions: &[Decision],
    ) -> Result<()> {
        match &mut self.sink {
            Sink::Parquet(p) => p.write(rec, cleaned, decisions),
            _ => self.write(rec, &cleaned, decisions),
        }
    }

    /// The formatter of this output's records, for formatting on worker threads; `None` for
    /// a directory of text files or Parquet, which only [`Writer::write`] writes.
    pub(crate) fn formatter(&self) -> Option<&Formatter> {
        (!matches!(self.sink, Sink::Dir(_) | Sink::Parquet(_))).then_some(&self.fmt)
    }

    /// Writes the bytes of one record made by [`Writer::formatter`].
    pub(crate) fn write_formatted(&mut self, bytes: &[u8]) -> Result<()> {
        debug_assert!(!matches!(self.sink, Sink::Dir(_) | Sink::Parquet(_)));
        self.emit_bytes(bytes)
    }

    /// Writes `self.buf` to the sink.
    fn emit(&mut self) -> Result<()> {
        let buf = std::mem::take(&mut self.buf);
        let r = self.emit_bytes(&buf);
        self.buf = buf;
        r
    }

    /// Writes `bytes` to the sink.
    fn emit_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        let path = &self.path;
        let r = match &mut self.sink {
            Sink::Raw(w) => w.write_all(bytes),
            Sink::Gz(w) => w.write_all(bytes),
            Sink::GzMembers(w) => {
                self.gz_buf.clear();
                let mut enc = flate2::write::GzEncoder::new(
                    std::mem::take(&mut self.gz_buf),
                    flate2::Compression::default(),
                );
                enc.write_all(bytes).expect("writing to a Vec");
                self.gz_buf = enc.finish().expect("writing to a Vec");
                w.write_all(&self.gz_buf)
            }
            Sink::Zst(w) => w.write_all(bytes),
            Sink::Dir(_) | Sink::Parquet(_) => {
                unreachable!("a directory or Parquet takes no formatted bytes")
            }
        };
        r.map_err(|e| Error::io(path, e))?;
        self.unsynced += bytes.len();
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            self.sync_ahead().map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(())
    }

    /// Syncs what reached the output file so far (compressors keep their buffered bytes).
    fn sync_ahead(&mut self) -> io::Result<()> {
        let base = match &mut self.sink {
            Sink::Raw(b) | Sink::GzMembers(b) => b,
            Sink::Gz(w) => w.get_mut(),
            Sink::Zst(w) => w.get_mut(),
            Sink::Dir(_) | Sink::Parquet(_) => return Ok(()),
        };
        match base {
            Base::File(w) => {
                w.flush()?;
                w.get_ref().start_writeback()
            }
            Base::Stdout(_) => Ok(()),
        }
    }

    /// Completes the output: flushes, finishes compression, renames into place.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let io_err = |e| Error::io(&path, e);
        let base = match self.sink {
            Sink::Raw(b) | Sink::GzMembers(b) => b,
            Sink::Gz(w) => w.finish().map_err(io_err)?,
            Sink::Zst(w) => w.finish().map_err(io_err)?,
            Sink::Dir(dir) => return dir.commit(),
            Sink::Parquet(p) => return p.finish(),
        };
        base.finish(&path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn output_kind_from_name() {
        assert_eq!(OutputKind::from_arg(Path::new("-")), OutputKind::Stdout);
        assert!(matches!(
            OutputKind::from_arg(Path::new("x.jsonl.zst")),
            OutputKind::Jsonl(_)
        ));
        assert!(matches!(
            OutputKind::from_arg(Path::new("outdir")),
            OutputKind::Dir(_)
        ));
    }

    #[test]
    fn atomic_file_is_removed_without_commit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        {
            let mut f = AtomicFile::create(&p, false).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!p.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut f = AtomicFile::create(&p, false).unwrap();
        f.write_all(b"done").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"done");
        assert!(matches!(
            AtomicFile::create(&p, false),
            Err(Error::OutputExists { .. })
        ));
    }
}
