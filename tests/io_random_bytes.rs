//! Stable-toolchain stand-in for the cargo-fuzz targets in fuzz/: mutated WARC, JSONL and
//! HTML bytes (deterministic pseudo-random flips, inserts, deletes and cuts of valid inputs)
//! go through each reader, which must return records or errors naming the file, never panic.

use std::path::Path;

use dechrome::input::{records_from, Format, InputConfig};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(6) {
        let i = rng.below(v.len() + 1);
        match rng.below(5) {
            0 if i < v.len() => v[i] = rng.next() as u8,
            1 => v.insert(i, b"\r\n:<WARC/1.0{\"\0\xff"[rng.below(15)]),
            2 if i < v.len() => {
                v.remove(i);
            }
            3 => v.truncate(i),
            _ => {
                let j = rng.below(v.len() + 1);
                let (a, b) = (i.min(j), i.max(j));
                let dup = v[a..b].to_vec();
                v.splice(a..a, dup);
            }
        }
    }
    v
}

fn read_all(format: Format, bytes: Vec<u8>) {
    let cfg = InputConfig {
        format,
        max_record_bytes: 1 << 14,
        ..Default::default()
    };
    let name = Path::new("fuzz.in");
    if let Ok(mut s) = records_from(&cfg, name, Box::new(std::io::Cursor::new(bytes))) {
        let mut n = 0;
        while let Some(r) = s.next_record() {
            if let Err(e) = r {
                assert!(e.to_string().contains("fuzz.in"), "{e}");
            }
            n += 1;
            assert!(n < 100_000, "the reader makes progress");
        }
    }
}

fn warc_seed() -> Vec<u8> {
    let mut w = Vec::new();
    for (kind, ct, block) in [
        ("warcinfo", "application/warc-fields", &b"software: x\r\n"[..]),
        ("conversion", "text/plain", b"Home\nA story\nFooter"),
        (
            "response",
            "application/http; msgtype=response",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<p>hi\r\n0\r\n\r\n",
        ),
        ("conversion", "text/plain", b"second"),
    ] {
        w.extend(
            format!(
                "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:x>\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
                block.len()
            )
            .bytes(),
        );
        w.extend(block);
        w.extend(b"\r\n\r\n");
    }
    w
}

#[test]
fn mutated_inputs_never_panic_any_reader() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let warc = warc_seed();
    let jsonl =
        b"{\"id\":\"a\",\"url\":\"http://x.org/\",\"text\":\"a\\nb\"}\n{\"id\":2,\"text\":\"c\"}\n"
            .to_vec();
    let html = b"<html><head><title>t</title><script>a<b</script></head><body><table><tr><td>a<td>b</table><pre>x\ny</pre><p>&amp;&#x41;</body>".to_vec();
    for _ in 0..3000 {
        read_all(Format::Warc, mutate(&mut rng, &warc));
        read_all(Format::Auto, mutate(&mut rng, &warc));
        read_all(Format::Jsonl, mutate(&mut rng, &jsonl));
        let h = mutate(&mut rng, &html);
        let (s, _) = dechrome::input::decode_html(&h, None);
        let t = dechrome::input::html_to_text(&s);
        assert!(!t.lines().any(|l| l.trim().is_empty()), "{t:?}");
    }
}

/// A small Parquet file of three row groups, written with the Rust writer.
fn parquet_seed() -> Vec<u8> {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let text: ArrayRef = Arc::new(StringArray::from(vec![
        Some("Home\nA story\nFooter"),
        None,
        Some("second"),
        Some("third page\nmenu"),
        Some("x"),
    ]));
    let id: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5]));
    let url: ArrayRef = Arc::new(StringArray::from(vec!["http://a.org/1"; 5]));
    let batch = RecordBatch::try_from_iter([("text", text), ("id", id), ("url", url)]).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_size(2)
        .build();
    let mut out = Vec::new();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

/// The stable-toolchain twin of the `parquet` fuzz target: damaged Parquet files give errors
/// naming the file, never a panic (the parquet crate, 54.3.1, panics on some damaged pages:
/// the reader catches it and reports the row group as damaged).
#[test]
fn mutated_parquet_never_panics() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let seed = parquet_seed();
    read_all(Format::Parquet, seed.clone());
    for _ in 0..1500 {
        read_all(Format::Parquet, mutate(&mut rng, &seed));
        read_all(Format::Auto, mutate(&mut rng, &seed));
    }
}
