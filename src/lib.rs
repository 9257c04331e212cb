//! dechrome strips site chrome — navigation, footers, share rows, cookie lines, teasers of
//! other articles — from scraped web corpora, by learning which blocks recur across each
//! site's pages and across sites, and keeping each page's own article.
//!
//! The pipeline has one module per stage:
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | read | [`input`] | JSONL, WET/WARC, text directories; gzip and zstd |
//! | split | `block` (private) | pages into blocks (lines), normalised and hashed with xxh3 |
//! | shingle | `shingle` (private) | per-page features: block hashes and token shingles |
//! | learn | [`model`] | per-site and cross-site frequencies in an `fst` map |
//! | clean | [`clean`] | per-block decisions with reasons |
//! | write | [`output`] | JSONL, WET or text directory, written atomically |
//!
//! [`job`] runs them as streaming, parallel, deterministic batch jobs over files; [`views`]
//! shows the work (`explain`, `inspect`, `report`); [`eval`] scores against gold text;
//! [`fs`] holds the file discipline (atomic outputs, temporaries) every writer follows.
//!
//! The types an embedding program needs are re-exported here: learn with a [`Learner`] (or
//! [`job::learn`] over files), open a [`Model`], clean with a [`Cleaner`].
//!
//! # Example
//!
//! ```
//! use dechrome::{CleanConfig, Cleaner, Learner, Model, ModelParams};
//!
//! // Learn from a few pages of one site...
//! let words = ["apples", "boats", "clocks", "doors", "eagles"];
//! let pages: Vec<String> = words
//!     .iter()
//!     .map(|w| format!("Home\nNews\nSport\nA story about {w} has a long and winding body \
//!                       of text, told in words that only this page uses: {w}.\nShare this\nFooter"))
//!     .collect();
//! let mut learner = Learner::new(ModelParams::default(), 64 << 20, None).unwrap();
//! for p in &pages {
//!     learner.add_page("example.org", p).unwrap();
//! }
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("m.model");
//! learner.finish(&path, false).unwrap();
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

#![warn(missing_docs)]

mod block;
mod bytes;
pub mod clean;
mod error;
pub mod eval;
pub mod fs;
pub mod input;
pub mod job;
pub mod model;
pub mod output;
mod shingle;
pub mod views;
mod warc;

pub use clean::{CleanConfig, Cleaner, Decision, Reason};
pub use error::{Error, Location, Remedy, Result};
pub use input::{site_from_url, Format, InputConfig, Reader, Record, SiteKey};
pub use job::{CleanOutput, JobConfig, OnError, Stats};
pub use model::{merge, Header, Learner, MergeOptions, Model, ModelParams};
