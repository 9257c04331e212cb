//! The one place where the bindings touch the dechrome library: site keys, learning page by
//! page, merging, and cleaning batches in parallel. Everything here is plain Rust (no
//! Python types), so the rest of the crate only converts between Python and these calls.

use std::path::{Path, PathBuf};

use dechrome::input::resolve_site;
use dechrome::{
    merge as merge_models, CleanConfig, Cleaner, Decision, Error, Learner as PageLearner,
    MergeOptions, Model, ModelParams, Result, SiteKey,
};
use rayon::prelude::*;

/// A page as the bindings hand it over: text, and what names its site.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub text: &'a str,
    pub site: Option<&'a str>,
    pub url: Option<&'a str>,
}

impl Page<'_> {
    /// The site key `dechrome run` gives this page: the site field when not empty, else the
    /// URL's registrable domain, else none.
    pub fn site_key(&self) -> String {
        resolve_site(self.site, self.url, None, SiteKey::Domain)
    }
}

/// Learns a model from pages fed in batches, within a memory budget: what `dechrome learn`
/// does with the records it reads (counts beyond the budget spill to sorted runs on disk).
pub struct Learner {
    inner: PageLearner,
}

impl Learner {
    pub fn new(memory: Option<usize>) -> Result<Learner> {
        let memory = memory.unwrap_or(dechrome::model::DEFAULT_MEMORY);
        Ok(Learner {
            inner: PageLearner::new(ModelParams::default(), memory, None)?,
        })
    }

    /// Counts the pages, their features computed on `pool`'s threads (on the global pool
    /// when `None`) and counted in order.
    pub fn add(&mut self, pages: &[Page<'_>], pool: Option<&rayon::ThreadPool>) -> Result<()> {
        if pool.is_some_and(|p| p.current_num_threads() == 1) {
            for p in pages {
                self.inner.add_page(&p.site_key(), p.text)?;
            }
            return Ok(());
        }
        let batch: Vec<(String, &str)> = pages.iter().map(|p| (p.site_key(), p.text)).collect();
        match pool {
            Some(pool) => pool.install(|| self.inner.add_batch(&batch)),
            None => self.inner.add_batch(&batch),
        }
    }

    /// Pages counted so far.
    pub fn pages(&self) -> u64 {
        self.inner.pages()
    }

    /// Writes the counts as a model file: partial (for a later merge) or final.
    pub fn write(self, path: &Path, partial: bool) -> Result<()> {
        self.inner.finish(path, partial).map(|_| ())
    }
}

/// Merges partial model files into `out` (partial or final).
pub fn merge(inputs: &[PathBuf], out: &Path, partial: bool) -> Result<()> {
    let options = MergeOptions {
        partial,
        ..MergeOptions::default()
    };
    merge_models(inputs, out, options).map(|_| ())
}

/// Opens a model for cleaning, refusing a partial one.
pub fn open_final(path: &Path) -> Result<Model> {
    Model::open_final(path)
}

/// Opens any model (partial ones included).
pub fn open(path: &Path) -> Result<Model> {
    Model::open(path)
}

/// A page cleaned: the kept text and, when asked for, every decision.
pub struct Cleaned {
    pub text: String,
    pub decisions: Vec<Decision>,
}

/// Cleans pages on `pool`'s threads (the global pool when `None`), in order, as `dechrome
/// clean` would. Decisions are kept only when `keep_decisions`.
pub fn clean_pages(
    model: &Model,
    pages: &[Page<'_>],
    keep_decisions: bool,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<Cleaned> {
    let work = || {
        pages
            .par_iter()
            .with_min_len(16)
            .map_init(
                || Cleaner::new(model, CleanConfig::default()),
                |c, p| clean_one(c, p, keep_decisions),
            )
            .collect()
    };
    match pool {
        Some(pool) if pool.current_num_threads() == 1 => {
            let mut c = Cleaner::new(model, CleanConfig::default());
            pages
                .iter()
                .map(|p| clean_one(&mut c, p, keep_decisions))
                .collect()
        }
        Some(pool) => pool.install(work),
        None => work(),
    }
}

fn clean_one(c: &mut Cleaner<'_>, p: &Page<'_>, keep_decisions: bool) -> Cleaned {
    let mut text = String::with_capacity(p.text.len());
    let d = c.clean_page(&p.site_key(), p.text, &mut text);
    Cleaned {
        decisions: if keep_decisions {
            d.to_vec()
        } else {
            Vec::new()
        },
        text,
    }
}

/// A thread pool of `threads` threads (one per core when 0).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Config(format!("cannot start {threads} threads: {e}")))
}
