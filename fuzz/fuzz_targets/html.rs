//! Feeds arbitrary bytes to the HTML decoder, the text extractor and the DOM evidence: never
//! a panic, the fast tokenizer gives html5ever's text and DOM, the text has no empty lines,
//! the DOM side array has one entry per line with a link density in 0..=1, and cleaning the
//! page with its DOM (the model's path lookups, `dom-links`, the article's container) decides
//! every block and keeps only lines of the page.
#![no_main]

use std::sync::OnceLock;

use dechrome::{CleanConfig, Cleaner, Learner, Model, ModelParams};
use libfuzzer_sys::fuzz_target;

/// A small model of one site, learned once: the DOM lookups run against it (its paths are
/// unknown, so the name and page figures come out empty or from the fuzzed page's own site).
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut l = Learner::new(ModelParams::default(), 16 << 20, None).unwrap();
        for w in ["apples", "boats", "clocks"] {
            let page = format!("Home\nNews\nA long story about {w}, told in words.\nFooter");
            l.add_page("example.org", &page).unwrap();
        }
        let dir = std::env::temp_dir().join(format!("dechrome-fuzz-html-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("m.model");
        l.finish(&p, false).unwrap();
        Model::open(&p).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let (html, _) = dechrome::input::decode_html(data, None);
    let b = dechrome::input::html_to_blocks(&html);
    assert!(!b.text.split('\n').any(|l| l.trim().is_empty()) || b.text.is_empty());
    let lines = if b.text.is_empty() { 0 } else { b.text.split('\n').count() };
    assert_eq!(b.dom.len(), lines);
    assert!(b.dom.iter().all(|d| (0.0..=1.0).contains(&d.link_density)));
    assert_eq!(b.text, dechrome::input::html_to_text(&html));
    // The fast tokenizer reads what html5ever's does.
    let r = dechrome::input::html_to_blocks_reference(&html);
    assert_eq!((&b.text, &b.dom), (&r.text, &r.dom));
    let mut feats = Vec::new();
    dechrome::clean::dom_features(&b.text, &b.dom, &mut feats);
    let mut cleaner = Cleaner::new(model(), CleanConfig::default());
    let mut out = String::new();
    let decisions = cleaner.clean_html_page("example.org", &b.text, &b.dom, &mut out);
    assert!(decisions.iter().all(|d| d.keep == d.reason.is_kept()));
    let page: std::collections::HashSet<&str> = b.text.split('\n').collect();
    assert!(out.is_empty() || out.split('\n').all(|l| page.contains(l)));
});
