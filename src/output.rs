//! Writing cleaned crawls: JSONL or WET (plain, gzip or zstd by the file name or
//! `--compress`), a directory of text files, or stdout, always through a temporary name that
//! is renamed only when the run completes, so a failed run leaves no partial output behind.
//! Gzip WET output has one gzip member per record, as Common Crawl ships it.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::bytes::first_control;
use crate::clean::Decision;
use crate::error::{Error, Result};
use crate::fs::{is_special, AtomicFile};
use crate::input::{Payload, Record};

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
}

impl OutputKind {
    /// Picks the output kind from the `-o` argument: `-` is stdout; a name ending in `.warc`
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
            (OutputKind::Stdout | OutputKind::StdoutWet, _) => OutputKind::Stdout,
            (OutputKind::Jsonl(p) | OutputKind::Wet(p) | OutputKind::Dir(p), f) => match f {
                OutputFormat::Jsonl => OutputKind::Jsonl(p),
                OutputFormat::Wet => OutputKind::Wet(p),
                OutputFormat::Text => OutputKind::Dir(p),
            },
        })
    }
}

/// Output formats, for `--output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jsonl,
    Wet,
    Text,
}

/// Output compression, for `--compress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gz,
    Zst,
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

enum Sink {
    Raw(Base),
    Gz(flate2::write::GzEncoder<Base>),
    /// One gzip member per record (WET).
    GzMembers(Base),
    Zst(zstd::stream::write::Encoder<'static, Base>),
    Dir {
        tmp: PathBuf,
        target: PathBuf,
        done: bool,
    },
}

/// Turns a cleaned record into the bytes of a JSONL line or a WET record. It holds no state,
/// so worker threads can format records in parallel ([`Writer::formatter`]).
#[derive(Debug, Clone)]
pub struct Formatter {
    wet: bool,
    text_field: String,
    keep_removed: bool,
}

impl Formatter {
    /// Appends one record with its cleaned text to `buf`; `decisions` is used for
    /// `--keep-removed`.
    pub fn format(&self, rec: &Record, cleaned: &str, decisions: &[Decision], buf: &mut Vec<u8>) {
        if self.wet {
            crate::output_warc::write_wet(buf, rec, cleaned);
            return;
        }
        if let (Payload::JsonLine { line, text_span }, false) = (&rec.payload, self.keep_removed) {
            // Splice the cleaned text into the line as read: every other field goes out byte
            // for byte, and nothing is parsed or rebuilt.
            buf.extend_from_slice(&line.as_bytes()[..text_span.start]);
            write_json_str(buf, cleaned);
            buf.extend_from_slice(&line.as_bytes()[text_span.end..]);
            buf.push(b'\n');
            return;
        }
        let mut obj = match &rec.payload {
            Payload::JsonLine { line, .. } => match serde_json::from_str(line) {
                Ok(Value::Object(map)) => map,
                _ => unreachable!("the reader only keeps lines that parse as objects"),
            },
            _ => {
                let mut m = serde_json::Map::new();
                m.insert("id".into(), Value::String(rec.id.clone()));
                if let Some(u) = &rec.url {
                    m.insert("url".into(), Value::String(u.clone()));
                }
                m.insert("site".into(), Value::String(rec.site.clone()));
                m.insert(self.text_field.clone(), Value::Null);
                m
            }
        };
        obj.insert(self.text_field.clone(), Value::String(cleaned.to_owned()));
        if self.keep_removed {
            let removed: Vec<Value> = decisions
                .iter()
                .filter(|d| !d.keep)
                .map(|d| {
                    serde_json::json!({
                        "line": d.line,
                        "text": &rec.text[d.start..d.end],
                        "reason": d.reason.as_str(),
                    })
                })
                .collect();
            obj.insert("removed".into(), Value::Array(removed));
        }
        serde_json::to_writer(&mut *buf, &obj).expect("JSON values serialise");
        buf.push(b'\n');
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
    /// Opens the output. `compress` overrides the compression the file name implies.
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
            OutputKind::Dir(p) => {
                if p.exists() && !force {
                    return Err(Error::OutputExists { path: p.clone() });
                }
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "out".into());
                let tmp = p.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
                fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
                (
                    Sink::Dir {
                        tmp,
                        target: p.clone(),
                        done: false,
                    },
                    p.clone(),
                )
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
            Compression::Gz if wet => Sink::GzMembers(base),
            Compression::Gz => Sink::Gz(flate2::write::GzEncoder::new(base, Default::default())),
            Compression::Zst => {
                Sink::Zst(zstd::stream::write::Encoder::new(base, 3).map_err(|e| Error::io(p, e))?)
            }
        })
    }

    /// Writes one record with its cleaned text; `decisions` is used for `--keep-removed`.
    pub fn write(&mut self, rec: &Record, cleaned: &str, decisions: &[Decision]) -> Result<()> {
        self.buf.clear();
        if let Sink::Dir { tmp, .. } = &self.sink {
            let rel = match &rec.payload {
                Payload::Text { rel } => rel.clone(),
                _ => PathBuf::from(sanitize_id(&rec.id) + ".txt"),
            };
            let p = tmp.join(&rel);
            if let Some(parent) = p.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            let mut body = cleaned.to_owned();
            if !body.is_empty() {
                body.push('\n');
            }
            return fs::write(&p, body).map_err(|e| Error::io(&p, e));
        }
        self.fmt.format(rec, cleaned, decisions, &mut self.buf);
        self.emit()
    }

    /// The formatter of this output's records, for formatting on worker threads; `None` for
    /// a directory of text files, which only [`Writer::write`] writes.
    pub fn formatter(&self) -> Option<&Formatter> {
        (!matches!(self.sink, Sink::Dir { .. })).then_some(&self.fmt)
    }

    /// Writes the bytes of one record made by [`Writer::formatter`].
    pub fn write_formatted(&mut self, bytes: &[u8]) -> Result<()> {
        debug_assert!(!matches!(self.sink, Sink::Dir { .. }));
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
            Sink::Dir { .. } => unreachable!(),
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
            Sink::Dir { .. } => return Ok(()),
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
    pub fn finish(mut self) -> Result<()> {
        let path = self.path.clone();
        let io_err = |e| Error::io(&path, e);
        let sink = std::mem::replace(
            &mut self.sink,
            Sink::Raw(Base::Stdout(BufWriter::new(io::stdout()))),
        );
        let base = match sink {
            Sink::Raw(b) | Sink::GzMembers(b) => b,
            Sink::Gz(w) => w.finish().map_err(io_err)?,
            Sink::Zst(w) => w.finish().map_err(io_err)?,
            Sink::Dir { tmp, target, .. } => {
                if target.exists() {
                    fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
                }
                return fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e));
            }
        };
        base.finish(&path)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Sink::Dir { tmp, done, .. } = &self.sink {
            if !done {
                let _ = fs::remove_dir_all(tmp);
            }
        }
    }
}

/// Appends `s` as a JSON string literal, escaped byte for byte as serde_json escapes it (`"`,
/// `\\`, the short forms `\b \f \n \r \t`, other control chars as `\u00xx`), but
/// copying the runs between escapes whole instead of testing and pushing each byte.
pub fn write_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    buf.reserve(b.len() + 2);
    buf.push(b'"');
    let mut start = 0;
    while start < b.len() {
        // Lines end in `\n`: find the next one, then any rarer escape before it.
        let next = memchr::memchr3(b'\n', b'"', b'\\', &b[start..]).map_or(b.len(), |i| start + i);
        let end = first_control(&b[start..next]).map_or(next, |i| start + i);
        buf.extend_from_slice(&b[start..end]);
        let Some(&c) = b.get(end) else { break };
        match c {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            c => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 0xf) as usize],
            ]),
        }
        start = end + 1;
    }
    buf.push(b'"');
}

/// Turns a record id into a safe relative file name.
fn sanitize_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn json_strings_are_escaped_as_serde_escapes_them(
            s in "(\\PC|[\u{0}-\u{1f}\"\\\\/\u{7f}])*"
        ) {
            let mut got = Vec::new();
            write_json_str(&mut got, &s);
            proptest::prop_assert_eq!(String::from_utf8(got).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

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
