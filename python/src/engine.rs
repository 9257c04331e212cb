//! The one place where the bindings touch the dechrome library: site keys, learning page by
//! page, merging, and cleaning batches in parallel. Everything here is plain Rust (no
//! Python types), so the rest of the crate only converts between Python and these calls.

use std::path::{Path, PathBuf};

use dechrome::clean::{CleanConfig, Cleaner, Decision};
use dechrome::model::{Counter, Model, ModelParams, ModelSink, SiteTable};
use dechrome::shingle::Shingler;
use dechrome::site::{site_from_url, SiteKey};
use dechrome::spill::SpillDir;
use dechrome::{Error, Result};
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
        if let Some(s) = self.site.filter(|s| !s.is_empty()) {
            return s.replace('\0', " ");
        }
        self.url
            .and_then(|u| site_from_url(u, SiteKey::Domain))
            .unwrap_or_default()
    }
}

/// Learns a model from pages fed in batches, within a memory budget: what `dechrome learn`
/// does with the records it reads (counts beyond the budget spill to sorted runs on disk).
pub struct Learner {
    params: ModelParams,
    memory: usize,
    sites: SiteTable,
    counter: Counter,
    spill: SpillDir,
    pages: u64,
}

impl Learner {
    pub fn new(memory: Option<usize>) -> Result<Learner> {
        let memory = memory.unwrap_or(dechrome::model::DEFAULT_MEMORY);
        Ok(Learner {
            params: ModelParams::default(),
            memory,
            sites: SiteTable::default(),
            // As `learn` on one worker: the counts get 60% of the budget.
            counter: Counter::with_budget((memory / 10 * 6).max(1 << 20)),
            spill: SpillDir::new(None)?,
            pages: 0,
        })
    }

    /// Counts the pages, their features computed on `pool`'s threads (on this one when
    /// `None`).
    pub fn add(&mut self, pages: &[Page<'_>], pool: Option<&rayon::ThreadPool>) -> Result<()> {
        let max = self.params.shingle_max_tokens;
        let features = |pages: &[Page<'_>]| -> Vec<(String, Vec<(u8, u64)>)> {
            pages
                .par_iter()
                .with_min_len(16)
                .map_init(
                    || Shingler::new(max),
                    |sh, p| (p.site_key(), sh.features(p.text).to_vec()),
                )
                .collect()
        };
        let feats = match pool {
            Some(pool) if pool.current_num_threads() > 1 => pool.install(|| features(pages)),
            None => features(pages),
            Some(_) => {
                let mut sh = Shingler::new(max);
                pages
                    .iter()
                    .map(|p| (p.site_key(), sh.features(p.text).to_vec()))
                    .collect()
            }
        };
        for (site, f) in feats {
            let id = self.sites.intern(&site);
            if self.counter.is_full_for(f.len()) {
                let fresh = self.counter.fresh();
                std::mem::replace(&mut self.counter, fresh).write_run(&self.sites, &self.spill)?;
            }
            self.counter.add_page(id, &f);
            self.pages += 1;
        }
        Ok(())
    }

    /// Pages counted so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// Writes the counts as a model file: partial (for a later merge) or final.
    pub fn write(self, path: &Path, partial: bool) -> Result<()> {
        let Learner {
            params,
            memory,
            sites,
            counter,
            spill,
            ..
        } = self;
        let mut sink = ModelSink::new(params, partial, memory / 4, &spill, true)?;
        if spill.key_runs() == 0 {
            counter.emit(&sites, |k, v| sink.push(k, v))?;
        } else {
            if !counter.is_empty() {
                counter.write_run(&sites, &spill)?;
            }
            let mut merged = spill.merge_keys()?;
            while let Some((k, v)) = merged.next_entry()? {
                sink.push(k, v)?;
            }
        }
        sink.finish(path)?;
        Ok(())
    }
}

/// Merges partial model files into `out` (partial or final).
pub fn merge(inputs: &[PathBuf], out: &Path, partial: bool) -> Result<()> {
    dechrome::model::merge(inputs, out, partial).map(|_| ())
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
