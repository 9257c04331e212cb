//! Parquet output, and Parquet rows written as JSONL.
//!
//! The output's columns depend on where the records came from:
//! - Parquet input: every column of the input, in its order and with its type; the text
//!   column holds the cleaned text (its type kept: `string`, `large_string`...). All inputs
//!   must have the same columns (one output holds one schema). The jobs read such input
//!   located ([`crate::input::PayloadKind::Located`]): each input row group becomes an output
//!   row group whose other columns are copied from the input file, chunk for chunk, as they
//!   are (`parquet_copy.rs`); records decoded in full ([`Payload::Parquet`], from the
//!   library's own callers) are written through Arrow as below.
//! - JSONL input: one `string` column per top-level field of the records, in the order first
//!   seen in the first [`BATCH_ROWS`] records (which fix the schema): a JSON string as its
//!   value, any other value (number, bool, object, array) as its JSON text, a missing field
//!   or `null` as null. A field first seen after them is left out, with a warning on stderr.
//! - WARC/WET and text input: `id`, `url`, `site` and the text column, as JSONL output has
//!   them.
//!
//! With `--keep-removed`, a `removed` column (replacing one of that name) lists each removed
//! block: `list<struct<line: int64, text: string, reason: string>>`, as in JSONL output.
//!
//! Rows are gathered into batches of [`BATCH_ROWS`] rows or [`BATCH_BYTES`] of text, and a
//! row group is cut after [`GROUP_BYTES`] of text or [`GROUP_ROWS`] rows: both depend on the
//! rows alone, so the file is the same whatever the thread count. Compression is zstd
//! (level 1) unless snappy, gzip or none is asked for (columns copied from a Parquet input
//! keep their own); the text column is written without dictionary or statistics (long,
//! unique strings gain nothing from either).
//!
//! Memory: one batch of rows, and the encoded row group in progress (compressed).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::{Compression as Codec, GzipLevel, ZstdLevel};
use ::parquet::file::properties::{EnabledStatistics, WriterProperties};
use ::parquet::schema::types::ColumnPath;
use arrow_array::builder::{
    ArrayBuilder, Int64Builder, LargeStringBuilder, ListBuilder, StringBuilder, StructBuilder,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use serde_json::value::RawValue;
use serde_json::Value;

use super::jsonl::write_json_str;
use super::parquet_copy::CopyWriter;
use super::{Base, Compression};
use crate::clean::Decision;
use crate::error::{Error, Result};
use crate::input::{ParquetGroup, ParquetRows, Payload, Record, Strings};

/// Rows per batch handed to the Parquet writer.
const BATCH_ROWS: usize = 4096;
/// Cleaned text per batch handed to the Parquet writer.
const BATCH_BYTES: usize = 8 << 20;
/// A row group is cut after this much cleaned text...
const GROUP_BYTES: usize = 64 << 20;
/// ... or this many rows.
const GROUP_ROWS: usize = 100_000;

/// Where a row's other columns come from.
enum Source {
    /// A Parquet row, decoded.
    Arrow(Arc<ParquetRows>, usize),
    /// A Parquet row to copy from its input file: its group, its index there.
    Located(Arc<ParquetGroup>, usize),
    /// A JSONL line as read, its text `""`.
    Json(String),
    /// A WARC or text record.
    Plain {
        id: String,
        url: Option<String>,
        site: String,
    },
}

/// A row waiting for its batch.
struct Row {
    src: Source,
    cleaned: String,
    removed: Vec<(i64, String, &'static str)>,
}

/// The output's columns, fixed by the first batch.
enum Layout {
    /// The input's columns: its schema, the text column's index.
    Arrow { input: Arc<Schema>, text_col: usize },
    /// The input's columns, copied from the input files ([`CopyWriter`]); the first group.
    Copy { first: Arc<ParquetGroup> },
    /// JSONL fields, all strings; the text field among them.
    Json { fields: Vec<String> },
    /// `id`, `url`, `site`, text.
    Plain,
}

impl Layout {
    /// The Parquet input schema whose columns the output follows; `None` for other inputs.
    fn input_schema(&self) -> Option<SchemaRef> {
        match self {
            Layout::Arrow { input, .. } => Some(input.clone()),
            Layout::Copy { first } => Some(first.meta.schema().clone()),
            Layout::Json { .. } | Layout::Plain => None,
        }
    }
}

/// A Parquet file being written. The thread that calls [`ParquetSink::write`] (the job's
/// consumer, which puts records back in input order) only gathers rows; building the Arrow
/// columns, encoding and compressing them and writing the file run on a thread of their own
/// ([`Encoder`]), which gets the same batches in the same order whatever the thread count.
pub(super) struct ParquetSink {
    path: PathBuf,
    /// The output until the encoder takes it.
    base: Option<Base>,
    props: WriterProperties,
    text_field: String,
    keep_removed: bool,
    /// The input schema the output's columns follow, once fixed (`Some(None)`: not Parquet).
    fixed: Option<Option<SchemaRef>>,
    pending: Vec<Row>,
    pending_bytes: usize,
    encoder: Option<EncoderThread>,
}

/// The encoding thread: batches of rows go to it, the output comes back when it ends.
struct EncoderThread {
    tx: crossbeam_channel::Sender<(Vec<Row>, usize)>,
    handle: std::thread::JoinHandle<Result<Base>>,
}

/// Batches of rows on their way to the encoder: enough to keep it busy while the next one is
/// gathered, few enough to bound memory.
const BATCHES_IN_FLIGHT: usize = 2;

impl ParquetSink {
    /// A Parquet output to `base`, named `path` in messages. `compress` defaults to zstd.
    pub(super) fn new(
        base: Base,
        path: &Path,
        compress: Option<Compression>,
        text_field: &str,
        keep_removed: bool,
    ) -> ParquetSink {
        let codec = match compress {
            None | Some(Compression::Zst) => Codec::ZSTD(ZstdLevel::default()),
            Some(Compression::Snappy) => Codec::SNAPPY,
            Some(Compression::Gz) => Codec::GZIP(GzipLevel::default()),
            Some(Compression::None) => Codec::UNCOMPRESSED,
        };
        ParquetSink {
            path: path.to_path_buf(),
            base: Some(base),
            props: properties(codec, text_field),
            text_field: text_field.to_owned(),
            keep_removed,
            fixed: None,
            pending: Vec::new(),
            pending_bytes: 0,
            encoder: None,
        }
    }

    /// Adds one cleaned record; hands a batch to the encoder when enough are gathered.
    pub(super) fn write(&mut self, rec: &Record, cleaned: String, d: &[Decision]) -> Result<()> {
        let src = match &rec.payload {
            Payload::Parquet { rows, row } => {
                self.check_schema(rec, &rows.schema)?;
                Source::Arrow(rows.clone(), *row)
            }
            Payload::ParquetRow { group, row } => {
                self.check_schema(rec, group.meta.schema())?;
                Source::Located(group.clone(), *row)
            }
            Payload::JsonLine { line, .. } => Source::Json(line.clone()),
            _ => Source::Plain {
                id: rec.id.clone(),
                url: rec.url.clone(),
                site: rec.site.clone(),
            },
        };
        let removed = if self.keep_removed {
            d.iter()
                .filter(|d| !d.keep)
                .map(|d| {
                    (
                        d.line as i64,
                        rec.text[d.start..d.end].to_owned(),
                        d.reason.as_str(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        self.pending_bytes += cleaned.len();
        self.pending.push(Row {
            src,
            cleaned,
            removed,
        });
        if self.pending.len() >= BATCH_ROWS || self.pending_bytes >= BATCH_BYTES {
            self.send_batch()?;
        }
        Ok(())
    }

    /// Refuses a Parquet row whose columns differ from the output's (a second input file of
    /// another schema), or a Parquet row after other records.
    fn check_schema(&self, rec: &Record, schema: &SchemaRef) -> Result<()> {
        let first = self.pending.first().map(|r| match &r.src {
            Source::Arrow(rows, _) => Some(rows.schema.clone()),
            Source::Located(g, _) => Some(g.meta.schema().clone()),
            _ => None,
        });
        match self.fixed.clone().or(first) {
            None => Ok(()),
            Some(Some(s)) if Arc::ptr_eq(&s, schema) || fields_match(&s, schema) => Ok(()),
            Some(s) => Err(Error::Config(format!(
                "{}: its columns ({}) differ from those of the records before it ({}); a \
                 Parquet output holds one set of columns: clean such inputs to separate \
                 outputs, or write JSONL",
                rec.loc.file.display(),
                describe(schema),
                s.map_or("not from Parquet".to_owned(), |s| describe(&s)),
            ))),
        }
    }

    /// Hands the pending rows to the encoder, started on the first batch once the columns are
    /// known (from these rows, or the plain ones when there are none).
    fn send_batch(&mut self) -> Result<()> {
        if self.encoder.is_none() {
            let layout = match self.pending.is_empty() {
                true => Layout::Plain,
                false => self.decide_layout(),
            };
            self.fixed = Some(layout.input_schema());
            self.start_encoder(layout)?;
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        let bytes = std::mem::take(&mut self.pending_bytes);
        let enc = self.encoder.as_ref().expect("started above");
        if enc.tx.send((rows, bytes)).is_err() {
            // The encoder stopped on an error: that error is the answer.
            let enc = self.encoder.take().expect("there");
            return Err(join_encoder(enc).err().unwrap_or_else(|| Error::BadOutput {
                path: self.path.clone(),
                why: "the Parquet encoder stopped early".into(),
            }));
        }
        Ok(())
    }

    /// Starts the encoding thread for `layout`.
    fn start_encoder(&mut self, layout: Layout) -> Result<()> {
        let schema = self.output_schema(&layout);
        let enc = Encoder {
            path: self.path.clone(),
            base: self.base.take(),
            writer: None,
            copy: None,
            group: None,
            props: self.props.clone(),
            text_field: self.text_field.clone(),
            keep_removed: self.keep_removed,
            layout,
            schema,
            group_rows: 0,
            group_bytes: 0,
            warned: HashSet::new(),
        };
        let (tx, rx) = crossbeam_channel::bounded(BATCHES_IN_FLIGHT);
        let handle = std::thread::Builder::new()
            .name("parquet-encoder".into())
            .spawn(move || enc.run(rx))
            .map_err(|e| Error::io(&self.path, e))?;
        self.encoder = Some(EncoderThread { tx, handle });
        Ok(())
    }

    /// The layout the first pending row calls for.
    fn decide_layout(&self) -> Layout {
        match &self.pending[0].src {
            Source::Arrow(rows, _) => Layout::Arrow {
                input: rows.schema.clone(),
                text_col: rows.text_col,
            },
            Source::Located(g, _) => Layout::Copy { first: g.clone() },
            Source::Json(_) => {
                let mut fields: Vec<String> = Vec::new();
                let mut seen = HashSet::new();
                for r in &self.pending {
                    if let Source::Json(line) = &r.src {
                        for k in json_object(line).keys() {
                            if seen.insert(k.clone()) {
                                fields.push(k.clone());
                            }
                        }
                    }
                }
                if !seen.contains(&self.text_field) {
                    fields.push(self.text_field.clone());
                }
                Layout::Json { fields }
            }
            Source::Plain { .. } => Layout::Plain,
        }
    }

    /// The output schema of a layout: the removed column added (or put in place of one of
    /// that name) when kept.
    fn output_schema(&self, layout: &Layout) -> SchemaRef {
        let (mut fields, metadata): (Vec<Field>, _) = match (layout.input_schema(), layout) {
            (Some(input), _) => (
                input.fields().iter().map(|f| f.as_ref().clone()).collect(),
                input.metadata().clone(),
            ),
            (None, Layout::Json { fields }) => (
                fields
                    .iter()
                    .map(|n| Field::new(n, DataType::Utf8, *n != self.text_field))
                    .collect(),
                Default::default(),
            ),
            // Plain: the columns every input has.
            (None, _) => (
                vec![
                    Field::new("id", DataType::Utf8, false),
                    Field::new("url", DataType::Utf8, true),
                    Field::new("site", DataType::Utf8, false),
                    Field::new(&self.text_field, DataType::Utf8, false),
                ],
                Default::default(),
            ),
        };
        if self.keep_removed {
            let removed = Field::new("removed", removed_type(), false);
            match fields.iter().position(|f| f.name() == "removed") {
                Some(i) => fields[i] = removed,
                None => fields.push(removed),
            }
        }
        Arc::new(Schema::new_with_metadata(fields, metadata))
    }

    /// Writes the last batch and the footer; the output goes into place. With no records, a
    /// file of the plain columns and no rows.
    pub(super) fn finish(mut self) -> Result<()> {
        self.send_batch()?;
        let enc = self.encoder.take().expect("started by send_batch");
        join_encoder(enc)?.finish(&self.path)
    }
}

/// Ends the encoder's input and waits for it: the output, written up to its footer.
fn join_encoder(enc: EncoderThread) -> Result<Base> {
    drop(enc.tx);
    match enc.handle.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The writer's settings: the codec, no dictionary or statistics for the text.
fn properties(codec: Codec, text_field: &str) -> WriterProperties {
    let text = ColumnPath::from(text_field);
    WriterProperties::builder()
        .set_compression(codec)
        .set_max_row_group_size(GROUP_ROWS)
        .set_column_dictionary_enabled(text.clone(), false)
        .set_column_statistics_enabled(text, EnabledStatistics::None)
        .build()
}

/// The encoding side of a [`ParquetSink`], on a thread of its own: builds each batch's Arrow
/// columns, encodes and compresses them, writes the file and cuts row groups by the rows it
/// has seen (so the file is the same whatever the thread count).
struct Encoder {
    path: PathBuf,
    base: Option<Base>,
    writer: Option<ArrowWriter<Base>>,
    /// The writer of [`Layout::Copy`], in place of `writer`.
    copy: Option<CopyWriter>,
    /// [`Layout::Copy`]: the input row group being gathered, and its rows so far.
    group: Option<(Arc<ParquetGroup>, Vec<Row>)>,
    props: WriterProperties,
    text_field: String,
    keep_removed: bool,
    layout: Layout,
    schema: SchemaRef,
    group_rows: usize,
    group_bytes: usize,
    /// JSONL fields left out, warned about once each.
    warned: HashSet<String>,
}

impl Encoder {
    /// Writes every batch received, then the footer; gives back the output.
    fn run(mut self, rx: crossbeam_channel::Receiver<(Vec<Row>, usize)>) -> Result<Base> {
        let path = self.path.clone();
        let pq_err = |e: ::parquet::errors::ParquetError| Error::BadOutput {
            path: path.clone(),
            why: format!("Parquet writer: {e}"),
        };
        let base = self.base.take().expect("given once");
        if let Layout::Copy { first } = &self.layout {
            let (p, s, t) = (self.path.clone(), self.schema.clone(), &self.text_field);
            let props = self.props.clone();
            let w = CopyWriter::new(p, base, s, first, props, t, self.keep_removed)?;
            self.copy = Some(w);
            for (rows, _) in rx {
                self.copy_rows(rows)?;
            }
            self.flush_group()?;
            return self.copy.take().expect("made above").finish();
        }
        let props = Some(self.props.clone());
        self.writer = Some(ArrowWriter::try_new(base, self.schema.clone(), props).map_err(pq_err)?);
        for (rows, bytes) in rx {
            self.write_batch(&rows, bytes)?;
        }
        let w = self.writer.take().expect("made above");
        w.into_inner().map_err(pq_err)
    }

    /// [`Layout::Copy`]: gathers rows by input row group, writing each group once its rows
    /// are all in (the rows of a group come together, in order).
    fn copy_rows(&mut self, rows: Vec<Row>) -> Result<()> {
        for row in rows {
            let Source::Located(g, _) = &row.src else {
                return Err(Error::BadOutput {
                    path: self.path.clone(),
                    why: "a row not from Parquet among Parquet rows".into(),
                });
            };
            if !self
                .group
                .as_ref()
                .is_some_and(|(cur, _)| Arc::ptr_eq(cur, g))
            {
                self.flush_group()?;
                self.group = Some((g.clone(), Vec::new()));
            }
            self.group.as_mut().expect("set above").1.push(row);
        }
        Ok(())
    }

    /// Writes the row group being gathered, if any.
    fn flush_group(&mut self) -> Result<()> {
        let Some((g, rows)) = self.group.take() else {
            return Ok(());
        };
        let ty = self
            .schema
            .field_with_name(&self.text_field)
            .map(|f| f.data_type().clone());
        let text = ty
            .map_err(|e| e.to_string())
            .and_then(|ty| text_column(&rows, &ty));
        let removed = match self.keep_removed {
            true => Some(removed_column(&rows)),
            false => None,
        };
        let built = text.and_then(|t| Ok((t, removed.transpose()?)));
        let (text, removed) = built.map_err(|e| Error::BadOutput {
            path: self.path.clone(),
            why: format!("cannot build the text column: {e}"),
        })?;
        let idx: Vec<usize> = rows
            .iter()
            .map(|r| match r.src {
                Source::Located(_, i) => i,
                _ => unreachable!("checked by copy_rows"),
            })
            .collect();
        drop(rows);
        let w = self.copy.as_mut().expect("made in run");
        w.write_group(&g, &idx, text, removed)
    }

    /// Writes one batch of rows; cuts the row group when it is big enough.
    fn write_batch(&mut self, rows: &[Row], bytes: usize) -> Result<()> {
        let batch = self.batch(rows)?;
        let path = &self.path;
        let pq_err = |e: ::parquet::errors::ParquetError| Error::BadOutput {
            path: path.clone(),
            why: format!("Parquet writer: {e}"),
        };
        let w = self.writer.as_mut().expect("made in run");
        w.write(&batch).map_err(pq_err)?;
        self.group_rows += rows.len();
        self.group_bytes += bytes;
        if self.group_rows >= GROUP_ROWS || self.group_bytes >= GROUP_BYTES {
            w.flush().map_err(pq_err)?;
            self.group_rows = 0;
            self.group_bytes = 0;
        }
        Ok(())
    }

    /// The record batch of `rows` in the output's columns.
    fn batch(&mut self, rows: &[Row]) -> Result<RecordBatch> {
        let (layout, schema) = (&self.layout, self.schema.clone());
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for f in schema.fields() {
            let col = if f.name() == &self.text_field {
                text_column(rows, f.data_type())
            } else if self.keep_removed && f.name() == "removed" {
                removed_column(rows)
            } else {
                match layout {
                    Layout::Arrow { input, text_col } => arrow_column(
                        rows,
                        input.index_of(f.name()).expect("a field of it"),
                        *text_col,
                    ),
                    Layout::Json { .. } => json_column(rows, f.name()),
                    Layout::Plain => plain_column(rows, f.name()),
                    Layout::Copy { .. } => unreachable!("written by a CopyWriter"),
                }
            };
            cols.push(col.map_err(|e| Error::BadOutput {
                path: self.path.clone(),
                why: format!("cannot build column {:?}: {e}", f.name()),
            })?);
        }
        self.warn_left_out(rows);
        RecordBatch::try_new(schema, cols).map_err(|e| Error::BadOutput {
            path: self.path.clone(),
            why: format!("cannot build a batch of rows: {e}"),
        })
    }

    /// Warns once of each JSONL field that is not among the output's columns.
    fn warn_left_out(&mut self, rows: &[Row]) {
        let Layout::Json { fields } = &self.layout else {
            return;
        };
        for r in rows {
            let Source::Json(line) = &r.src else { continue };
            for k in json_object(line).keys() {
                if !fields.contains(k) && self.warned.insert(k.clone()) {
                    eprintln!(
                        "dechrome: warning: JSONL field {k:?} first appears after the records \
                         that fixed the Parquet output's columns; it is left out of {}",
                        self.path.display()
                    );
                }
            }
        }
    }
}

/// Whether two schemas have the same columns (names, types, nullability), whatever their
/// metadata.
fn fields_match(a: &Schema, b: &Schema) -> bool {
    a.fields().len() == b.fields().len()
        && a.fields().iter().zip(b.fields()).all(|(x, y)| {
            x.name() == y.name()
                && x.data_type() == y.data_type()
                && x.is_nullable() == y.is_nullable()
        })
}

/// `name: type, ...` of a schema, for messages.
fn describe(s: &Schema) -> String {
    s.fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The type of the removed column.
fn removed_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(removed_fields()),
        true,
    )))
}

fn removed_fields() -> Fields {
    Fields::from(vec![
        Field::new("line", DataType::Int64, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("reason", DataType::Utf8, false),
    ])
}

/// The cleaned texts as a column of type `ty`.
fn text_column(rows: &[Row], ty: &DataType) -> std::result::Result<ArrayRef, String> {
    let bytes: usize = rows.iter().map(|r| r.cleaned.len()).sum();
    let arr: ArrayRef = if *ty == DataType::LargeUtf8 {
        let mut b = LargeStringBuilder::with_capacity(rows.len(), bytes);
        rows.iter().for_each(|r| b.append_value(&r.cleaned));
        Arc::new(b.finish())
    } else {
        let mut b = StringBuilder::with_capacity(rows.len(), bytes);
        rows.iter().for_each(|r| b.append_value(&r.cleaned));
        Arc::new(b.finish())
    };
    if arr.data_type() == ty {
        Ok(arr)
    } else {
        arrow_cast::cast(&arr, ty).map_err(|e| e.to_string())
    }
}

/// The removed blocks of each row.
fn removed_column(rows: &[Row]) -> std::result::Result<ArrayRef, String> {
    let fields = removed_fields();
    let inner = StructBuilder::new(
        fields,
        vec![
            Box::new(Int64Builder::new()) as Box<dyn ArrayBuilder>,
            Box::new(StringBuilder::new()),
            Box::new(StringBuilder::new()),
        ],
    );
    let mut b = ListBuilder::new(inner).with_field(Arc::new(Field::new(
        "item",
        DataType::Struct(removed_fields()),
        true,
    )));
    for r in rows {
        let s = b.values();
        for (line, text, reason) in &r.removed {
            s.field_builder::<Int64Builder>(0)
                .expect("line")
                .append_value(*line);
            s.field_builder::<StringBuilder>(1)
                .expect("text")
                .append_value(text);
            s.field_builder::<StringBuilder>(2)
                .expect("reason")
                .append_value(reason);
            s.append(true);
        }
        b.append(true);
    }
    Ok(Arc::new(b.finish()))
}

/// Column `col` of the input schema (not the text) for each row, taken from the rows' batches.
fn arrow_column(
    rows: &[Row],
    col: usize,
    text_col: usize,
) -> std::result::Result<ArrayRef, String> {
    let rest = if col < text_col { col } else { col - 1 };
    let mut sources: Vec<&dyn Array> = Vec::new();
    let mut last: Option<*const ParquetRows> = None;
    let mut idx = Vec::with_capacity(rows.len());
    for r in rows {
        let Source::Arrow(b, i) = &r.src else {
            return Err("a row not from Parquet among Parquet rows".into());
        };
        if last != Some(Arc::as_ptr(b)) {
            last = Some(Arc::as_ptr(b));
            sources.push(b.rest[rest].as_ref());
        }
        idx.push((sources.len() - 1, *i));
    }
    arrow_select::interleave::interleave(&sources, &idx).map_err(|e| e.to_string())
}

/// The JSONL field `name` of each row, as strings.
fn json_column(rows: &[Row], name: &str) -> std::result::Result<ArrayRef, String> {
    let mut b = StringBuilder::new();
    for r in rows {
        let Source::Json(line) = &r.src else {
            return Err("a row not from JSONL among JSONL rows".into());
        };
        match json_object(line).get(name).map(|v| v.get()) {
            None | Some("null") => b.append_null(),
            Some(raw) if raw.starts_with('"') => match serde_json::from_str::<String>(raw) {
                Ok(s) => b.append_value(s),
                // A lone surrogate escape: no string holds it; its JSON text keeps it.
                Err(_) => b.append_value(raw),
            },
            Some(raw) => b.append_value(raw),
        }
    }
    Ok(Arc::new(b.finish()))
}

/// The `id`, `url` or `site` of each row.
fn plain_column(rows: &[Row], name: &str) -> std::result::Result<ArrayRef, String> {
    let mut b = StringBuilder::new();
    for r in rows {
        let Source::Plain { id, url, site } = &r.src else {
            return Err("a row from JSONL or Parquet among WARC or text rows".into());
        };
        match name {
            "id" => b.append_value(id),
            "site" => b.append_value(site),
            _ => b.append_option(url.as_deref()),
        }
    }
    Ok(Arc::new(b.finish()))
}

/// The top-level fields of a JSONL line the reader kept (always an object), in order, each
/// value as its JSON text; a later duplicate replaces the value in place, as in a parsed map.
/// Raw values, not a parsed map: serde_json builds no value nested deeper than 128, and the
/// reader keeps such lines.
fn json_object(line: &str) -> JsonFields<'_> {
    serde_json::from_str(line).unwrap_or_default()
}

/// The fields of a JSONL object, their values unparsed.
#[derive(Default)]
struct JsonFields<'a>(Vec<(String, &'a RawValue)>);

impl<'a> JsonFields<'a> {
    fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

impl<'de> serde::Deserialize<'de> for JsonFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = JsonFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<JsonFields<'de>, A::Error> {
                let mut out: Vec<(String, &'de RawValue)> = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, &'de RawValue>()? {
                    match out.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Ok(JsonFields(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Appends a Parquet row as a JSONL line: every column in order as a JSON value, the text
/// column's value `cleaned`, and with `removed` a `removed` array in place of (or after) the
/// columns. Strings, numbers, booleans, lists and structs become their JSON counterparts;
/// other types (dates, timestamps, decimals, binary) are written as Arrow displays them, as
/// strings; a float that is not finite is `null`.
pub(super) fn write_json_row(
    buf: &mut Vec<u8>,
    rows: &ParquetRows,
    row: usize,
    cleaned: &str,
    removed: Option<&Value>,
) {
    buf.push(b'{');
    let mut first = true;
    for (name, col) in rows.columns() {
        if removed.is_some() && name == "removed" {
            continue;
        }
        if !first {
            buf.push(b',');
        }
        first = false;
        write_json_str(buf, name);
        buf.push(b':');
        match col {
            None => write_json_str(buf, cleaned),
            Some(a) => write_json_value(buf, a.as_ref(), row),
        }
    }
    if let Some(r) = removed {
        if !first {
            buf.push(b',');
        }
        buf.extend_from_slice(b"\"removed\":");
        serde_json::to_writer(&mut *buf, r).expect("JSON values serialise");
    }
    buf.extend_from_slice(b"}\n");
}

/// Appends value `i` of `a` as JSON.
fn write_json_value(buf: &mut Vec<u8>, a: &dyn Array, i: usize) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    if a.is_null(i) {
        buf.extend_from_slice(b"null");
        return;
    }
    if let Some(s) = Strings::of(a) {
        write_json_str(buf, s.get(i).unwrap_or_default());
        return;
    }
    macro_rules! num {
        ($($t:ty),*) => {
            $(if let Some(p) = a.as_primitive_opt::<$t>() {
                let v = p.value(i);
                buf.extend_from_slice(v.to_string().as_bytes());
                return;
            })*
        };
    }
    num!(Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type);
    match a.data_type() {
        DataType::Boolean => {
            let v = a.as_boolean().value(i);
            buf.extend_from_slice(if v { b"true" } else { b"false" });
        }
        DataType::Float32 => write_float(buf, a.as_primitive::<Float32Type>().value(i) as f64),
        DataType::Float64 => write_float(buf, a.as_primitive::<Float64Type>().value(i)),
        DataType::List(_) => write_json_list(buf, &a.as_list::<i32>().value(i)),
        DataType::LargeList(_) => write_json_list(buf, &a.as_list::<i64>().value(i)),
        DataType::Struct(fields) => {
            let s = a.as_struct();
            buf.push(b'{');
            for (k, (f, c)) in fields.iter().zip(s.columns()).enumerate() {
                if k > 0 {
                    buf.push(b',');
                }
                write_json_str(buf, f.name());
                buf.push(b':');
                write_json_value(buf, c.as_ref(), i);
            }
            buf.push(b'}');
        }
        _ => {
            let opts = arrow_cast::display::FormatOptions::default();
            let s = arrow_cast::display::ArrayFormatter::try_new(a, &opts)
                .map(|f| f.value(i).to_string())
                .unwrap_or_default();
            write_json_str(buf, &s);
        }
    }
}

/// A list value as a JSON array.
fn write_json_list(buf: &mut Vec<u8>, items: &ArrayRef) {
    buf.push(b'[');
    for j in 0..items.len() {
        if j > 0 {
            buf.push(b',');
        }
        write_json_value(buf, items.as_ref(), j);
    }
    buf.push(b']');
}

/// A float as serde_json writes it; `null` when not finite.
fn write_float(buf: &mut Vec<u8>, v: f64) {
    serde_json::to_writer(&mut *buf, &v).expect("a float serialises");
}
