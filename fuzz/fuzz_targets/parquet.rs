//! Feeds arbitrary bytes to the Parquet reader: it must yield records or errors, never panic.
//! Seed it with a small Parquet file (tests/io_parquet.rs writes some) in corpus/parquet/.
#![no_main]

use std::path::Path;

use dechrome::input::{records_from, Format, InputConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = InputConfig {
        format: Format::Parquet,
        max_record_bytes: 1 << 16,
        ..Default::default()
    };
    let r = Box::new(std::io::Cursor::new(data.to_vec()));
    if let Ok(mut s) = records_from(&cfg, Path::new("fuzz.parquet"), r) {
        while let Some(rec) = s.next_record() {
            let _ = rec.map(|r| r.text.len());
        }
    }
});
