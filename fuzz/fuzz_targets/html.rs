//! Feeds arbitrary bytes to the HTML decoder and text extractor: never a panic, and the text
//! has no empty lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (html, _) = dechrome::input::decode_html(data, None);
    let text = dechrome::input::html_to_text(&html);
    assert!(!text.split('\n').any(|l| l.trim().is_empty()) || text.is_empty());
});
