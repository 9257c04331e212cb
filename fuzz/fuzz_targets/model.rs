//! Feeds arbitrary bytes to the model loader: it must load or refuse with an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("dechrome-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join("m.model");
    std::fs::write(&p, data).unwrap();
    if let Ok(m) = dechrome::model::Model::open(&p) {
        let _ = m.header.pages;
    }
});
