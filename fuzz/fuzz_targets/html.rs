//! Feeds arbitrary bytes to the HTML decoder and text extractor: never a panic, the text has
//! no empty lines, and the DOM side array has one entry per line with a link density in 0..=1.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (html, _) = dechrome::input::decode_html(data, None);
    let b = dechrome::input::html_to_blocks(&html);
    assert!(!b.text.split('\n').any(|l| l.trim().is_empty()) || b.text.is_empty());
    let lines = if b.text.is_empty() { 0 } else { b.text.split('\n').count() };
    assert_eq!(b.dom.len(), lines);
    assert!(b.dom.iter().all(|d| (0.0..=1.0).contains(&d.link_density)));
    assert_eq!(b.text, dechrome::input::html_to_text(&html));
});
