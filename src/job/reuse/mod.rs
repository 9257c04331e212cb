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
//!
//! The store is about as large as the input's text, and bringing in the memory it is
//! written to costs more than writing it: page faults were a tenth of `run` on the generated
//! crawl. So the blocks' features are packed ([`pack`]: 29 or 45 bytes a block instead of
//! 88) and, with the token hashes and normalised text, copied into an [`Arena`] per worker
//! (no heap allocation per page). `run`'s peak memory on the generated crawl went from 125
//! to 100 MB.

mod arena;
mod pack;

use std::path::PathBuf;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::error::Location;
use crate::input::{BlockDom, ConvertedHtml, ConvertedPages, Payload, Record};
use crate::shingle::PageFeatures;
use arena::Arena;

/// Page features kept by `run`'s first pass, within a byte budget.
///
/// Memory: at most `budget` bytes of packed features, conversions and entries, plus the
/// unfilled end of each worker's last [`Arena`] chunk (address space; only what is written
/// is brought in).
#[derive(Debug)]
pub(crate) struct FeatureStore {
    index: Index,
    space: Space,
}

/// Where each kept page is: filled by the first pass's consuming thread.
#[derive(Debug, Default)]
pub(crate) struct Index {
    files: FxHashMap<PathBuf, u32>,
    pages: FxHashMap<(u32, u64), Entry>,
    /// HTML conversions, taken out by the second pass's reader (threads of their own).
    html: Mutex<FxHashMap<(u32, u64), KeptHtml>>,
}

/// The arenas and the budget: shared by the first pass's workers, which copy features in.
#[derive(Debug)]
pub(crate) struct Space {
    arenas: Vec<Mutex<Arena>>,
    bytes: AtomicUsize,
    budget: usize,
    /// Set once the budget is spent: workers stop copying features.
    full: AtomicBool,
}

/// One page's features, placed in an arena by a worker, with where its record was read
/// and the length of the text they were computed from; on its way to the [`Index`].
#[derive(Debug)]
pub(crate) struct Kept {
    loc: Location,
    entry: Entry,
    html: Option<KeptHtml>,
}

/// A kept page in the index: its text's length and its features' place.
#[derive(Debug)]
struct Entry {
    text_len: usize,
    feats: Placed,
}

/// A page's features in an arena, from `at` (8-aligned): `tokens` token hashes, then
/// `packed` bytes of `blocks` packed blocks, then `normalized` bytes of normalised text.
#[derive(Debug, Clone, Copy)]
struct Placed {
    at: NonNull<u8>,
    tokens: u32,
    blocks: u32,
    packed: u32,
    normalized: u32,
}

// SAFETY: a `Placed` points into an arena's map, which is written once, before the `Placed`
// is made, and only read afterwards; the map lives as long as the store that holds both.
unsafe impl Send for Placed {}
// SAFETY: as for `Send`: nothing writes through it.
unsafe impl Sync for Placed {}

/// A WARC record's HTML conversion, and the record's size (its `Content-Length`).
#[derive(Debug)]
struct KeptHtml {
    bytes: u64,
    page: ConvertedHtml,
}

/// Bytes a kept page costs beyond its features: the index entries and the location.
const PAGE_OVERHEAD: usize = 96;
/// Bytes a kept conversion costs beyond its text and DOM entries: the map entry and the
/// two allocations.
const HTML_OVERHEAD: usize = 96;
/// Bytes of allocator overhead counted per path string.
const PATH_OVERHEAD: usize = 16;

impl Space {
    /// Copies `feats` into worker `w`'s arena, unless the budget is spent (or the page is
    /// too large to place, or not laid out as a [`crate::shingle::Shingler`] lays out pages).
    fn place(&self, w: usize, feats: &PageFeatures) -> Option<Placed> {
        if self.full.load(Ordering::Relaxed) {
            return None;
        }
        let mut arena = self.arenas[w % self.arenas.len()]
            .lock()
            .expect("no panics holding it");
        let arena = &mut *arena;
        arena.scratch.clear();
        if !pack::pack(&feats.blocks, &mut arena.scratch) {
            return None;
        }
        let tokens = std::mem::size_of_val(feats.token_hashes.as_slice());
        let packed = arena.scratch.len();
        let normalized = feats.normalized.len();
        let (Ok(nt), Ok(nb), Ok(np), Ok(nn)) = (
            u32::try_from(feats.token_hashes.len()),
            u32::try_from(feats.blocks.len()),
            u32::try_from(packed),
            u32::try_from(normalized),
        ) else {
            return None;
        };
        let n = (tokens + packed + normalized).next_multiple_of(8);
        if !self.spend(n + PAGE_OVERHEAD) {
            return None;
        }
        let Some(at) = arena.alloc(n) else {
            self.full.store(true, Ordering::Relaxed);
            return None;
        };
        // SAFETY: `at` has room for `n` bytes and is 8-aligned, so aligned for the token
        // hashes; the arena hands no byte of it out again.
        unsafe {
            let dst = at.as_ptr();
            std::ptr::copy_nonoverlapping(
                feats.token_hashes.as_ptr(),
                dst.cast::<u64>(),
                feats.token_hashes.len(),
            );
            let dst = dst.add(tokens);
            std::ptr::copy_nonoverlapping(arena.scratch.as_ptr(), dst, packed);
            let dst = dst.add(packed);
            std::ptr::copy_nonoverlapping(feats.normalized.as_ptr(), dst, normalized);
        }
        Some(Placed {
            at,
            tokens: nt,
            blocks: nb,
            packed: np,
            normalized: nn,
        })
    }

    /// Takes `n` bytes of the budget, or marks the store full if they are not left.
    fn spend(&self, n: usize) -> bool {
        let before = self.bytes.fetch_add(n, Ordering::Relaxed);
        if before + n > self.budget {
            self.bytes.fetch_sub(n, Ordering::Relaxed);
            self.full.store(true, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Keeps a copy of the features `feats`, computed by worker `w` from the text `text`
    /// of the record read at `loc`, unless the budget is spent.
    pub(crate) fn keep(
        &self,
        w: usize,
        loc: &Location,
        text: &str,
        feats: &PageFeatures,
    ) -> Option<Kept> {
        let feats = self.place(w, feats)?;
        Some(Kept {
            loc: loc.clone(),
            entry: Entry {
                text_len: text.len(),
                feats,
            },
            html: None,
        })
    }

    /// Whether the budget is spent (workers need not ask to keep more).
    pub(crate) fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }
}

impl Kept {
    /// Keeps the conversion of a page read from a WARC record's HTML too (its text and DOM
    /// side array, moved out of `rec`), if the budget has room for it; other pages are left
    /// as they are.
    pub(crate) fn with_html(mut self, space: &Space, rec: &mut Record) -> Kept {
        if matches!(rec.payload, Payload::Warc { .. }) && !rec.dom.is_empty() {
            let dom = &rec.dom;
            let bytes = HTML_OVERHEAD
                + rec.text.len()
                + dom.len() * (std::mem::size_of::<BlockDom>() + PATH_OVERHEAD)
                + dom.iter().map(|d| d.path.len()).sum::<usize>();
            if space.spend(bytes) {
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
        }
        self
    }
}

impl Index {
    /// Records a kept page.
    pub(crate) fn insert(&mut self, kept: Kept) {
        let next = self.files.len() as u32;
        let file = match self.files.get(&kept.loc.file) {
            Some(&id) => id,
            None => *self.files.entry(kept.loc.file.clone()).or_insert(next),
        };
        if let Some(h) = kept.html {
            let html = self.html.get_mut().expect("no panics holding it");
            html.insert((file, kept.loc.record), h);
        }
        self.pages.insert((file, kept.loc.record), kept.entry);
    }
}

impl FeatureStore {
    /// An empty store that keeps pages up to about `budget` bytes.
    pub(crate) fn new(budget: usize) -> FeatureStore {
        FeatureStore {
            index: Index::default(),
            space: Space {
                arenas: Vec::new(),
                bytes: AtomicUsize::new(0),
                budget,
                full: AtomicBool::new(budget == 0),
            },
        }
    }

    /// The arenas, for the first pass's `workers` workers (one each), and the index, for
    /// its consuming thread.
    pub(crate) fn parts(&mut self, workers: usize) -> (&Space, &mut Index) {
        let arenas = &mut self.space.arenas;
        arenas.resize_with(workers.max(1).max(arenas.len()), Mutex::default);
        (&self.space, &mut self.index)
    }

    /// Copies the features kept for the record read at `loc` with text `text` into `out`,
    /// if the store holds them.
    pub(crate) fn copy_into(&self, loc: &Location, text: &str, out: &mut PageFeatures) -> bool {
        let Some(e) = self
            .index
            .files
            .get(&loc.file)
            .and_then(|&file| self.index.pages.get(&(file, loc.record)))
        else {
            return false;
        };
        if e.text_len != text.len() {
            return false;
        }
        let p = e.feats;
        // SAFETY: `place` wrote these bytes at `p.at`, laid out as read here, and nothing
        // wrote there since; the arenas live as long as `self`.
        let (t, b, n) = unsafe {
            let at = p.at.as_ptr();
            let t = std::slice::from_raw_parts(at.cast::<u64>(), p.tokens as usize);
            let at = at.add(std::mem::size_of_val(t));
            let b = std::slice::from_raw_parts(at, p.packed as usize);
            let at = at.add(b.len());
            let n = std::slice::from_raw_parts(at, p.normalized as usize);
            (t, b, std::str::from_utf8_unchecked(n))
        };
        pack::unpack(b, p.blocks as usize, &mut out.blocks);
        out.token_hashes.clear();
        out.token_hashes.extend_from_slice(t);
        out.normalized.clear();
        out.normalized.push_str(n);
        true
    }
}

impl ConvertedPages for FeatureStore {
    fn take(&self, loc: &Location, bytes: u64) -> Option<ConvertedHtml> {
        let file = *self.index.files.get(&loc.file)?;
        let mut html = self.index.html.lock().expect("no panics holding it");
        let key = (file, loc.record);
        if html.get(&key)?.bytes != bytes {
            return None;
        }
        html.remove(&key).map(|h| h.page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::Shingler;
    use std::path::Path;

    fn same(a: &PageFeatures, b: &PageFeatures) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn kept_pages_come_back_as_computed_and_only_for_their_record() {
        let mut store = FeatureStore::new(1 << 20);
        let (space, index) = store.parts(2);
        let mut sh = Shingler::new(12);
        let texts = [
            "Breaking News\nThe council met on Tuesday, and voted 7-2.\nShare this\nÉté à Paris — “quoted”",
            "",
            "One line only",
        ];
        let file = Path::new("a.jsonl");
        for (i, t) in texts.iter().enumerate() {
            let loc = Location::new(file, i as u64 + 1, 0);
            let kept = space.keep(i % 2, &loc, t, sh.page(t)).expect("room for it");
            index.insert(kept);
        }
        let mut out = PageFeatures::default();
        for (i, t) in texts.iter().enumerate() {
            let loc = Location::new(file, i as u64 + 1, 0);
            assert!(store.copy_into(&loc, t, &mut out));
            assert!(same(&out, sh.page(t)), "page {i}");
        }
        // Another text (a changed file), another record or another file: not kept.
        assert!(!store.copy_into(&Location::new(file, 1, 0), "Breaking", &mut out));
        assert!(!store.copy_into(&Location::new(file, 9, 0), texts[0], &mut out));
        assert!(!store.copy_into(&Location::new(Path::new("b"), 1, 0), texts[0], &mut out));
    }

    #[test]
    fn a_full_store_keeps_no_more() {
        let mut store = FeatureStore::new(PAGE_OVERHEAD + 64);
        let (space, _) = store.parts(1);
        let mut sh = Shingler::new(12);
        let loc = Location::new(Path::new("a"), 1, 0);
        assert!(space.keep(0, &loc, "short", sh.page("short")).is_some());
        let long = "a much longer line of words than the budget has room for\n".repeat(4);
        assert!(space.keep(0, &loc, &long, sh.page(&long)).is_none());
        assert!(space.is_full());
        assert!(space.keep(0, &loc, "", sh.page("")).is_none());
    }
}
