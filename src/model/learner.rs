//! Learning page by page, for programs that hold their pages themselves (the Python package,
//! a Spark partition, a datatrove task) rather than files for [`crate::job::learn`].
//!
//! A [`Learner`] counts each page's features as `learn` does and writes the same model bytes
//! for the same pages, whatever the order they are added in and however they are batched.
//! Memory: the counts stay within the budget given to [`Learner::new`]; beyond it they spill
//! to sorted runs in a temporary directory, merged by streaming when the model is written.

use std::path::Path;

use super::{Counter, Header, ModelParams, ModelSink, SiteTable, SpillDir};
use crate::error::Result;
use crate::shingle::Shingler;

/// Counts pages into a model, within a memory budget.
///
/// ```
/// use dechrome::{Learner, Model, ModelParams};
/// let mut l = Learner::new(ModelParams::default(), 64 << 20, None).unwrap();
/// for w in ["apples", "boats", "clocks"] {
///     l.add_page("example.org", &format!("Home\nA long story about {w}, told in words.\nFooter"));
/// }
/// let dir = tempfile::tempdir().unwrap();
/// let header = l.finish(&dir.path().join("m.model"), false).unwrap();
/// assert_eq!(header.pages, 3);
/// ```
pub struct Learner {
    params: ModelParams,
    memory: usize,
    shingler: Shingler,
    tally: Tally,
}

/// The counts, apart from the shingler that feeds them.
struct Tally {
    sites: SiteTable,
    counter: Counter,
    spill: SpillDir,
    pages: u64,
}

/// Counts one page's features, spilling the counter first when they would not fit.
fn count(t: &mut Tally, site: &str, features: &[(u8, u64)]) -> Result<()> {
    let id = t.sites.intern(site);
    if t.counter.is_full_for(features.len()) {
        let fresh = t.counter.fresh();
        std::mem::replace(&mut t.counter, fresh).write_run(&t.sites, &t.spill)?;
    }
    t.counter.add_page(id, features);
    t.pages += 1;
    Ok(())
}

impl Learner {
    /// A learner whose counts take at most about `memory` bytes (spilled to sorted runs under
    /// `temp_dir`, the system temporary directory when `None`, beyond that).
    pub fn new(params: ModelParams, memory: usize, temp_dir: Option<&Path>) -> Result<Learner> {
        Ok(Learner {
            params,
            memory,
            shingler: Shingler::new(params.shingle_max_tokens),
            tally: Tally {
                sites: SiteTable::default(),
                // As `learn` on one worker: the counts get 60% of the budget.
                counter: Counter::with_budget((memory / 10 * 6).max(1 << 20)),
                spill: SpillDir::new(temp_dir)?,
                pages: 0,
            },
        })
    }

    /// Counts one page of `site` (the key that [`crate::input::site_from_url`] or a site
    /// field gives; pages with an empty key share one "site").
    pub fn add_page(&mut self, site: &str, text: &str) -> Result<()> {
        let features = self.shingler.features(text);
        count(&mut self.tally, site, features)
    }

    /// Counts a batch of `(site, text)` pages: their features are computed in parallel on
    /// the current rayon pool, then counted in order, so the model is the one
    /// [`Learner::add_page`] on each page would give.
    pub fn add_batch<S, T>(&mut self, pages: &[(S, T)]) -> Result<()>
    where
        S: AsRef<str> + Sync,
        T: AsRef<str> + Sync,
    {
        use rayon::prelude::*;
        let max = self.params.shingle_max_tokens;
        let features: Vec<Vec<(u8, u64)>> = pages
            .par_iter()
            .with_min_len(16)
            .map_init(
                || Shingler::new(max),
                |sh, (_, text)| sh.features(text.as_ref()).to_vec(),
            )
            .collect();
        for ((site, _), f) in pages.iter().zip(&features) {
            count(&mut self.tally, site.as_ref(), f)?;
        }
        Ok(())
    }

    /// Pages counted so far.
    pub fn pages(&self) -> u64 {
        self.tally.pages
    }

    /// Writes the model to `path` (replacing it), partial (every count kept, for
    /// [`crate::model::merge`]) or final (for cleaning), and returns its header.
    pub fn finish(self, path: &Path, partial: bool) -> Result<Header> {
        let Learner {
            params,
            memory,
            tally:
                Tally {
                    sites,
                    counter,
                    spill,
                    ..
                },
            ..
        } = self;
        let mut sink =
            ModelSink::new(params, partial, memory / 4, &spill, super::shard_builders())?;
        if spill.key_runs() == 0 {
            counter.emit_to(&sites, &mut sink)?;
        } else {
            if !counter.is_empty() {
                counter.write_run(&sites, &spill)?;
            }
            for (site, n) in spill.take_site_pages() {
                sink.expect_pages(&site, n);
            }
            let mut merged = spill.merge_keys()?;
            while let Some((k, v)) = merged.next_entry()? {
                sink.push(k, v)?;
            }
        }
        sink.finish(path, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputConfig, Reader};
    use crate::job::JobConfig;

    /// A learner fed the sample crawl page by page writes the bytes `learn` writes, in memory
    /// and spilled.
    #[test]
    fn learner_writes_what_learn_writes() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample.jsonl");
        let dir = tempfile::tempdir().unwrap();
        let job_model = dir.path().join("job.model");
        let cfg = JobConfig::new(vec![sample.clone()]);
        crate::job::learn(&cfg, &job_model, false, ModelParams::default()).unwrap();
        let want = std::fs::read(&job_model).unwrap();
        let pages: Vec<(String, String)> =
            Reader::new(InputConfig::default(), std::slice::from_ref(&sample))
                .unwrap()
                .map(|r| r.map(|r| (r.site, r.text)).unwrap())
                .collect();
        for memory in [64 << 20, 1] {
            let mut l = Learner::new(ModelParams::default(), memory, Some(dir.path())).unwrap();
            let (first, rest) = pages.split_at(17);
            for (site, text) in first {
                l.add_page(site, text).unwrap();
            }
            l.add_batch(rest).unwrap();
            let p = dir.path().join(format!("l{memory}.model"));
            l.finish(&p, false).unwrap();
            assert!(std::fs::read(&p).unwrap() == want, "memory {memory}");
        }
    }
}
