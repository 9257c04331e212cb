//! Parquet output of Parquet input, the columns dechrome does not change copied rather than
//! decoded and encoded again: [`CopyWriter`].
//!
//! Records read for a Parquet output ([`PayloadKind::Located`](crate::input::PayloadKind))
//! were decoded only in the columns that make a page, and say which row group of which file
//! they came from. Each input row group becomes one row group of the output: the text column
//! (and the `removed` column with `--keep-removed`) is encoded afresh, and every other column
//! chunk is copied byte for byte from the input file, with its pages, encodings, compression
//! and statistics as they were. Decoding and compressing those columns again was most of the
//! cost of a Parquet-to-Parquet job, and would give the same values back.
//!
//! A row group that lost rows (bad records, skipped), or one of a file whose columns differ in
//! their Parquet types from the first file's, is decoded in full instead and its kept rows
//! encoded afresh. A damaged page in a copied column is not seen, since it is not decoded: it
//! is copied as it was, and a reader of the output meets it where a reader of the input would.
//!
//! Memory: the cleaned text of one input row group; copied column chunks are streamed.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::arrow::arrow_writer::{compute_leaves, get_column_writers, ArrowColumnWriter};
use ::parquet::arrow::{add_encoded_arrow_schema_to_metadata, ArrowSchemaConverter};
use ::parquet::column::writer::ColumnCloseResult;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::types::{SchemaDescriptor, Type, TypePtr};
use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{Schema, SchemaRef};

use super::Base;
use crate::error::{Error, Result};
use crate::input::{ParquetGroup, Pread};

/// Where an output column comes from.
enum Make {
    /// The cleaned text.
    Text,
    /// The removed blocks (`--keep-removed`).
    Removed,
    /// The input's column of this index (a root column of its schema).
    Input(usize),
}

/// Writes a Parquet file row group by row group, copying the input's column chunks.
pub(super) struct CopyWriter {
    path: PathBuf,
    writer: SerializedFileWriter<Base>,
    /// The output's Arrow schema.
    schema: SchemaRef,
    props: Arc<WriterProperties>,
    /// Where each output column comes from.
    make: Vec<Make>,
    /// The leaf columns of each output column, and of each input column.
    out_leaves: Vec<Range<usize>>,
    in_leaves: Vec<Range<usize>>,
    /// The Parquet schema of the first input file.
    input_root: TypePtr,
}

impl CopyWriter {
    /// A writer of `schema` (the input's columns, with `removed` in place or added when
    /// `keep_removed`) to `base`, named `path` in messages; `first` is the first row group
    /// to be written, whose file's Parquet schema the output takes.
    pub(super) fn new(
        path: PathBuf,
        base: Base,
        schema: SchemaRef,
        first: &ParquetGroup,
        mut props: WriterProperties,
        text_field: &str,
        keep_removed: bool,
    ) -> Result<CopyWriter> {
        let err = |e: String| Error::BadOutput {
            path: path.clone(),
            why: format!("Parquet writer: {e}"),
        };
        let input = first.meta.schema();
        let input_root = first.meta.parquet_schema().root_schema_ptr();
        let make: Vec<Make> = schema
            .fields()
            .iter()
            .map(|f| match f.name() {
                n if n == text_field => Make::Text,
                n if keep_removed && n == "removed" => Make::Removed,
                n => Make::Input(input.index_of(n).expect("an input column")),
            })
            .collect();
        let mut fields: Vec<TypePtr> = Vec::with_capacity(make.len());
        for (m, f) in make.iter().zip(schema.fields()) {
            fields.push(match m {
                Make::Text => input_root.get_fields()[first.text_col].clone(),
                Make::Input(k) => input_root.get_fields()[*k].clone(),
                Make::Removed => {
                    let one = Schema::new(vec![f.as_ref().clone()]);
                    let d = ArrowSchemaConverter::new()
                        .convert(&one)
                        .map_err(|e| err(e.to_string()))?;
                    d.root_schema().get_fields()[0].clone()
                }
            });
        }
        let root = Type::group_type_builder(input_root.name())
            .with_fields(fields)
            .build()
            .map_err(|e| err(e.to_string()))?;
        add_encoded_arrow_schema_to_metadata(&schema, &mut props);
        let props = Arc::new(props);
        let writer = SerializedFileWriter::new(base, Arc::new(root), props.clone())
            .map_err(|e| err(e.to_string()))?;
        let out_leaves = leaf_ranges(writer.schema_descr());
        let in_leaves = leaf_ranges(first.meta.parquet_schema());
        Ok(CopyWriter {
            path,
            writer,
            schema,
            props,
            make,
            out_leaves,
            in_leaves,
            input_root,
        })
    }

    /// Writes the rows `rows` (indices in the group, in order) of row group `g` as one row
    /// group, with the cleaned `text` and, when kept, the `removed` blocks.
    pub(super) fn write_group(
        &mut self,
        g: &ParquetGroup,
        rows: &[usize],
        text: ArrayRef,
        removed: Option<ArrayRef>,
    ) -> Result<()> {
        let path = self.path.clone();
        let err = |e: String| Error::BadOutput {
            path: path.clone(),
            why: format!("row group {} of {}: {e}", g.group, g.path.display()),
        };
        let copy = rows.len() == g.num_rows()
            && g.meta.parquet_schema().root_schema() == self.input_root.as_ref();
        let decoded = match copy {
            true => None,
            false => Some(read_rows(g, rows).map_err(err)?),
        };
        let mut writers = get_column_writers(self.writer.schema_descr(), &self.props, &self.schema)
            .map_err(|e| err(e.to_string()))?
            .into_iter();
        let reader = Pread(g.file.clone());
        let in_rg = g.meta.metadata().row_group(g.group);
        let mut rg = self
            .writer
            .next_row_group()
            .map_err(|e| err(e.to_string()))?;
        for (j, make) in self.make.iter().enumerate() {
            let ws: Vec<ArrowColumnWriter> =
                writers.by_ref().take(self.out_leaves[j].len()).collect();
            let array = match (make, &decoded) {
                (Make::Text, _) => text.clone(),
                (Make::Removed, _) => removed.clone().expect("kept"),
                (Make::Input(k), Some(cols)) => cols[*k].clone(),
                (Make::Input(k), None) => {
                    // The input's column chunks as they are.
                    for l in self.in_leaves[*k].clone() {
                        let cc = in_rg.column(l);
                        let close = ColumnCloseResult {
                            bytes_written: cc.compressed_size() as u64,
                            rows_written: in_rg.num_rows() as u64,
                            metadata: cc.clone(),
                            bloom_filter: None,
                            column_index: None,
                            offset_index: None,
                        };
                        rg.append_column(&reader, close)
                            .map_err(|e| err(e.to_string()))?;
                    }
                    continue;
                }
            };
            let field = self.schema.field(j);
            let leaves = compute_leaves(field, &array).map_err(|e| err(e.to_string()))?;
            for (mut w, leaf) in ws.into_iter().zip(leaves) {
                w.write(&leaf).map_err(|e| err(e.to_string()))?;
                let chunk = w.close().map_err(|e| err(e.to_string()))?;
                chunk
                    .append_to_row_group(&mut rg)
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        rg.close().map_err(|e| err(e.to_string()))?;
        Ok(())
    }

    /// Writes the footer; gives back the output.
    pub(super) fn finish(self) -> Result<Base> {
        let path = self.path;
        self.writer.into_inner().map_err(|e| Error::BadOutput {
            path,
            why: format!("Parquet writer: {e}"),
        })
    }
}

/// The leaf columns of each root column of a Parquet schema (consecutive).
fn leaf_ranges(d: &SchemaDescriptor) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = vec![0..0; d.root_schema().get_fields().len()];
    for l in 0..d.num_columns() {
        let r = d.get_column_root_idx(l);
        if out[r].is_empty() {
            out[r] = l..l;
        }
        out[r].end = l + 1;
    }
    out
}

/// Every column of row group `g`, decoded, in the rows `rows` only.
fn read_rows(g: &ParquetGroup, rows: &[usize]) -> std::result::Result<Vec<ArrayRef>, String> {
    let decode = || -> std::result::Result<Vec<ArrayRef>, String> {
        let batches = ParquetRecordBatchReaderBuilder::new_with_metadata(
            Pread(g.file.clone()),
            g.meta.clone(),
        )
        .with_row_groups(vec![g.group])
        .with_batch_size(g.num_rows().max(1))
        .build()
        .map_err(|e| e.to_string())?
        .collect::<std::result::Result<Vec<RecordBatch>, _>>()
        .map_err(|e| e.to_string())?;
        let all = arrow_select::concat::concat_batches(g.meta.schema(), &batches)
            .map_err(|e| e.to_string())?;
        let idx = UInt32Array::from_iter_values(rows.iter().map(|&r| r as u32));
        all.columns()
            .iter()
            .map(|c| arrow_select::take::take(c, &idx, None).map_err(|e| e.to_string()))
            .collect()
    };
    crate::input::guarded_decode(decode).and_then(|r| r)
}
