//! Parquet output, and Parquet rows written as JSONL.
//!
//! The output's columns depend on where the records came from:
//! - Parquet input: every column of the input, in its order and with its type; the text
//!   column holds the cleaned text (its type kept: `string`, `large_string`...). All inputs
//!   must have the same columns (one output holds one schema).
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
//! (level 1) unless snappy, gzip or none is asked for; the text column is written without
//! dictionary or statistics (long, unique strings gain nothing from either).
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
use serde_json::Value;

use super::jsonl::write_json_str;
use super::{Base, Compression};
use crate::clean::Decision;
use crate::error::{Error, Result};
use crate::input::{ParquetRows, Payload, Record, Strings};

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
    /// A Parquet row.
    Arrow(Arc<ParquetRows>, usize),
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
    /// JSONL fields, all strings; the text field among them.
    Json { fields: Vec<String> },
    /// `id`, `url`, `site`, text.
    Plain,
}

/// A Parquet file being written.
pub(super) struct ParquetSink {
    path: PathBuf,
    base: Option<Base>,
    writer: Option<ArrowWriter<Base>>,
    codec: Codec,
    text_field: String,
    keep_removed: bool,
    layout: Option<(Layout, SchemaRef)>,
    pending: Vec<Row>,
    pending_bytes: usize,
    group_rows: usize,
    group_bytes: usize,
    /// JSONL fields left out, warned about once each.
    warned: HashSet<String>,
}

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
            writer: None,
            codec,
            text_field: text_field.to_owned(),
            keep_removed,
            layout: None,
            pending: Vec::new(),
            pending_bytes: 0,
            group_rows: 0,
            group_bytes: 0,
            warned: HashSet::new(),
        }
    }

    /// Adds one cleaned record; writes a batch when enough are gathered.
    pub(super) fn write(&mut self, rec: &Record, cleaned: &str, d: &[Decision]) -> Result<()> {
        let src = match &rec.payload {
            Payload::Parquet { rows, row } => {
                self.check_schema(rec, rows)?;
                Source::Arrow(rows.clone(), *row)
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
            cleaned: cleaned.to_owned(),
            removed,
        });
        if self.pending.len() >= BATCH_ROWS || self.pending_bytes >= BATCH_BYTES {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Refuses a Parquet row whose columns differ from the output's (a second input file of
    /// another schema), or a Parquet row after other records.
    fn check_schema(&self, rec: &Record, rows: &ParquetRows) -> Result<()> {
        let first = self.pending.first().map(|r| match &r.src {
            Source::Arrow(rows, _) => Some(rows.schema.clone()),
            _ => None,
        });
        let fixed = match &self.layout {
            Some((Layout::Arrow { input, .. }, _)) => Some(Some(input.clone())),
            Some(_) => Some(None),
            None => first,
        };
        match fixed {
            None => Ok(()),
            Some(Some(s)) if Arc::ptr_eq(&s, &rows.schema) || fields_match(&s, &rows.schema) => {
                Ok(())
            }
            Some(s) => Err(Error::Config(format!(
                "{}: its columns ({}) differ from those of the records before it ({}); a \
                 Parquet output holds one set of columns: clean such inputs to separate \
                 outputs, or write JSONL",
                rec.loc.file.display(),
                describe(&rows.schema),
                s.map_or("not from Parquet".to_owned(), |s| describe(&s)),
            ))),
        }
    }

    /// Makes a batch of the pending rows and hands it to the Parquet writer (made on the first
    /// batch, once the columns are known); cuts the row group when it is big enough.
    fn write_batch(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.layout.is_none() {
            let layout = self.decide_layout();
            let schema = self.output_schema(&layout);
            self.layout = Some((layout, schema));
        }
        let rows = std::mem::take(&mut self.pending);
        let bytes = std::mem::take(&mut self.pending_bytes);
        let batch = self.batch(&rows)?;
        let path = self.path.clone();
        let pq_err = |e: ::parquet::errors::ParquetError| Error::BadOutput {
            path: path.clone(),
            why: format!("Parquet writer: {e}"),
        };
        if self.writer.is_none() {
            let schema = batch.schema();
            let base = self.base.take().expect("the file is opened once");
            let w = ArrowWriter::try_new(base, schema, Some(self.properties())).map_err(pq_err)?;
            self.writer = Some(w);
        }
        let w = self.writer.as_mut().expect("made above");
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

    /// The writer's settings: the codec, no dictionary or statistics for the text.
    fn properties(&self) -> WriterProperties {
        let text = ColumnPath::from(self.text_field.as_str());
        WriterProperties::builder()
            .set_compression(self.codec)
            .set_max_row_group_size(GROUP_ROWS)
            .set_column_dictionary_enabled(text.clone(), false)
            .set_column_statistics_enabled(text, EnabledStatistics::None)
            .build()
    }

    /// The layout the first pending row calls for.
    fn decide_layout(&self) -> Layout {
        match &self.pending[0].src {
            Source::Arrow(rows, _) => Layout::Arrow {
                input: rows.schema.clone(),
                text_col: rows.text_col,
            },
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
        let (mut fields, metadata): (Vec<Field>, _) = match layout {
            Layout::Arrow { input, .. } => (
                input.fields().iter().map(|f| f.as_ref().clone()).collect(),
                input.metadata().clone(),
            ),
            Layout::Json { fields } => (
                fields
                    .iter()
                    .map(|n| Field::new(n, DataType::Utf8, *n != self.text_field))
                    .collect(),
                Default::default(),
            ),
            Layout::Plain => (
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

    /// The record batch of `rows` in the output's columns.
    fn batch(&mut self, rows: &[Row]) -> Result<RecordBatch> {
        let (layout, schema) = self.layout.as_ref().expect("decided before");
        let schema = schema.clone();
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        let mut warn = Vec::new();
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
                }
            };
            cols.push(col.map_err(|e| Error::BadOutput {
                path: self.path.clone(),
                why: format!("cannot build column {:?}: {e}", f.name()),
            })?);
        }
        if let Layout::Json { fields } = layout {
            for r in rows {
                if let Source::Json(line) = &r.src {
                    for k in json_object(line).keys() {
                        if !fields.contains(k) && !self.warned.contains(k) {
                            warn.push(k.clone());
                        }
                    }
                }
            }
        }
        for k in warn {
            if self.warned.insert(k.clone()) {
                eprintln!(
                    "dechrome: warning: JSONL field {k:?} first appears after the records that \
                     fixed the Parquet output's columns; it is left out of {}",
                    self.path.display()
                );
            }
        }
        RecordBatch::try_new(schema, cols).map_err(|e| Error::BadOutput {
            path: self.path.clone(),
            why: format!("cannot build a batch of rows: {e}"),
        })
    }

    /// Writes the last batch and the footer; the output goes into place.
    pub(super) fn finish(mut self) -> Result<()> {
        if self.writer.is_none() && self.pending.is_empty() {
            // No records: a file of the plain columns and no rows.
            self.layout = Some((Layout::Plain, self.output_schema(&Layout::Plain)));
            let schema = self.layout.as_ref().expect("set").1.clone();
            let base = self.base.take().expect("not written yet");
            let w = ArrowWriter::try_new(base, schema, Some(self.properties()));
            self.writer = Some(w.map_err(|e| Error::BadOutput {
                path: self.path.clone(),
                why: format!("Parquet writer: {e}"),
            })?);
        }
        self.write_batch()?;
        let w = self.writer.take().expect("made by the first batch");
        let base = w.into_inner().map_err(|e| Error::BadOutput {
            path: self.path.clone(),
            why: format!("Parquet writer: {e}"),
        })?;
        base.finish(&self.path)
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
        match json_object(line).get(name) {
            None | Some(Value::Null) => b.append_null(),
            Some(Value::String(s)) => b.append_value(s),
            Some(v) => b.append_value(v.to_string()),
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

/// The fields of a JSONL line the reader kept (always an object).
fn json_object(line: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(line) {
        Ok(Value::Object(m)) => m,
        _ => unreachable!("the reader only keeps lines that parse as objects"),
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
