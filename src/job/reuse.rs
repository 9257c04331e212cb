//! `run`'s first pass keeps the pages' features for its second: [`FeatureStore`].
//!
//! Both passes split, normalise and hash every page the same way; the second need not do it
//! again when the first kept what cleaning reads ([`PageFeatures`]). The store holds them
//! within a byte budget, keyed by where each record was read (file, record number) and checked
//! against the text's length; a page past the budget is simply computed again. Nothing written
//! depends on which pages were kept: the features are the same either way.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::error::Location;
use crate::shingle::{BlockFeatures, PageFeatures};

/// Page features kept by `run`'s first pass, within a byte budget.
#[derive(Debug)]
pub(crate) struct FeatureStore {
    files: FxHashMap<PathBuf, u32>,
    pages: FxHashMap<(u32, u64), Kept>,
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
}

/// Bytes a kept page costs beyond its buffers: the map entry and the three allocations.
const PAGE_OVERHEAD: usize = 128;

impl Kept {
    /// A copy of `feats`, computed from the text `text` of the record read at `loc`.
    pub(crate) fn new(loc: &Location, text: &str, feats: &PageFeatures) -> Kept {
        Kept {
            loc: loc.clone(),
            text_len: text.len(),
            feats: feats.clone(),
        }
    }

    fn bytes(&self) -> usize {
        let f = &self.feats;
        PAGE_OVERHEAD
            + f.blocks.len() * std::mem::size_of::<BlockFeatures>()
            + f.token_hashes.len() * 8
            + f.normalized.len()
    }
}

impl FeatureStore {
    /// An empty store that keeps pages up to about `budget` bytes.
    pub(crate) fn new(budget: usize) -> FeatureStore {
        FeatureStore {
            files: FxHashMap::default(),
            pages: FxHashMap::default(),
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
    pub(crate) fn insert(&mut self, kept: Kept) {
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
        self.pages.insert((file, kept.loc.record), kept);
    }

    /// The features kept for the record read at `loc` with text `text`, if any.
    pub(crate) fn get(&self, loc: &Location, text: &str) -> Option<&PageFeatures> {
        let file = *self.files.get(&loc.file)?;
        let k = self.pages.get(&(file, loc.record))?;
        (k.text_len == text.len()).then_some(&k.feats)
    }
}
