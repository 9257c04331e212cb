//! Feeds arbitrary bytes to the warc reader: it must yield records or errors, never panic.
#![no_main]

use std::path::Path;

use dechrome::input::{records_from, Format, InputConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = InputConfig {
        format: Format::Warc,
        max_record_bytes: 1 << 16,
        ..Default::default()
    };
    let r = Box::new(std::io::Cursor::new(data.to_vec()));
    if let Ok(mut s) = records_from(&cfg, Path::new("fuzz"), r) {
        while let Some(rec) = s.next_record() {
            let _ = rec.map(|r| r.text.len());
        }
    }
});
