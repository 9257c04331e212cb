//! dechrome strips site chrome — navigation, footers, share rows, cookie lines, teasers of
//! other articles — from scraped web corpora, by learning which blocks recur across each
//! site's pages and across sites, and keeping each page's own article.
//!
//! The pipeline has one module per stage:
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | read | [`input`] | JSONL, WET/WARC, text directories; gzip and zstd |
//! | split | [`block`] | pages into blocks (lines), normalised and hashed with xxh3 |
//! | shingle | [`shingle`] | per-page features: block hashes and token shingles |
//! | learn | [`model`] | per-site and cross-site frequencies in an `fst` map |
//! | clean | [`clean`] | per-block decisions with reasons |
//! | write | [`output`] | JSONL, WET or text directory, written atomically |
//!
//! [`job`] runs them as streaming, parallel, deterministic batch jobs.
//!
//! # Example
//!
//! ```
//! use dechrome::{clean::{CleanConfig, Cleaner}, model::{self, Counter, Model, ModelParams, SiteTable}};
//! use dechrome::shingle::Shingler;
//!
//! // Learn from a few pages of one site...
//! let words = ["apples", "boats", "clocks", "doors", "eagles"];
//! let pages: Vec<String> = words
//!     .iter()
//!     .map(|w| format!("Home\nNews\nSport\nA story about {w} has a long and winding body \
//!                       of text, told in words that only this page uses: {w}.\nShare this\nFooter"))
//!     .collect();
//! let mut sites = SiteTable::default();
//! let site = sites.intern("example.org");
//! let mut counter = Counter::new();
//! let mut sh = Shingler::new(ModelParams::default().shingle_max_tokens);
//! for p in &pages {
//!     counter.add_page(site, sh.features(p));
//! }
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("m.model");
//! model::write_entries(&path, counter.into_sorted_entries(&sites), ModelParams::default(), false).unwrap();
//!
//! // ...then clean a page.
//! let model = Model::open(&path).unwrap();
//! let mut cleaner = Cleaner::new(&model, CleanConfig::default());
//! let mut out = String::new();
//! let decisions = cleaner.clean_page("example.org", &pages[0], &mut out);
//! assert_eq!(out.lines().count(), 1);
//! assert!(out.starts_with("A story about apples"));
//! assert_eq!(decisions[0].reason.as_str(), "site-template");
//! ```

pub mod block;
pub(crate) mod bytes;
pub mod clean;
pub mod error;
pub mod eval;
pub mod fs;
pub mod input;
pub mod job;
pub mod model;
pub mod output;
pub mod shingle;
pub mod views;
pub(crate) mod warc;

pub use error::{Error, Remedy, Result};
