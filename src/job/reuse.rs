//! `run`'s first pass keeps the pages' features for its second: [`FeatureStore`].
//!
//! Both passes split, normalise and hash every page the same way; the second need not do it
//! again when the first kept what cleaning reads ([`PageFeatures`]). A page read from a WARC
//! response's HTML keeps its conversion too (text view, DOM side array, lossy flag), which
//! the second pass's reader takes instead of parsing the HTML again ([`ConvertedPages`]):
//! the conversion costs more than the rest of the page's work. The store holds them within
//! a byte budget, keyed by where each record was read (file, record number) and checked
//! against the text's length (features) or the record's (conversions); a page past the
//! budget is simply computed again. Nothing written depends on which pages were kept: the
//! features and conversions are the same either way.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::error::Location;
use crate::input::{BlockDom, ConvertedHtml, ConvertedPages, Payload, Record};
use crate::shingle::{BlockFeatures, PageFeatures};

/// Page features kept by `run`'s first pass, within a byte budget.
#[derive(Debug)]
pub(crate) struct FeatureStore {
    files: FxHashMap<PathBuf, u32>,
    pages: FxHashMap<(u32, u64), Kept>,
    /// HTML conversions, taken out by the second pass's reader (threads of their own).
    html: Mutex<FxHashMap<(u32, u64), KeptHtml>>,
    bytes: usize,
    budget: usize,
    /// Set once the budget is spent: workers stop copying features.
    full: Arc<AtomicBool>,
}

/// One page's features, where its record was read, and the length of the text they were
/// computed from.
#[derive(Debug)]
pub(crate) struct Kept {
    loc: Location,
    text_len: usize,
    feats: PageFeatures,
    html: Option<KeptHtml>,
}

/// A WARC record's HTML conversion, and the record's size (its `Content-Length`).
#[derive(Debug)]
struct KeptHtml {
    bytes: u64,
    page: ConvertedHtml,
}

/// Bytes a kept page costs beyond its buffers: the map entry and the three allocations.
const PAGE_OVERHEAD: usize = 128;
/// Bytes a kept conversion costs beyond its text and DOM entries: the map entry and the
/// two allocations.
const HTML_OVERHEAD: usize = 96;
/// Bytes of allocator overhead counted per path string.
const PATH_OVERHEAD: usize = 16;

impl Kept {
    /// A copy of `feats`, computed from the text `text` of the record read at `loc`.
    pub(crate) fn new(loc: &Location, text: &str, feats: &PageFeatures) -> Kept {
        Kept {
            loc: loc.clone(),
            text_len: text.len(),
            feats: feats.clone(),
            html: None,
        }
    }

    /// Keeps the conversion of a page read from a WARC record's HTML too (its text and DOM
    /// side array, moved out of `rec`); other pages are left as they are.
    pub(crate) fn with_html(mut self, rec: &mut Record) -> Kept {
        if matches!(rec.payload, Payload::Warc { .. }) && !rec.dom.is_empty() {
            let page = ConvertedHtml {
                text: std::mem::take(&mut rec.text),
                dom: std::mem::take(&mut rec.dom),
                lossy: rec.lossy,
            };
            self.html = Some(KeptHtml {
                bytes: rec.bytes,
                page,
            });
        }
        self
    }

    fn bytes(&self) -> usize {
        let f = &self.feats;
        let html = self.html.as_ref().map_or(0, |h| {
            let dom = &h.page.dom;
            HTML_OVERHEAD
                + h.page.text.len()
                + dom.len() * (std::mem::size_of::<BlockDom>() + PATH_OVERHEAD)
                + dom.iter().map(|d| d.path.len()).sum::<usize>()
        });
        PAGE_OVERHEAD
            + f.blocks.len() * std::mem::size_of::<BlockFeatures>()
            + f.token_hashes.len() * 8
            + f.normalized.len()
            + html
    }
}

impl FeatureStore {
    /// An empty store that keeps pages up to about `budget` bytes.
    pub(crate) fn new(budget: usize) -> FeatureStore {
        FeatureStore {
            files: FxHashMap::default(),
            pages: FxHashMap::default(),
            html: Mutex::default(),
            bytes: 0,
            budget,
            full: Arc::new(AtomicBool::new(budget == 0)),
        }
    }

    /// A flag set once the budget is spent, for the workers of the first pass: they stop
    /// copying features then.
    pub(crate) fn full_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.full)
    }

    /// Keeps a page's features unless the budget is spent.
    pub(crate) fn insert(&mut self, mut kept: Kept) {
        let bytes = kept.bytes();
        if self.bytes + bytes > self.budget {
            self.full.store(true, Ordering::Relaxed);
            return;
        }
        self.bytes += bytes;
        let next = self.files.len() as u32;
        let file = match self.files.get(&kept.loc.file) {
            Some(&id) => id,
            None => *self.files.entry(kept.loc.file.clone()).or_insert(next),
        };
        if let Some(h) = kept.html.take() {
            let html = self.html.get_mut().expect("no panics holding it");
            html.insert((file, kept.loc.record), h);
        }
        self.pages.insert((file, kept.loc.record), kept);
    }

    /// The features kept for the record read at `loc` with text `text`, if any.
    pub(crate) fn get(&self, loc: &Location, text: &str) -> Option<&PageFeatures> {
        let file = *self.files.get(&loc.file)?;
        let k = self.pages.get(&(file, loc.record))?;
        (k.text_len == text.len()).then_some(&k.feats)
    }
}

impl ConvertedPages for FeatureStore {
    fn take(&self, loc: &Location, bytes: u64) -> Option<ConvertedHtml> {
        let file = *self.files.get(&loc.file)?;
        let mut html = self.html.lock().expect("no panics holding it");
        let key = (file, loc.record);
        if html.get(&key)?.bytes != bytes {
            return None;
        }
        html.remove(&key).map(|h| h.page)
    }
}
