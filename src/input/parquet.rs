//! Parquet: one row a page, row group after row group.
//!
//! The text, id, URL and site come from the columns named by [`InputConfig::text_field`],
//! [`InputConfig::id_field`], ...: the text column must hold strings (`string`,
//! `large_string`, `string_view`, or a dictionary of strings); the id may be of any type (a
//! number is written out, a null gives `FILE#ROW`); a URL or site column of another type than
//! strings is written out the same way. Every column of the row is kept for the writer
//! ([`Payload::Parquet`]), so that a Parquet output keeps them with their types and a JSONL
//! output writes them as JSON values.
//!
//! A file's rows are numbered from 1 through the whole file (the `record` of a [`Location`]),
//! its row groups from 0 as pyarrow and DuckDB number them; a record's `offset` is the byte
//! offset of its row group's first column chunk in the file. Damage is reported per row group
//! and reading resumes at the next one: a row group is read independently of the others.
//! A damaged or cut footer (a truncated file) loses the whole file: it says where the row
//! groups are.
//!
//! The footer is read at the end of the file, so a Parquet stream that is not a plain file
//! (stdin, or a gzip/zstd-compressed file) is first copied to an unnamed temporary file.
//!
//! Memory: one row group's compressed column chunks at most, and one batch of decoded rows
//! of about [`BATCH_BYTES`] of text (a batch of rows is read at a time, not a whole group).

use std::fs::File;
use std::io::{BufRead, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use ::parquet::arrow::ProjectionMask;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};

use super::decode::stream_error;
use super::site::resolve_site;
use super::{Chunk, InputConfig, Payload, PayloadKind, Record, RecordStream};
use crate::error::{Error, Location, Result};

/// The magic bytes that start (and end) a Parquet file.
pub(super) const MAGIC: &[u8; 4] = b"PAR1";

/// Text bytes of decoded rows read at a time.
const BATCH_BYTES: usize = 1 << 20;

/// The rows of one decoded batch as the writer needs them: every column but the text (which
/// each [`Record`] holds), and where the text goes back.
pub struct ParquetRows {
    /// The schema of the input file, the text column included.
    pub(crate) schema: SchemaRef,
    /// The text column's index in `schema`.
    pub(crate) text_col: usize,
    /// The other columns, in the order of `schema`.
    pub(crate) rest: Vec<ArrayRef>,
}

impl std::fmt::Debug for ParquetRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        f.debug_struct("ParquetRows")
            .field("columns", &names)
            .field("text_col", &self.text_col)
            .finish()
    }
}

impl ParquetRows {
    /// The input's columns, text included, as `(name, array)`; the text column's array is
    /// `None` (its values are in the records).
    pub(crate) fn columns(&self) -> impl Iterator<Item = (&str, Option<&ArrayRef>)> {
        let mut rest = self.rest.iter();
        self.schema.fields().iter().enumerate().map(move |(i, f)| {
            let a = if i == self.text_col {
                None
            } else {
                rest.next()
            };
            (f.name().as_str(), a)
        })
    }
}

/// A row group of a Parquet input, as a Parquet output needs it to copy the group's columns
/// from the input file ([`Payload::ParquetRow`]).
pub struct ParquetGroup {
    /// The input file's name, for messages.
    pub(crate) path: PathBuf,
    /// The input file (an unnamed temporary copy for stdin or a compressed file), read at
    /// offsets ([`Pread`]) so that the reading thread's position is not disturbed.
    pub(crate) file: Arc<File>,
    /// The file's footer and Arrow schema.
    pub(crate) meta: ArrowReaderMetadata,
    /// The group's index in the file.
    pub(crate) group: usize,
    /// The text column's index in the schema.
    pub(crate) text_col: usize,
}

impl std::fmt::Debug for ParquetGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetGroup")
            .field("path", &self.path)
            .field("group", &self.group)
            .finish()
    }
}

impl ParquetGroup {
    /// The group's rows.
    pub(crate) fn num_rows(&self) -> usize {
        self.meta.metadata().row_group(self.group).num_rows() as usize
    }
}

/// A file read at offsets (`pread`), for several threads at once: the `parquet` crate's own
/// reader of a `File` seeks a shared position.
pub(crate) struct Pread(pub(crate) Arc<File>);

impl ::parquet::file::reader::Length for Pread {
    fn len(&self) -> u64 {
        self.0.metadata().map_or(0, |m| m.len())
    }
}

impl ::parquet::file::reader::ChunkReader for Pread {
    type T = PreadAt;

    fn get_read(&self, start: u64) -> ::parquet::errors::Result<PreadAt> {
        Ok(PreadAt(self.0.clone(), start))
    }

    fn get_bytes(&self, start: u64, length: usize) -> ::parquet::errors::Result<bytes::Bytes> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0; length];
        self.0.read_exact_at(&mut buf, start)?;
        Ok(buf.into())
    }
}

/// A reader of a [`Pread`] file from an offset on.
pub(crate) struct PreadAt(Arc<File>, u64);

impl Read for PreadAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.0.read_at(buf, self.1)?;
        self.1 += n as u64;
        Ok(n)
    }
}

/// Where the columns dechrome reads are.
#[derive(Debug, Clone, Copy)]
struct Columns {
    text: usize,
    id: Option<usize>,
    url: Option<usize>,
    site: Option<usize>,
}

/// The records of one Parquet file, row group after row group.
pub(super) struct ParquetStream {
    cfg: InputConfig,
    path: PathBuf,
    file: Arc<File>,
    meta: ArrowReaderMetadata,
    /// What the records carry.
    payload: PayloadKind,
    /// The columns in the file.
    cols: Columns,
    /// Unless the payload is [`PayloadKind::Full`], only the columns of `cols` are decoded:
    /// which, and where they are in the decoded batches. `None`: every column is decoded.
    projection: Option<(ProjectionMask, Columns)>,
    /// The next row group to open.
    next_group: usize,
    /// The row group being read: its reader, its number, the file row of its first row and
    /// the rows of it read so far.
    current: Option<GroupReader>,
    /// Records of a batch not yet handed out by [`RecordStream::next_record`].
    pending: std::collections::VecDeque<Result<Record>>,
}

struct GroupReader {
    batches: ParquetRecordBatchReader,
    /// The group, for [`PayloadKind::Located`] records.
    located: Option<Arc<ParquetGroup>>,
    group: usize,
    first_row: u64,
    read: u64,
}

impl ParquetStream {
    /// Opens a Parquet stream: the file itself when `path` is a plain Parquet file, else the
    /// decompressed stream `r` copied to a temporary file. Reads the footer and finds the
    /// columns; a damaged footer or a missing or non-string text column is an error for the
    /// whole file.
    /// Unless `payload` is [`PayloadKind::Full`], only the columns that make a page are
    /// decoded.
    pub(super) fn open(
        cfg: InputConfig,
        path: PathBuf,
        r: Box<dyn BufRead + Send>,
        payload: PayloadKind,
    ) -> Result<ParquetStream> {
        let file = match plain_parquet_file(&path) {
            Some(f) => f,
            None => spool(&path, r)?,
        };
        let loaded = guarded(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()));
        let meta = flatten(loaded).map_err(|e| Error::ParquetDamaged {
            path: path.clone(),
            detail: format!(
                "its footer cannot be read ({e}), so none of its rows can; a file cut short \
                 loses its footer"
            ),
        })?;
        let cols = find_columns(&cfg, &path, meta.schema())?;
        let projection = (payload != PayloadKind::Full).then(|| cols.projection(&meta));
        Ok(ParquetStream {
            cfg,
            path,
            file: Arc::new(file),
            meta,
            payload,
            cols,
            projection,
            next_group: 0,
            current: None,
            pending: Default::default(),
        })
    }

    /// Starts reading the next row group; `None` after the last.
    fn open_group(&mut self) -> Option<Result<()>> {
        let md = self.meta.metadata().clone();
        let g = self.next_group;
        if g >= md.num_row_groups() {
            return None;
        }
        self.next_group += 1;
        let first_row: u64 = (0..g).map(|i| md.row_group(i).num_rows() as u64).sum();
        let rg = md.row_group(g);
        let text_bytes = rg.column(self.cols.text).uncompressed_size().max(1) as usize;
        let rows = (rg.num_rows().max(1)) as usize;
        let batch_rows = (BATCH_BYTES * rows / text_bytes).clamp(16, 8192);
        let file = match (*self.file).try_clone() {
            Ok(f) => f,
            Err(e) => return Some(Err(Error::io(&self.path, e))),
        };
        let built = guarded(|| {
            let b = ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.meta.clone())
                .with_row_groups(vec![g])
                .with_batch_size(batch_rows);
            match &self.projection {
                Some((mask, _)) => b.with_projection(mask.clone()).build(),
                None => b.build(),
            }
        });
        Some(match flatten(built) {
            Ok(batches) => {
                let located = (self.payload == PayloadKind::Located).then(|| {
                    Arc::new(ParquetGroup {
                        path: self.path.clone(),
                        file: self.file.clone(),
                        meta: self.meta.clone(),
                        group: g,
                        text_col: self.cols.text,
                    })
                });
                self.current = Some(GroupReader {
                    batches,
                    located,
                    group: g,
                    first_row,
                    read: 0,
                });
                Ok(())
            }
            Err(e) => Err(self.damaged(g, first_row, 0, &e)),
        })
    }

    /// A damaged row group: what is lost, and where reading resumes.
    fn damaged(&self, g: usize, first_row: u64, read: u64, detail: &str) -> Error {
        let rows = self.meta.metadata().row_group(g).num_rows() as u64;
        let resume = if g + 1 < self.meta.metadata().num_row_groups() {
            format!("reading resumes at row group {}", g + 1)
        } else {
            "it is the last row group".to_owned()
        };
        Error::ParquetDamaged {
            path: self.path.clone(),
            detail: format!(
                "row group {g} (rows {} to {}) is damaged after {read} of its rows ({detail}); the \
                 rest of the group is lost, {resume}",
                first_row + 1,
                first_row + rows,
            ),
        }
    }

    /// The records of the next decoded batch, or the error that ends a row group; `None` at
    /// the end of the file.
    fn next_batch(&mut self) -> Option<Vec<Result<Record>>> {
        loop {
            let Some(cur) = self.current.as_mut() else {
                match self.open_group()? {
                    Ok(()) => continue,
                    Err(e) => return Some(vec![Err(e)]),
                }
            };
            let (g, first, read) = (cur.group, cur.first_row, cur.read);
            // A damaged page can make the decoder panic: the reader is dropped and its row
            // group lost, as on an error.
            let batch = guarded(|| cur.batches.next().map(|b| b.map_err(|e| e.to_string())));
            let batch = match batch {
                Ok(b) => b,
                Err(panic) => Some(Err(panic)),
            };
            match batch {
                None => self.current = None,
                Some(Ok(b)) => {
                    cur.read += b.num_rows() as u64;
                    let recs = guarded(|| self.records(&b, g, first + read, read));
                    return Some(recs.unwrap_or_else(|panic| {
                        self.current = None;
                        vec![Err(self.damaged(g, first, read, &panic))]
                    }));
                }
                Some(Err(e)) => {
                    self.current = None;
                    return Some(vec![Err(self.damaged(g, first, read, &e))]);
                }
            }
        }
    }

    /// The records of one batch of row group `group`, whose first row is row `first` of the
    /// file (0-based) and row `in_group` of the group.
    fn records(
        &self,
        b: &RecordBatch,
        group: usize,
        first: u64,
        in_group: u64,
    ) -> Vec<Result<Record>> {
        let mut cols = b.columns().to_vec();
        let c = self.batch_columns();
        let text = &cols[c.text];
        if Strings::of(text.as_ref()).is_none() {
            // A dictionary of strings (checked on opening): cast once to plain strings.
            match arrow_cast::cast(text, &DataType::LargeUtf8) {
                Ok(t) => cols[c.text] = t,
                Err(e) => {
                    let e = self.damaged(group, first - in_group, in_group, &e.to_string());
                    return vec![Err(e)];
                }
            }
        }
        self.records_of(&cols, group, first, in_group)
    }

    /// Where the text, id, URL and site are in a decoded batch.
    fn batch_columns(&self) -> Columns {
        self.projection.as_ref().map_or(self.cols, |(_, c)| *c)
    }

    /// The payload of a batch's rows: every column but the text, for the writer; `None`
    /// without a payload.
    fn payload_rows(&self, cols: &[ArrayRef]) -> Option<Arc<ParquetRows>> {
        if self.projection.is_some() {
            return None;
        }
        let text_col = self.cols.text;
        let rest = cols
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != text_col)
            .map(|(_, a)| a.clone())
            .collect();
        Some(Arc::new(ParquetRows {
            schema: self.meta.schema().clone(),
            text_col,
            rest,
        }))
    }

    /// [`ParquetStream::records`] of the batch's columns, the text one of plain strings.
    fn records_of(
        &self,
        cols: &[ArrayRef],
        group: usize,
        first: u64,
        in_group: u64,
    ) -> Vec<Result<Record>> {
        let c = self.batch_columns();
        let rg = self.meta.metadata().row_group(group);
        let offset = rg.column(0).byte_range().0;
        let (group_rows, group_bytes) = (rg.num_rows().max(1) as u64, rg.compressed_size() as u64);
        let texts = Strings::of(cols[c.text].as_ref()).expect("the text column holds strings");
        let rows = self.payload_rows(cols);
        let located = self.current.as_ref().and_then(|c| c.located.clone());
        let id_fmt = c.id.map(|i| Formatted::new(&cols[i]));
        let url_fmt = c.url.map(|i| Formatted::new(&cols[i]));
        let site_fmt = c.site.map(|i| Formatted::new(&cols[i]));
        (0..cols[c.text].len())
            .map(|i| {
                let row = first + i as u64;
                let loc = Location::new(&self.path, row + 1, offset);
                let Some(text) = texts.get(i) else {
                    return Err(Error::BadRecord {
                        loc,
                        msg: format!(
                            "row group {group}, row {} of it: the text (column {:?}) is null",
                            in_group + i as u64,
                            self.cfg.text_field
                        ),
                    });
                };
                if text.len() as u64 > self.cfg.max_record_bytes {
                    return Err(Error::RecordTooLarge {
                        loc,
                        size: text.len() as u64,
                        limit: self.cfg.max_record_bytes,
                    });
                }
                let r = in_group + i as u64;
                // The group's compressed bytes shared out over its rows, summing to the whole.
                let bytes = (r + 1) * group_bytes / group_rows - r * group_bytes / group_rows;
                let id = id_fmt
                    .as_ref()
                    .and_then(|f| f.get(i))
                    .unwrap_or_else(|| format!("{}#{}", self.path.display(), row + 1));
                let url = url_fmt.as_ref().and_then(|f| f.get(i));
                let site_field = site_fmt.as_ref().and_then(|f| f.get(i));
                let site = resolve_site(
                    site_field.as_deref(),
                    url.as_deref(),
                    None,
                    self.cfg.site_key,
                );
                let (text, dom) = super::html::field_blocks(text.into(), self.cfg.html_field);
                Ok(Record {
                    id,
                    site,
                    url,
                    text,
                    dom,
                    payload: match (&rows, &located) {
                        (Some(rows), _) => Payload::Parquet {
                            rows: rows.clone(),
                            row: i,
                        },
                        (None, Some(group)) => Payload::ParquetRow {
                            group: group.clone(),
                            row: r as usize,
                        },
                        (None, None) => Payload::None,
                    },
                    loc,
                    lossy: false,
                    bytes,
                })
            })
            .collect()
    }
}

impl RecordStream for ParquetStream {
    fn next_record(&mut self) -> Option<Result<Record>> {
        while self.pending.is_empty() {
            let batch = self.next_batch()?;
            self.pending.extend(batch);
        }
        self.pending.pop_front()
    }

    fn next_chunk(&mut self, max_bytes: usize) -> Option<Chunk> {
        let size = |r: &Result<Record>| r.as_ref().map_or(64, |r| r.text.len() + 64);
        let mut recs: Vec<Result<Record>> = self.pending.drain(..).collect();
        let mut bytes: usize = recs.iter().map(size).sum();
        while bytes < max_bytes {
            let Some(b) = self.next_batch() else { break };
            bytes += b.iter().map(size).sum::<usize>();
            recs.extend(b);
        }
        (!recs.is_empty()).then_some(Chunk::Records(recs))
    }
}

thread_local! {
    /// Depth of [`guarded`] calls on this thread.
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether this thread is inside a Parquet decode that turns a panic into an error (the
/// `parquet` crate asserts on some damaged bytes): a panic hook should say nothing then, the
/// error will.
pub fn panic_is_caught() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Runs `f`, a decode of bytes from a Parquet file, turning a panic into `Err` with its
/// message.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    GUARDED.with(|g| g.set(g.get() + 1));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    r.map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder failed".to_owned());
        format!("the Parquet decoder gave up: {msg}")
    })
}

/// A guarded result of the parquet crate as one `Result` with a message.
fn flatten<T>(
    r: std::result::Result<std::result::Result<T, ::parquet::errors::ParquetError>, String>,
) -> std::result::Result<T, String> {
    r.and_then(|r| r.map_err(|e| e.to_string()))
}

/// The file at `path` when it is a regular file that starts with the Parquet magic (not
/// compressed): read in place.
fn plain_parquet_file(path: &Path) -> Option<File> {
    if path == Path::new("-") {
        return None;
    }
    let mut f = File::open(path).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut head = [0u8; 4];
    f.read_exact(&mut head).ok()?;
    f.rewind().ok()?;
    (&head == MAGIC).then_some(f)
}

/// Copies a stream to an unnamed temporary file (gone when closed), for a Parquet file read
/// from stdin or through gzip/zstd: its footer is at the end.
fn spool(path: &Path, mut r: Box<dyn BufRead + Send>) -> Result<File> {
    let mut f = tempfile::tempfile().map_err(|e| Error::io("temporary file", e))?;
    let mut w = std::io::BufWriter::new(&mut f);
    let n = std::io::copy(&mut r, &mut w).map_err(|e| stream_error(path, 0, e))?;
    w.flush().map_err(|e| Error::io("temporary file", e))?;
    drop(w);
    let _ = n;
    Ok(f)
}

/// Finds the text, id, URL and site columns by name; the text column must be there and hold
/// strings.
fn find_columns(cfg: &InputConfig, path: &Path, schema: &SchemaRef) -> Result<Columns> {
    let find = |name: &str| schema.index_of(name).ok();
    let Some(text) = find(&cfg.text_field) else {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        return Err(Error::ParquetColumn {
            path: path.to_path_buf(),
            detail: format!(
                "has no column {:?} to take the text from (its columns: {})",
                cfg.text_field,
                names.join(", ")
            ),
        });
    };
    let ty = schema.field(text).data_type();
    if !is_string_type(ty) {
        return Err(Error::ParquetColumn {
            path: path.to_path_buf(),
            detail: format!(
                "its column {:?} holds {ty}, not strings, so it cannot be the text",
                cfg.text_field
            ),
        });
    }
    Ok(Columns {
        text,
        id: find(&cfg.id_field),
        url: find(&cfg.url_field),
        site: find(&cfg.site_field),
    })
}

impl Columns {
    /// The mask that decodes only these columns, and where they are in its batches (in the
    /// file's order, each once).
    fn projection(&self, meta: &ArrowReaderMetadata) -> (ProjectionMask, Columns) {
        let mut wanted: Vec<usize> = [Some(self.text), self.id, self.url, self.site]
            .into_iter()
            .flatten()
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let at = |c: usize| wanted.binary_search(&c).expect("a wanted column");
        let mask = ProjectionMask::roots(meta.parquet_schema(), wanted.iter().copied());
        let cols = Columns {
            text: at(self.text),
            id: self.id.map(at),
            url: self.url.map(at),
            site: self.site.map(at),
        };
        (mask, cols)
    }
}

/// Strings, or a dictionary of them.
fn is_string_type(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => matches!(**v, DataType::Utf8 | DataType::LargeUtf8),
        _ => false,
    }
}

/// The values of a string array of any offset width.
pub(crate) enum Strings<'a> {
    Small(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Strings<'a> {
    /// The array's strings; `None` when it holds something else.
    pub(crate) fn of(a: &'a dyn Array) -> Option<Strings<'a>> {
        if let Some(s) = a.as_string_opt::<i32>() {
            Some(Strings::Small(s))
        } else if let Some(s) = a.as_string_opt::<i64>() {
            Some(Strings::Large(s))
        } else {
            a.as_string_view_opt().map(Strings::View)
        }
    }

    /// Value `i`, `None` when null.
    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Small(s) => s.is_valid(i).then(|| s.value(i)),
            Strings::Large(s) => s.is_valid(i).then(|| s.value(i)),
            Strings::View(s) => s.is_valid(i).then(|| s.value(i)),
        }
    }
}

/// The id, URL or site of a row as text: strings as they are, anything else as Arrow displays
/// it (numbers as written, dates in ISO 8601).
enum Formatted<'a> {
    Strings(Strings<'a>),
    Other(
        &'a dyn Array,
        Option<arrow_cast::display::ArrayFormatter<'a>>,
    ),
}

impl<'a> Formatted<'a> {
    fn new(a: &'a ArrayRef) -> Formatted<'a> {
        match Strings::of(a.as_ref()) {
            Some(s) => Formatted::Strings(s),
            None => {
                let opts = arrow_cast::display::FormatOptions::default();
                let f = arrow_cast::display::ArrayFormatter::try_new(a.as_ref(), &opts).ok();
                Formatted::Other(a.as_ref(), f)
            }
        }
    }

    fn get(&self, i: usize) -> Option<String> {
        match self {
            Formatted::Strings(s) => s.get(i).map(str::to_owned),
            Formatted::Other(a, f) => {
                if a.is_null(i) {
                    return None;
                }
                f.as_ref().map(|f| f.value(i).to_string())
            }
        }
    }
}
