//! Writing cleaned crawls: JSONL (plain, gzip or zstd by the file name), a directory of text
//! files, or stdout, always through a temporary name that is renamed only when the run
//! completes, so a failed run leaves no partial output behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::clean::Decision;
use crate::error::{Error, Result};
use crate::input::{Payload, Record};

/// A file written under a temporary name in the same directory and renamed over the target
/// by [`AtomicFile::commit`]. Dropped without a commit, the temporary file is removed.
pub struct AtomicFile {
    file: Option<File>,
    tmp: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file. Refuses an existing target unless `force`.
    pub fn create(target: &Path, force: bool) -> Result<AtomicFile> {
        if !force && target.exists() {
            return Err(Error::OutputExists {
                path: target.to_path_buf(),
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = target.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(AtomicFile {
            file: Some(file),
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// Flushes to disk and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("not yet committed");
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        drop(file);
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.as_mut().expect("not yet committed").write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().expect("not yet committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Where cleaned records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    /// JSONL to stdout.
    Stdout,
    /// JSONL file, compressed as its name says (`.gz`, `.zst`).
    Jsonl(PathBuf),
    /// A directory of text files mirroring the input's relative paths (or ids).
    Dir(PathBuf),
}

impl OutputKind {
    /// Picks the output kind from the `-o` argument: `-` is stdout, a name ending in `.jsonl`,
    /// `.json`, `.gz` or `.zst` is a JSONL file, anything else (or an existing directory, or a
    /// trailing `/`) is a directory.
    pub fn from_arg(arg: &Path) -> OutputKind {
        let s = arg.to_string_lossy();
        if s == "-" {
            OutputKind::Stdout
        } else if arg.is_dir() || s.ends_with('/') {
            OutputKind::Dir(arg.to_path_buf())
        } else if [".jsonl", ".json", ".gz", ".zst", ".ndjson"]
            .iter()
            .any(|e| s.ends_with(e))
        {
            OutputKind::Jsonl(arg.to_path_buf())
        } else {
            OutputKind::Dir(arg.to_path_buf())
        }
    }
}

/// Compression of a JSONL output, from its file name.
fn compression_of(path: &Path) -> Option<&'static str> {
    let s = path.to_string_lossy();
    if s.ends_with(".gz") {
        Some("gz")
    } else if s.ends_with(".zst") {
        Some("zst")
    } else {
        None
    }
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    Plain(BufWriter<AtomicFile>),
    Gz(flate2::write::GzEncoder<BufWriter<AtomicFile>>),
    Zst(zstd::stream::write::Encoder<'static, BufWriter<AtomicFile>>),
    Dir {
        tmp: PathBuf,
        target: PathBuf,
        done: bool,
    },
}

/// Writes cleaned records in the format of the chosen [`OutputKind`].
pub struct Writer {
    sink: Sink,
    path: PathBuf,
    text_field: String,
    keep_removed: bool,
    buf: Vec<u8>,
}

impl Writer {
    pub fn create(
        kind: &OutputKind,
        text_field: &str,
        keep_removed: bool,
        force: bool,
    ) -> Result<Writer> {
        let (sink, path) = match kind {
            OutputKind::Stdout => (
                Sink::Stdout(BufWriter::with_capacity(1 << 20, io::stdout())),
                PathBuf::from("-"),
            ),
            OutputKind::Jsonl(p) => {
                let f = BufWriter::with_capacity(1 << 20, AtomicFile::create(p, force)?);
                let sink = match compression_of(p) {
                    Some("gz") => Sink::Gz(flate2::write::GzEncoder::new(f, Default::default())),
                    Some(_) => Sink::Zst(
                        zstd::stream::write::Encoder::new(f, 3).map_err(|e| Error::io(p, e))?,
                    ),
                    None => Sink::Plain(f),
                };
                (sink, p.clone())
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
            text_field: text_field.to_owned(),
            keep_removed,
            buf: Vec::with_capacity(1 << 16),
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
        if let (Payload::JsonLine { line, text_span }, false) = (&rec.payload, self.keep_removed) {
            // Splice the cleaned text into the line as read: every other field goes out byte
            // for byte, and nothing is parsed or rebuilt.
            self.buf
                .extend_from_slice(&line.as_bytes()[..text_span.start]);
            serde_json::to_writer(&mut self.buf, cleaned).expect("strings serialise");
            self.buf
                .extend_from_slice(&line.as_bytes()[text_span.end..]);
            self.buf.push(b'\n');
            return self.flush_buf();
        }
        let mut obj = match &rec.payload {
            Payload::Json(map) => map.clone(),
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
        serde_json::to_writer(&mut self.buf, &obj).expect("JSON values serialise");
        self.buf.push(b'\n');
        self.flush_buf()
    }

    fn flush_buf(&mut self) -> Result<()> {
        let path = &self.path;
        let r = match &mut self.sink {
            Sink::Stdout(w) => w.write_all(&self.buf),
            Sink::Plain(w) => w.write_all(&self.buf),
            Sink::Gz(w) => w.write_all(&self.buf),
            Sink::Zst(w) => w.write_all(&self.buf),
            Sink::Dir { .. } => unreachable!(),
        };
        r.map_err(|e| Error::io(path, e))
    }

    /// Completes the output: flushes, finishes compression, renames into place.
    pub fn finish(mut self) -> Result<()> {
        let path = self.path.clone();
        let io_err = |e| Error::io(&path, e);
        let sink = std::mem::replace(&mut self.sink, Sink::Stdout(BufWriter::new(io::stdout())));
        let atomic = match sink {
            Sink::Stdout(mut w) => {
                w.flush().map_err(io_err)?;
                return Ok(());
            }
            Sink::Plain(w) => w.into_inner().map_err(|e| io_err(e.into_error()))?,
            Sink::Gz(w) => w
                .finish()
                .map_err(io_err)?
                .into_inner()
                .map_err(|e| io_err(e.into_error()))?,
            Sink::Zst(w) => w
                .finish()
                .map_err(io_err)?
                .into_inner()
                .map_err(|e| io_err(e.into_error()))?,
            Sink::Dir { tmp, target, .. } => {
                if target.exists() {
                    fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
                }
                return fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e));
            }
        };
        atomic.commit()
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
