//! Parquet in and out: FineWeb-shaped files written here with the Rust writer; round trips,
//! column types kept, the text equal to the JSONL output of the same run, the same bytes
//! whatever the thread count, and damaged or ill-shaped files reported as bad records.

mod io_support;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use io_support::*;

/// A FineWeb-shaped page: the columns of FineWeb's Parquet files.
struct Page {
    id: String,
    url: String,
    text: Option<String>,
}

/// The pages of a small generated crawl (dechrome's own generator), as FineWeb rows.
fn pages(dir: &Path, sites: u32, per_site: u32) -> Vec<Page> {
    generated_pages(dir, sites, per_site)
        .into_iter()
        .map(|(id, url, text)| Page {
            id,
            url,
            text: Some(text),
        })
        .collect()
}

/// Writes `pages` as a FineWeb-shaped Parquet file (`text, id, url, dump, date, language,
/// language_score, token_count`), `group_rows` rows per row group.
fn write_fineweb(path: &Path, pages: &[Page], group_rows: usize) -> PathBuf {
    let schema = Arc::new(Schema::new(vec![
        Field::new("text", DataType::Utf8, true),
        Field::new("id", DataType::Utf8, false),
        Field::new("url", DataType::Utf8, false),
        Field::new("dump", DataType::Utf8, false),
        Field::new("date", DataType::Utf8, false),
        Field::new("language", DataType::Utf8, false),
        Field::new("language_score", DataType::Float64, false),
        Field::new("token_count", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter(pages.iter().map(|p| p.text.clone()))),
        Arc::new(StringArray::from_iter_values(pages.iter().map(|p| &p.id))),
        Arc::new(StringArray::from_iter_values(pages.iter().map(|p| &p.url))),
        Arc::new(StringArray::from_iter_values(
            pages.iter().map(|_| "CC-MAIN-2024-10"),
        )),
        Arc::new(StringArray::from_iter_values(
            (0..pages.len()).map(|i| format!("2024-02-{:02}T10:00:00Z", 1 + i % 28)),
        )),
        Arc::new(StringArray::from_iter_values(pages.iter().map(|_| "en"))),
        Arc::new(Float64Array::from_iter_values(
            (0..pages.len()).map(|i| 0.9 + (i % 10) as f64 / 100.0),
        )),
        Arc::new(Int64Array::from_iter_values(pages.iter().map(|p| {
            p.text
                .as_deref()
                .map_or(0, |t| t.split_whitespace().count() as i64)
        }))),
    ];
    write_batch(
        path,
        RecordBatch::try_new(schema, cols).unwrap(),
        group_rows,
    )
}

/// Writes one batch as a Parquet file of row groups of `group_rows` rows.
fn write_batch(path: &Path, batch: RecordBatch, group_rows: usize) -> PathBuf {
    let props = WriterProperties::builder()
        .set_max_row_group_size(group_rows)
        .build();
    let mut w =
        ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    path.to_path_buf()
}

/// The batches of a Parquet file, concatenated, and its first row group's compression.
fn read_parquet(path: &Path) -> (RecordBatch, parquet::basic::Compression) {
    let b = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let codec = b.metadata().row_group(0).column(0).compression();
    let schema = b.schema().clone();
    let batches: Vec<RecordBatch> = b.build().unwrap().map(|b| b.unwrap()).collect();
    (
        arrow_select::concat::concat_batches(&schema, &batches).unwrap(),
        codec,
    )
}

fn strings(b: &RecordBatch, col: &str) -> Vec<Option<String>> {
    let a = b.column_by_name(col).unwrap();
    let a = a.as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
        .collect()
}

fn jsonl(path: &Path) -> Vec<serde_json::Map<String, Value>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            Value::Object(m) => m,
            _ => panic!("an object"),
        })
        .collect()
}

#[test]
fn fineweb_parquet_round_trip_keeps_every_column_and_type() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 6, 15);
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 17);
    let out_pq = dir.path().join("out.parquet");
    let out_jl = dir.path().join("out.jsonl");
    for out in [&out_pq, &out_jl] {
        let o = dechrome(&["run", p(&input), "-o", p(out), "-q"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (inb, _) = read_parquet(&input);
    let (outb, codec) = read_parquet(&out_pq);
    assert!(matches!(codec, parquet::basic::Compression::ZSTD(_)));
    assert_eq!(
        outb.schema().fields(),
        inb.schema().fields(),
        "columns and types kept"
    );
    assert_eq!(outb.num_rows(), pages.len());
    for c in ["id", "url", "dump", "date", "language"] {
        assert_eq!(strings(&outb, c), strings(&inb, c), "column {c}");
    }
    for c in ["language_score", "token_count"] {
        assert_eq!(outb.column_by_name(c), inb.column_by_name(c), "column {c}");
    }
    // The text is the JSONL output's, and chrome went.
    let lines = jsonl(&out_jl);
    let texts = strings(&outb, "text");
    assert_eq!(lines.len(), texts.len());
    let (mut before, mut after) = (0, 0);
    for ((line, text), page) in lines.iter().zip(&texts).zip(&pages) {
        assert_eq!(line["text"].as_str(), text.as_deref());
        before += page.text.as_ref().unwrap().len();
        after += text.as_ref().unwrap().len();
    }
    assert!(
        after * 10 < before * 8,
        "chrome removed: {after} of {before}"
    );
    // Parquet to JSONL: every column, in order, numbers as numbers.
    let keys: Vec<&String> = lines[0].keys().collect();
    assert_eq!(
        keys,
        [
            "text",
            "id",
            "url",
            "dump",
            "date",
            "language",
            "language_score",
            "token_count"
        ]
    );
    let scores = inb.column_by_name("token_count").unwrap();
    let scores = scores.as_primitive::<Int64Type>();
    assert_eq!(lines[3]["token_count"].as_i64(), Some(scores.value(3)));
    let ls = inb.column_by_name("language_score").unwrap();
    assert_eq!(
        lines[3]["language_score"].as_f64(),
        Some(ls.as_primitive::<Float64Type>().value(3))
    );
    check_with_python(&out_pq, &out_jl);
}

/// Reads the Parquet output back with pyarrow and DuckDB (scripts/check_parquet.py) when the
/// CI's venv has them.
fn check_with_python(pq: &Path, jl: &Path) {
    let py = std::env::var("DECHROME_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&py)
        .args(["-c", "import pyarrow, duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("pyarrow/duckdb not installed; skipped reading the output with them");
        return;
    }
    let o = Command::new(py)
        .args([
            concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/check_parquet.py"),
            p(pq),
            p(jl),
        ])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "check_parquet.py: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn jsonl_to_parquet_has_the_jsonl_fields_as_strings() {
    let dir = tempfile::tempdir().unwrap();
    let _ = pages(dir.path(), 4, 10);
    let input = dir.path().join("gen.jsonl");
    let out_pq = dir.path().join("out.parquet");
    let out_jl = dir.path().join("out.jsonl");
    for out in [&out_pq, &out_jl] {
        let o = dechrome(&["run", p(&input), "-o", p(out), "-q"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (b, _) = read_parquet(&out_pq);
    let lines = jsonl(&out_jl);
    let schema = b.schema();
    let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    let keys: Vec<&String> = lines[0].keys().collect();
    assert_eq!(names, keys, "one column per JSONL field, in order");
    assert!(b
        .schema()
        .fields()
        .iter()
        .all(|f| f.data_type() == &DataType::Utf8));
    for k in keys {
        let col = strings(&b, k);
        for (l, v) in lines.iter().zip(&col) {
            let want = match &l[k.as_str()] {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                v => Some(v.to_string()),
            };
            assert_eq!(v, &want, "field {k}");
        }
    }
    check_with_python(&out_pq, &out_jl);
}

#[test]
fn parquet_output_is_the_same_bytes_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 5, 12);
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 9);
    let jl = dir.path().join("gen.jsonl");
    for (src, tag) in [(&input, "pq"), (&jl, "jl")] {
        let mut outs = Vec::new();
        for j in ["1", "2", "3"] {
            let out = dir.path().join(format!("{tag}-{j}.parquet"));
            let o = dechrome(&[
                "run",
                p(src),
                "-o",
                p(&out),
                "-j",
                j,
                "-q",
                "--keep-removed",
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            outs.push(std::fs::read(&out).unwrap());
        }
        assert_eq!(outs[0], outs[1], "{tag}: -j1 and -j2");
        assert_eq!(outs[0], outs[2], "{tag}: -j1 and -j3");
    }
}

#[test]
fn keep_removed_adds_a_removed_column_as_in_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 5, 12);
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 25);
    let out_pq = dir.path().join("out.parquet");
    let out_jl = dir.path().join("out.jsonl");
    for out in [&out_pq, &out_jl] {
        let o = dechrome(&["run", p(&input), "-o", p(out), "-q", "--keep-removed"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (b, _) = read_parquet(&out_pq);
    let removed = b.column_by_name("removed").unwrap();
    let list = removed.as_list::<i32>();
    let lines = jsonl(&out_jl);
    let mut n = 0;
    for (i, line) in lines.iter().enumerate() {
        let want = line["removed"].as_array().unwrap();
        let got = list.value(i);
        let s = got.as_struct();
        assert_eq!(s.len(), want.len());
        for (k, w) in want.iter().enumerate() {
            let line_no = s.column(0).as_primitive::<Int64Type>().value(k);
            assert_eq!(Some(line_no), w["line"].as_i64());
            assert_eq!(
                s.column(1).as_string::<i32>().value(k),
                w["text"].as_str().unwrap()
            );
            assert_eq!(
                s.column(2).as_string::<i32>().value(k),
                w["reason"].as_str().unwrap()
            );
            n += 1;
        }
    }
    assert!(n > 0, "some blocks removed");
}

#[test]
fn snappy_on_request_and_the_format_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 4, 8);
    let input = write_fineweb(&dir.path().join("fw.data"), &pages, 100);
    let out = dir.path().join("out.bin");
    let o = dechrome(&[
        "run",
        "--format",
        "parquet",
        p(&input),
        "-o",
        p(&out),
        "--output-format",
        "parquet",
        "--compress",
        "snappy",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (b, codec) = read_parquet(&out);
    assert_eq!(codec, parquet::basic::Compression::SNAPPY);
    assert_eq!(b.num_rows(), pages.len());
    let o = dechrome(&["run", p(&input), "-o", "x.jsonl", "--compress", "snappy"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("snappy is for Parquet"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn gzipped_parquet_and_stdin_are_read_through_a_temporary_copy() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 4, 8);
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 10);
    let gzp = dir.path().join("fw.parquet.gz");
    std::fs::write(&gzp, gz(&std::fs::read(&input).unwrap())).unwrap();
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    let o = dechrome(&["run", p(&input), "-o", p(&a), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = dechrome(&["run", p(&gzp), "-o", p(&b), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The ids say FILE#ROW only for null ids; these have ids, so the outputs agree.
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn learn_clean_explain_and_report_read_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 4, 10);
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 7);
    let model = dir.path().join("m.model");
    let o = dechrome(&["learn", p(&input), "-o", p(&model), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("c.parquet");
    let o = dechrome(&["clean", p(&input), "-m", p(&model), "-o", p(&out), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_parquet(&out).0.num_rows(), pages.len());
    let o = dechrome(&[
        "explain",
        p(&input),
        "-m",
        p(&model),
        "--id",
        &pages[3].id,
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["id"].as_str(), Some(pages[3].id.as_str()));
    let html = dir.path().join("r.html");
    let o = dechrome(&["report", p(&input), "-m", p(&model), "-o", p(&html), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&html).unwrap().contains("<html"));
}

#[test]
fn truncated_parquet_is_one_bad_record_naming_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 3, 8);
    let good = write_fineweb(&dir.path().join("a.parquet"), &pages, 10);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = dir.path().join("out.jsonl");
    let o = dechrome(&["run", p(&good), p(&cut), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("cut.parquet: damaged Parquet: its footer cannot be read"),
        "{e}"
    );
    assert!(e.contains("1 bad record"), "{e}");
    assert_eq!(jsonl(&out).len(), pages.len());
}

#[test]
fn a_damaged_row_group_is_reported_and_reading_resumes_at_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 3, 10);
    let good = write_fineweb(&dir.path().join("a.parquet"), &pages, 10);
    let meta = ParquetRecordBatchReaderBuilder::try_new(File::open(&good).unwrap())
        .unwrap()
        .metadata()
        .clone();
    assert_eq!(meta.num_row_groups(), 3);
    // Garbage over the text column chunk of row group 1.
    let (start, len) = meta.row_group(1).column(0).byte_range();
    let mut bytes = std::fs::read(&good).unwrap();
    for b in &mut bytes[start as usize..(start + len) as usize] {
        *b = 0xAB;
    }
    let bad = dir.path().join("bad.parquet");
    std::fs::write(&bad, &bytes).unwrap();
    let out = dir.path().join("out.jsonl");
    let o = dechrome(&["run", p(&bad), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("bad.parquet: damaged Parquet: row group 1 (rows 11 to 20)"),
        "{e}"
    );
    assert!(e.contains("reading resumes at row group 2"), "{e}");
    let ids: Vec<String> = jsonl(&out)
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = pages[..10]
        .iter()
        .chain(&pages[20..])
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(ids, want);
}

#[test]
fn missing_or_non_string_text_column_names_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 3, 8);
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 10);
    let out = dir.path().join("o.jsonl");
    let o = dechrome(&[
        "run",
        p(&input),
        "-o",
        p(&out),
        "--text-field",
        "content",
        "--on-error",
        "fail",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(
            "has no column \"content\" to take the text from (its columns: text, id, url, dump"
        ),
        "{e}"
    );
    assert!(e.contains("--text-field"), "{e}");
    let o = dechrome(&[
        "run",
        p(&input),
        "-o",
        p(&out),
        "--text-field",
        "token_count",
    ]);
    let e = stderr(&o);
    assert!(
        e.contains("its column \"token_count\" holds Int64, not strings"),
        "{e}"
    );
    // The url column as text, the text column as the site: any string column will do.
    let o = dechrome(&[
        "run",
        p(&input),
        "-o",
        p(&out),
        "--text-field",
        "url",
        "--site-field",
        "dump",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn null_texts_are_bad_records_naming_row_group_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = pages(dir.path(), 3, 8);
    pages[13].text = None;
    let input = write_fineweb(&dir.path().join("fw.parquet"), &pages, 10);
    let out = dir.path().join("o.parquet");
    let o = dechrome(&["run", p(&input), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("fw.parquet: record 14 (byte "), "{e}");
    assert!(
        e.contains("): row group 1, row 3 of it: the text (column \"text\") is null"),
        "{e}"
    );
    let (b, _) = read_parquet(&out);
    assert_eq!(b.num_rows(), pages.len() - 1);
    assert!(!strings(&b, "id").contains(&Some(pages[13].id.clone())));
    // The group that lost its row is decoded and written afresh: the other rows' columns
    // are theirs, in order.
    let want: Vec<Option<String>> = pages
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 13)
        .map(|(_, p)| Some(p.url.clone()))
        .collect();
    assert_eq!(strings(&b, "url"), want);
    let (inb, _) = read_parquet(&input);
    let keep: Vec<u32> = (0..pages.len() as u32).filter(|&i| i != 13).collect();
    let keep = arrow_array::UInt32Array::from(keep);
    for c in ["language_score", "token_count"] {
        let want = arrow_select::take::take(inb.column_by_name(c).unwrap(), &keep, None).unwrap();
        assert_eq!(b.column_by_name(c).unwrap(), &want, "column {c}");
    }
}

/// Parquet in, Parquet out: the columns dechrome does not change are copied from the input
/// file as they are (row group for row group, each column chunk with its compression), the
/// text column is written afresh in zstd.
#[test]
fn parquet_to_parquet_copies_the_other_column_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(dir.path(), 4, 10);
    let plain = write_fineweb(&dir.path().join("plain.parquet"), &pages, 12);
    // The same rows with the other columns in snappy.
    let (b, _) = read_parquet(&plain);
    let props = WriterProperties::builder()
        .set_max_row_group_size(12)
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let input = dir.path().join("snappy.parquet");
    let mut w =
        ArrowWriter::try_new(File::create(&input).unwrap(), b.schema(), Some(props)).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    let out = dir.path().join("out.parquet");
    let o = dechrome(&["run", p(&input), "-o", p(&out), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = |f: &Path| {
        ParquetRecordBatchReaderBuilder::try_new(File::open(f).unwrap())
            .unwrap()
            .metadata()
            .clone()
    };
    let (mi, mo) = (meta(&input), meta(&out));
    assert_eq!(
        mo.num_row_groups(),
        mi.num_row_groups(),
        "a group for a group"
    );
    for g in 0..mi.num_row_groups() {
        let (gi, go) = (mi.row_group(g), mo.row_group(g));
        assert_eq!(go.num_rows(), gi.num_rows());
        assert!(matches!(
            go.column(0).compression(),
            parquet::basic::Compression::ZSTD(_)
        ));
        for c in 1..gi.num_columns() {
            let (ci, co) = (gi.column(c), go.column(c));
            assert_eq!(co.compression(), parquet::basic::Compression::SNAPPY);
            assert_eq!(co.compressed_size(), ci.compressed_size(), "column {c}");
            assert_eq!(co.statistics(), ci.statistics(), "column {c}");
        }
    }
    let (ob, _) = read_parquet(&out);
    assert_eq!(ob.schema().fields(), b.schema().fields());
    for c in ["id", "url", "dump", "date", "language"] {
        assert_eq!(strings(&ob, c), strings(&b, c), "column {c}");
    }
    for c in ["language_score", "token_count"] {
        assert_eq!(ob.column_by_name(c), b.column_by_name(c), "column {c}");
    }
}

/// A JSONL field nested deeper than serde_json builds (128) or a string with a lone surrogate
/// escape: the reader keeps such lines, and Parquet output used to panic on them
/// (`unreachable!` on a map serde_json would not build). Their values are kept as JSON text.
#[test]
fn jsonl_nested_too_deep_for_serde_goes_to_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deep.jsonl");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let lines = [
        format!(r#"{{"id":"a","url":"https://x.example/a","deep":{deep},"text":"Hello\nWorld"}}"#),
        r#"{"id":"b","url":"https://x.example/b","deep":"\ud800 x","text":"Hi"}"#.to_owned(),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out.parquet");
    let o = dechrome(&["run", p(&input), "-o", p(&out), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (b, _) = read_parquet(&out);
    assert_eq!(strings(&b, "id"), [Some("a".into()), Some("b".into())]);
    assert_eq!(
        strings(&b, "deep"),
        [Some(deep), Some(r#""\ud800 x""#.to_owned())]
    );
}
