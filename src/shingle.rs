//! Turning a page into the hashed features the model counts: one hash per block, plus token
//! shingles of short blocks.
//!
//! Whole-block hashes find chrome that repeats verbatim (after normalisation). Templated chrome
//! ("Posted by Jane Doe in Politics", "Tags: a, b, c") repeats only in part, so short blocks
//! also contribute one hash per distinct token; a block most of whose tokens recur in short
//! blocks across the site is templated. Long blocks are not shingled: templated chrome is
//! short, and a token hash for every word of every body paragraph would cost more than it
//! finds.
//!
//! [`Shingler`] owns every buffer it needs and reuses them from page to page, so the hot loop
//! allocates nothing once the buffers have grown to the largest page.

use crate::block::{blocks, hash_normalized, normalize_into, shape, NormInfo, Shape};
use crate::bytes::find_byte;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Feature kind of a whole-block hash.
pub const KIND_BLOCK: u8 = b'b';
/// Feature kind of a token hash from a short block.
pub const KIND_TOKEN: u8 = b't';

/// Feature kind of the first two tokens of a short block ("posted by", "tags ...").
pub const KIND_PREFIX: u8 = b'p';
/// Feature kind of the last two tokens of a short block ("staff writer", "minutes ago").
pub const KIND_SUFFIX: u8 = b's';

/// Feature kind of a DOM path signature (pages read from HTML; see `clean::dom`): pages
/// with the path.
pub const KIND_PATH: u8 = b'd';
/// Feature kind of a DOM path that holds the page's article.
pub const KIND_PATH_MAIN: u8 = b'a';
/// Feature kind of a DOM path whose text on the page is mostly links.
pub const KIND_PATH_LINKS: u8 = b'k';
/// [`KIND_PATH`] for a path's name (its innermost element with a class or id), also
/// counted across sites.
pub const KIND_NAME: u8 = b'D';
/// [`KIND_PATH_MAIN`] for a path's name, also counted across sites.
pub const KIND_NAME_MAIN: u8 = b'A';
/// [`KIND_PATH_LINKS`] for a path's name, also counted across sites.
pub const KIND_NAME_LINKS: u8 = b'K';

/// Whether the model counts the sites with a feature of this kind (blocks, for cross-site
/// chrome; DOM path names, for generic names such as `comment` or `related`).
pub fn counted_across_sites(kind: u8) -> bool {
    matches!(
        kind,
        KIND_BLOCK | KIND_NAME | KIND_NAME_MAIN | KIND_NAME_LINKS
    )
}

/// Seed for token hashes, so that a one-token block and the token itself are told apart even
/// if a caller mixes kinds.
const TOKEN_SEED: u64 = 0x6465_6368_726f_6d65;

/// Blocks with at most this many tokens are shingled. Chrome lines (menu items, bylines,
/// dates, share rows) are short; body sentences are longer than a dozen words.
pub const DEFAULT_SHINGLE_MAX_TOKENS: u32 = 12;

/// Features of one block of a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockFeatures {
    /// Start of the block in the page text (bytes).
    pub start: usize,
    /// End of the block in the page text (bytes, exclusive).
    pub end: usize,
    /// Hash of the normalised block.
    pub hash: u64,
    /// Token count and other figures of the normalised block.
    pub norm: NormInfo,
    /// The raw block's shape (length, punctuation, separators).
    pub shape: Shape,
    /// Start of this block's token hashes in [`PageFeatures::token_hashes`] (the range is
    /// empty for blocks that are not shingled).
    pub tok_start: u32,
    /// End of this block's token hashes in [`PageFeatures::token_hashes`].
    pub tok_end: u32,
    /// Hash of the first two tokens, or of a short "Label:" (0 for blocks that are not
    /// shingled or have fewer than two tokens).
    pub prefix: u64,
    /// Hash of the last two tokens (0 for blocks that are not shingled or have fewer than
    /// two tokens).
    pub suffix: u64,
    /// Start of the normalised block in [`PageFeatures::normalized`].
    pub norm_start: u32,
    /// End of the normalised block in [`PageFeatures::normalized`].
    pub norm_end: u32,
}

/// Features of one page's blocks: what cleaning reads. Buffers are reused by
/// [`Shingler::page`]; a clone is exact-sized, which is how `run` keeps its first pass's.
#[derive(Debug, Default, Clone)]
pub struct PageFeatures {
    /// The page's blocks, in page order.
    pub blocks: Vec<BlockFeatures>,
    /// Token hashes of the shingled blocks, in block order (duplicates within a block kept
    /// once).
    pub token_hashes: Vec<u64>,
    /// The page's normalised blocks, one after the other: the cleaner compares words of
    /// blocks without normalising them again.
    pub normalized: String,
}

impl PageFeatures {
    /// The normalised text of a block of this page.
    pub fn normalized_of(&self, b: &BlockFeatures) -> &str {
        &self.normalized[b.norm_start as usize..b.norm_end as usize]
    }

    /// The token hashes of a block of this page (empty if it is not shingled).
    pub fn tokens_of(&self, b: &BlockFeatures) -> &[u64] {
        &self.token_hashes[b.tok_start as usize..b.tok_end as usize]
    }
}

/// Turns pages into features with reused buffers, for one of two uses: [`Shingler::page`]
/// for cleaning (per-block figures), [`Shingler::features`] for learning (the (kind, hash)
/// pairs a model counts).
#[derive(Debug)]
pub struct Shingler {
    max_tokens: u32,
    norm: String,
    label: String,
    page: PageFeatures,
    features: Vec<(u8, u64)>,
    /// The spaces of the short block at hand.
    spaces: Vec<usize>,
}

/// What a pass over a page computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Per-block figures ([`PageFeatures`]).
    Blocks,
    /// The (kind, hash) features.
    Features,
    /// Both: `run`'s first pass counts the features and keeps the figures for its second.
    Both,
}

impl Shingler {
    /// A shingler that shingles blocks of up to `max_tokens` tokens (the model's
    /// `shingle_max_tokens`: learning and cleaning must agree on it).
    pub fn new(max_tokens: u32) -> Shingler {
        Shingler {
            max_tokens,
            norm: String::with_capacity(4096),
            label: String::with_capacity(64),
            page: PageFeatures::default(),
            features: Vec::new(),
            spaces: Vec::new(),
        }
    }

    /// Splits, normalises and hashes a page into its blocks' features: what cleaning needs.
    /// The result borrows the shingler's buffers.
    pub fn page(&mut self, text: &str) -> &PageFeatures {
        self.compute(text, Want::Blocks);
        &self.page
    }

    /// The (kind, hash) features of a page: what learning counts, once per page. They come
    /// as met, some more than once (a [`crate::model::Counter`] counts a feature once per
    /// page by itself); sort and dedup them for the distinct set.
    pub fn features(&mut self, text: &str) -> &[(u8, u64)] {
        self.compute(text, Want::Features);
        &self.features
    }

    /// The (kind, hash) features of a page and its per-block figures, from one pass over it:
    /// what [`Shingler::features`] and [`Shingler::page`] give.
    pub fn page_and_features(&mut self, text: &str) -> (&PageFeatures, &[(u8, u64)]) {
        self.compute(text, Want::Both);
        (&self.page, &self.features)
    }

    fn compute(&mut self, text: &str, want: Want) {
        let with_blocks = want != Want::Features;
        let with_features = want != Want::Blocks;
        let f = &mut self.page;
        let features = &mut self.features;
        f.blocks.clear();
        f.token_hashes.clear();
        f.normalized.clear();
        features.clear();
        for b in blocks(text) {
            let norm = normalize_into(b.text, &mut self.norm);
            let hash = hash_normalized(&self.norm);
            let tok_start = f.token_hashes.len() as u32;
            let (mut prefix, mut suffix) = (0, 0);
            let short = norm.tokens > 0 && norm.tokens <= self.max_tokens;
            if short {
                // A short block's token ends, found once for its prefix, suffix and tokens.
                let nb = self.norm.as_bytes();
                self.spaces.clear();
                let mut at = 0;
                while let Some(p) = find_byte(&nb[at..], b' ') {
                    self.spaces.push(at + p);
                    at += p + 1;
                }
            }
            if short && norm.tokens >= 2 {
                let n = &self.norm;
                let sp = &self.spaces;
                let first_end = sp.get(1).copied().unwrap_or(n.len());
                let last_start = sp.len().checked_sub(2).map_or(0, |k| sp[k] + 1);
                prefix = xxh3_64_with_seed(&n.as_bytes()[..first_end], TOKEN_SEED ^ 1);
                // "Label: value" lines: the label is the prefix, however many tokens it has.
                if let Some(pos) = find_colon(b.text) {
                    let label = normalize_into(&b.text[..pos], &mut self.label);
                    if (1..=3).contains(&label.tokens) {
                        prefix = xxh3_64_with_seed(self.label.as_bytes(), TOKEN_SEED ^ 1);
                    }
                }
                suffix = xxh3_64_with_seed(&n.as_bytes()[last_start..], TOKEN_SEED ^ 2);
                if with_features {
                    features.push((KIND_PREFIX, prefix));
                    features.push((KIND_SUFFIX, suffix));
                }
            } else if norm.tokens > self.max_tokens && norm.tokens <= 3 * self.max_tokens {
                // A longer line that opens with a short "Label:" ("READ MORE: …",
                // "Trending: …") gets the label as its prefix. (Not a suffix: body paragraphs
                // that end in "(Full story)" would look templated.)
                let head = &b.text.as_bytes()[..b.text.len().min(48)];
                if let Some(pos) = memchr::memchr(b':', head) {
                    let label = normalize_into(&b.text[..pos], &mut self.label);
                    if (1..=3).contains(&label.tokens) {
                        prefix = xxh3_64_with_seed(self.label.as_bytes(), TOKEN_SEED ^ 1);
                        if with_features {
                            features.push((KIND_PREFIX, prefix));
                        }
                    }
                }
            }
            if short {
                let nb = self.norm.as_bytes();
                let mut from = 0;
                for end in self.spaces.iter().copied().chain([nb.len()]) {
                    let tok = &nb[from..end];
                    from = end + 1;
                    let h = xxh3_64_with_seed(tok, TOKEN_SEED);
                    // Blocks are short, so a linear scan beats a set.
                    if !f.token_hashes[tok_start as usize..].contains(&h) {
                        f.token_hashes.push(h);
                    }
                }
            }
            if with_blocks {
                let tok_end = f.token_hashes.len() as u32;
                let norm_start = f.normalized.len() as u32;
                f.normalized.push_str(&self.norm);
                f.blocks.push(BlockFeatures {
                    start: b.start,
                    end: b.start + b.text.len(),
                    hash,
                    norm,
                    shape: shape(b.text),
                    tok_start,
                    tok_end,
                    prefix,
                    suffix,
                    norm_start,
                    norm_end: f.normalized.len() as u32,
                });
            }
            if with_features {
                features.push((KIND_BLOCK, hash));
            }
        }
        if with_features {
            features.extend(f.token_hashes.iter().map(|&h| (KIND_TOKEN, h)));
        }
    }
}

/// `text.find([':', '：'])`, by bytes: `:` or the first byte of `：` (EF BC 9A) with memchr2,
/// instead of decoding every char.
fn find_colon(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b':', 0xef, &b[from..]) {
        let i = from + i;
        if b[i] == b':' || b[i..].starts_with("：".as_bytes()) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blocks_get_token_shingles_long_ones_do_not() {
        let mut s = Shingler::new(4);
        let long = "one two three four five six";
        let text = format!("Posted by Jane\n{long}\nPosted by Jane");
        let mut distinct = s.features(&text).to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        // Two equal blocks count once; three tokens; one prefix and one suffix; one long
        // block.
        assert_eq!(distinct.len(), 2 + 3 + 2);
        let f = s.page(&text);
        assert_eq!(f.blocks.len(), 3);
        assert_eq!(f.tokens_of(&f.blocks[0]).len(), 3);
        assert_eq!(f.tokens_of(&f.blocks[1]).len(), 0);
        assert_ne!(f.blocks[0].prefix, 0);
        assert_eq!(f.blocks[1].prefix, 0);
        assert_eq!(f.blocks[0].hash, f.blocks[2].hash);
    }

    #[test]
    fn long_lines_opening_with_a_label_get_the_label_as_prefix() {
        let mut s = Shingler::new(4);
        let f = s.page(
            "READ MORE: one two three four five six\nTrending: seven eight nine ten eleven\n\
             one two three four five six seven",
        );
        assert_ne!(f.blocks[0].prefix, 0);
        assert_eq!(f.blocks[0].suffix, 0);
        assert_ne!(f.blocks[0].prefix, f.blocks[1].prefix);
        assert_eq!(f.blocks[2].prefix, 0, "no label, no prefix");
        let mut t = Shingler::new(4);
        let g = t.page("Read more: a b c d e f g");
        assert_eq!(
            g.blocks[0].prefix, f.blocks[0].prefix,
            "the label is normalised"
        );
    }

    #[test]
    fn repeated_tokens_in_a_block_count_once() {
        let mut s = Shingler::new(12);
        let f = s.page("share share share");
        assert_eq!(f.tokens_of(&f.blocks[0]).len(), 1);
    }

    #[test]
    fn buffers_are_reused_between_pages() {
        let mut s = Shingler::new(12);
        let n1 = s.page("a\nb\nc").blocks.len();
        let n2 = s.page("d").blocks.len();
        assert_eq!((n1, n2), (3, 1));
    }

    #[test]
    fn one_pass_gives_both_views() {
        let text = "Home | News\nPosted by Jane Doe in Politics\nTags: a, b\nA longer line of \
                    the article body, with more than a dozen words in it, so not shingled.";
        let mut s = Shingler::new(12);
        let want_feats = s.features(text).to_vec();
        let want_page = format!("{:?}", s.page(text));
        let mut t = Shingler::new(12);
        let (page, feats) = t.page_and_features(text);
        assert_eq!(feats, want_feats);
        assert_eq!(format!("{page:?}"), want_page);
    }

    #[test]
    fn features_are_what_the_page_view_holds() {
        let mut s = Shingler::new(12);
        let text = "Home | News\nA long sentence about things, with many words in it here and there.\nHome | News\nREAD MORE: one two three four five six seven eight nine ten eleven twelve\n40 minutes ago";
        let mut all = s.features(text).to_vec();
        let f = s.page(text);
        let mut want: Vec<(u8, u64)> = f.blocks.iter().map(|b| (KIND_BLOCK, b.hash)).collect();
        want.extend(f.token_hashes.iter().map(|&h| (KIND_TOKEN, h)));
        for b in &f.blocks {
            want.extend(
                [(KIND_PREFIX, b.prefix), (KIND_SUFFIX, b.suffix)]
                    .into_iter()
                    .filter(|x| x.1 != 0),
            );
        }
        want.sort_unstable();
        want.dedup();
        assert!(
            all.len() > want.len(),
            "the repeated line's features come twice"
        );
        all.sort_unstable();
        all.dedup();
        assert_eq!(all, want);
    }

    proptest::proptest! {
        #[test]
        fn find_colon_finds_what_find_finds(s in "(\\PC|[:：\u{ff00}-\u{ff1f}a])*") {
            proptest::prop_assert_eq!(find_colon(&s), s.find([':', '：']));
        }
    }
}
