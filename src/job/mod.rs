//! Batch jobs over a crawl: [`learn`], [`clean`] and [`run`], streaming, parallel and
//! deterministic.
//!
//! Every job streams its input through the pipeline (`pipeline.rs`): the reader cuts it into chunks of about
//! 1 MB, each worker takes whole chunks in turn and works through one on its own core, and one
//! consuming thread writes the results in input order, so the output is byte-identical
//! whatever the thread count. With one thread ([`JobConfig::sequential`]) all of it runs on the
//! calling thread.
//!
//! Memory: at most `2 × workers + 1` chunks are in flight (taken and not yet consumed), plus,
//! for `learn`, the feature counts, held within [`JobConfig::memory`] and spilled to sorted
//! runs on disk beyond it.
//!
//! Bad records are counted and reported on stderr with file, record and byte offset
//! ([`OnError::Skip`]), or stop the job ([`OnError::Fail`]); either way none is silently
//! absent. [`Stats`] counts what a job did.

mod pipeline;
mod progress;
mod reuse;
mod stats;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::clean::{CleanConfig, Cleaner, Decision};
use crate::error::{Error, Result};
use crate::input::{ConvertedPages, InputConfig, PassedOver, PayloadKind, Record};
use crate::model::SpillDir;
use crate::model::{self, Counter, Header, Model, ModelParams, Prior, SiteTable};
use crate::output::{Compression, OutputKind, Writer};
use crate::shingle::{PageFeatures, Shingler};
use reuse::{FeatureStore, Kept};

pub(crate) use pipeline::for_each_record;
pub(crate) use progress::progress_bar;
pub use stats::Stats;
pub(crate) use stats::{PageSummary, RecordFigures};

/// What to do with a record that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Count it, report it on stderr, go on; the job's exit status says records were skipped.
    #[default]
    Skip,
    /// Stop at the first bad record.
    Fail,
}

/// Settings shared by every job.
#[derive(Debug, Clone)]
pub struct JobConfig {
    /// Input files and directories; `-` is stdin.
    pub inputs: Vec<PathBuf>,
    /// How records are read.
    pub input: InputConfig,
    /// Worker threads; 0 means one per core. 1 runs the whole job on the calling thread
    /// ([`JobConfig::sequential`]).
    pub threads: usize,
    /// What to do with a record that cannot be read.
    pub on_error: OnError,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Memory budget (bytes) for learning's counts; beyond it they spill to sorted runs in
    /// `temp_dir`.
    pub memory: usize,
    /// Where spilled runs go (the system temporary directory when `None`).
    pub temp_dir: Option<PathBuf>,
    /// Report each skipped record (off for the second pass of `run`, which meets the same
    /// bad records as the first).
    pub report_bad: bool,
    /// How skipped records are reported; `None` prints them on stderr ([`report_skipped`]).
    pub reporter: Option<Reporter>,
    /// Let a model written by [`learn`] or [`run`] replace a file that exists, or that
    /// appears while the job runs (true by default; the CLI sets it from `--force`, so that
    /// two jobs racing for one new model cannot both succeed).
    pub replace_model: bool,
    /// The cross-site prior that cleaning asks about pages of sites with few pages
    /// ([`crate::clean::Cleaner::with_prior`]); `None` (the default here) cleans by the
    /// crawl's model alone. The CLI passes the built-in [`Prior::builtin`] unless told
    /// otherwise.
    pub prior: Option<Arc<Prior>>,
    /// HTML pages an earlier pass over the same inputs converted (`run`'s first pass): the
    /// reader takes them instead of parsing their HTML again.
    pub(crate) converted: Option<Arc<dyn ConvertedPages>>,
}

/// How a job reports the bad records it skips ([`OnError::Skip`]): a function called with
/// the 1-based count of each skipped record and its error, for every one, in input order. A
/// front end words the error its own way (the CLI adds the flag that gets past it).
#[derive(Clone)]
pub struct Reporter(Arc<ReportFn>);

/// The function a [`Reporter`] calls.
type ReportFn = dyn Fn(u64, &Error) + Send + Sync;

impl Reporter {
    /// A reporter that calls `f`.
    pub fn new(f: impl Fn(u64, &Error) + Send + Sync + 'static) -> Reporter {
        Reporter(Arc::new(f))
    }

    /// Reports the `n`th skipped record.
    pub(crate) fn report(&self, n: u64, e: &Error) {
        (self.0)(n, e)
    }
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter(..)")
    }
}

/// Skipped records reported in full; the rest are only counted.
pub const REPORTED_IN_FULL: u64 = 20;

/// The default report of the `n`th skipped record: the first [`REPORTED_IN_FULL`] on stderr
/// as `dechrome: skipped: ERROR` (with `; ADVICE` when given), then one line saying that only
/// the count is reported from there on.
pub fn report_skipped(n: u64, e: &Error, advice: Option<&str>) {
    if n <= REPORTED_IN_FULL {
        match advice {
            Some(a) => eprintln!("dechrome: skipped: {e}; {a}"),
            None => eprintln!("dechrome: skipped: {e}"),
        }
    } else if n == REPORTED_IN_FULL + 1 {
        eprintln!("dechrome: more bad records; only the count is reported from here");
    }
}

impl JobConfig {
    /// The default settings for reading `inputs`: one worker per core, bad records skipped,
    /// no progress bar, [`model::DEFAULT_MEMORY`] for the counts.
    pub fn new(inputs: Vec<PathBuf>) -> JobConfig {
        JobConfig {
            inputs,
            input: InputConfig::default(),
            threads: 0,
            on_error: OnError::Skip,
            progress: false,
            memory: model::DEFAULT_MEMORY,
            temp_dir: None,
            report_bad: true,
            reporter: None,
            replace_model: true,
            prior: None,
            converted: None,
        }
    }

    /// Whether the job runs on one thread: `threads == 1` (or one core) means all of the work,
    /// reading, decompressing and writing included, is done on the calling thread, so that
    /// one job per core can be run side by side without the jobs competing for cores.
    pub fn sequential(&self) -> bool {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(true, |n| n.get() == 1),
            n => n == 1,
        }
    }

    /// The pool of the job's worker threads.
    pub(crate) fn pool(&self) -> Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| Error::Config(format!("cannot start {} threads: {e}", self.threads)))
    }
}

/// Result of a learn job.
#[derive(Debug)]
pub struct LearnSummary {
    /// The written model's header.
    pub header: Header,
    /// The counts of the pass over the input.
    pub stats: Stats,
}

/// Counts the features of every page into per-worker counters. A counter that reaches its
/// share of the memory budget is written to `dir` as a sorted run and started afresh. With
/// `keep`, the pages' features are kept there too, within its budget, for `run`'s second pass.
fn count_features(
    cfg: &JobConfig,
    params: ModelParams,
    dir: &SpillDir,
    keep: Option<&mut FeatureStore>,
) -> Result<(Vec<Counter>, SiteTable, Stats)> {
    let pool = cfg.pool()?;
    let workers = pool.current_num_threads();
    let per_worker = (counters_budget(cfg.memory) / workers).max(1 << 20);
    let counters: Vec<Mutex<Counter>> = (0..workers)
        .map(|_| Mutex::new(Counter::with_budget(per_worker)))
        .collect();
    // Workers intern sites as they meet them; the ids differ from run to run, the model
    // does not (its keys are ordered by site name).
    let sites = RwLock::new(SiteTable::default());
    let mut stats = Stats::default();
    let pb = progress_bar(cfg, "learn");
    let start = Instant::now();
    let mut bad = 0;
    let mut passed = PassedOver::default();
    let intern = |name: &str| -> u32 {
        if let Some(id) = sites.read().expect("no panics holding it").get(name) {
            return id;
        }
        sites.write().expect("no panics holding it").intern(name)
    };
    let (space, mut index) = match keep {
        Some(k) => {
            let (s, i) = k.parts(workers);
            (Some(s), Some(i))
        }
        None => (None, None),
    };
    for_each_record(
        cfg,
        &pool,
        PayloadKind::None,
        &mut bad,
        &mut passed,
        || (Shingler::new(params.shingle_max_tokens), Vec::new()),
        |(sh, buf), mut rec| -> Result<(RecordFigures, Option<Kept>)> {
            let site = intern(&rec.site);
            let w = rayon::current_thread_index().unwrap_or(0) % workers;
            let (mut f, kept) = match space.filter(|s| !s.is_full()) {
                Some(s) => {
                    let (page, f) = sh.page_and_features(&rec.text);
                    (f, s.keep(w, &rec.loc, &rec.text, page))
                }
                None => (sh.features(&rec.text), None),
            };
            if !rec.dom.is_empty() {
                // A page read from HTML: its DOM paths are counted too.
                buf.clear();
                buf.extend_from_slice(f);
                crate::clean::dom_features(&rec.text, &rec.dom, buf);
                f = buf;
            }
            let mut c = counters[w].lock().expect("no worker panics holding it");
            if c.is_full_for(f.len()) {
                let fresh = c.fresh();
                let sites = sites.read().expect("no panics holding it");
                std::mem::replace(&mut *c, fresh).write_run(&sites, dir)?;
            }
            c.add_page(site, f);
            drop(c);
            let figures = RecordFigures::take(&mut rec);
            let kept = kept.zip(space).map(|(k, s)| k.with_html(s, &mut rec));
            Ok((figures, kept))
        },
        |batch| {
            for (r, kept) in batch {
                stats.pages += 1;
                stats.bytes_in += r.text_bytes;
                stats.input_bytes += r.input_bytes;
                stats.lossy_records += r.lossy as u64;
                pb.inc(r.input_bytes);
                if let (Some(k), Some(index)) = (kept, index.as_deref_mut()) {
                    index.insert(k);
                }
            }
            pb.set_message(format!("{} pages", stats.pages));
            Ok(())
        },
    )?;
    stats.bad_records = bad;
    stats.passed_over = passed;
    pb.finish_and_clear();
    let counters = counters
        .into_iter()
        .map(|c| c.into_inner().expect("no worker panics holding it"))
        .collect();
    stats.elapsed = start.elapsed();
    let sites = sites.into_inner().expect("no panics holding it");
    Ok((counters, sites, stats))
}

/// Learns a model from the inputs and writes it to `out`.
///
/// Memory: the counts stay within `cfg.memory`; beyond it they spill to sorted runs that are
/// merged by streaming. The result is the same file whatever the budget and thread count.
pub fn learn(
    cfg: &JobConfig,
    out: &Path,
    partial: bool,
    params: ModelParams,
) -> Result<LearnSummary> {
    let dir = SpillDir::new(cfg.temp_dir.as_deref())?;
    let (counters, sites, stats) = count_nonempty(cfg, params, &dir, None)?;
    write_learned(cfg, out, partial, params, &dir, counters, &sites, stats)
}

/// [`count_features`] (keeping the pages' features in `keep`, if given), refusing an input with no readable page.
fn count_nonempty(
    cfg: &JobConfig,
    params: ModelParams,
    dir: &SpillDir,
    keep: Option<&mut FeatureStore>,
) -> Result<(Vec<Counter>, SiteTable, Stats)> {
    let counted = count_features(cfg, params, dir, keep)?;
    if counted.2.pages == 0 {
        return Err(Error::Config(
            "no readable pages in the input; nothing to learn from".into(),
        ));
    }
    Ok(counted)
}

/// The share of a job's memory budget that its counters get, together: 60%; the rest covers
/// chunks in flight and the model writer.
fn counters_budget(memory: usize) -> usize {
    memory / 10 * 6
}

/// Whether the counts never spilled and their pairs, all workers' together, fit the budget
/// of one counter given all of the counters' share: then they can be summed in memory.
///
/// The whole share, not one worker's counter's: each worker's counter holds about its share
/// of the pairs, so with many workers the sum would never fit one of them, and `run` would
/// build and read back an fst on one core (`run -j 16` was no faster than `-j 2`).
fn counts_fit(cfg: &JobConfig, dir: &SpillDir, counters: &[Counter]) -> bool {
    let total: usize = counters.iter().map(Counter::len).sum();
    dir.key_runs() == 0 && Counter::with_budget(counters_budget(cfg.memory)).fits(total)
}

/// Writes the model file of counted features: the second half of [`learn`].
#[allow(clippy::too_many_arguments)]
fn write_learned(
    cfg: &JobConfig,
    out: &Path,
    partial: bool,
    params: ModelParams,
    dir: &SpillDir,
    counters: Vec<Counter>,
    sites: &SiteTable,
    mut stats: Stats,
) -> Result<LearnSummary> {
    let start = Instant::now();
    // The model's shards are built on as many threads as the job has workers.
    let builders = match cfg.threads {
        _ if cfg.sequential() => 0,
        0 => model::shard_builders(),
        n => n,
    };
    let mut sink = model::ModelSink::new(params, partial, cfg.memory / 4, dir, builders)?;
    if counts_fit(cfg, dir, &counters) {
        // Everything fits in memory: sort each worker's counts on its own thread and merge.
        let pool = cfg.pool()?;
        Counter::emit_sum(counters, sites, &pool, &mut sink)?;
    } else {
        for c in counters {
            if !c.is_empty() {
                c.write_run(sites, dir)?;
            }
        }
        for (site, n) in dir.take_site_pages() {
            sink.expect_pages(&site, n);
        }
        let mut merged = dir.merge_keys()?;
        while let Some((k, v)) = merged.next_entry()? {
            sink.push(k, v)?;
        }
    }
    let header = sink.finish(out, cfg.replace_model)?;
    stats.elapsed += start.elapsed();
    Ok(LearnSummary { header, stats })
}

/// Output settings of a clean job.
#[derive(Debug, Clone)]
pub struct CleanOutput {
    /// Where the records go, and in which format.
    pub kind: OutputKind,
    /// Add each record's removed blocks, with their reasons (JSONL only).
    pub keep_removed: bool,
    /// Replace an existing output.
    pub force: bool,
    /// Compression that overrides the one the output's name implies.
    pub compress: Option<Compression>,
}

/// Cleans the inputs against a model, writing records in input order.
pub fn clean(
    cfg: &JobConfig,
    model: &Model,
    clean_cfg: CleanConfig,
    out: &CleanOutput,
) -> Result<Stats> {
    clean_kept(cfg, model, clean_cfg, out, None)
}

/// [`clean`], taking each page's features from `kept` when it holds them.
fn clean_kept(
    cfg: &JobConfig,
    model: &Model,
    clean_cfg: CleanConfig,
    out: &CleanOutput,
    kept: Option<&FeatureStore>,
) -> Result<Stats> {
    let pool = cfg.pool()?;
    let mut writer = Writer::create(
        &out.kind,
        out.compress,
        &cfg.input.text_field,
        out.keep_removed,
        out.force,
    )?;
    let mut stats = Stats::default();
    let pb = progress_bar(cfg, "clean");
    let start = Instant::now();
    let mut bad = 0;
    let mut passed = PassedOver::default();
    // Workers clean and, for file and stdout outputs, format each record; the consuming
    // thread only writes the bytes in input order.
    let fmt = writer.formatter().cloned();
    let fmt = fmt.as_ref();
    // A Parquet output copies a Parquet input's other columns from the file itself.
    let payload = match out.kind {
        OutputKind::Parquet(_) => PayloadKind::Located,
        _ => PayloadKind::Full,
    };
    // Output buffers go back from the writing thread to the workers instead of being freed
    // on one thread and allocated afresh on another.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let spare = &spare;
    for_each_record(
        cfg,
        &pool,
        payload,
        &mut bad,
        &mut passed,
        || {
            let c = Cleaner::with_prior(model, clean_cfg, cfg.prior.as_deref());
            (c, String::new(), PageFeatures::default())
        },
        |(c, cleaned, feats), mut rec| -> Result<(Cleaned, PageSummary, RecordFigures)> {
            let pre = kept
                .is_some_and(|k| k.copy_into(&rec.loc, &rec.text, feats))
                .then_some(&*feats);
            let d = c.clean_page_with(&rec.site, &rec.text, pre, &rec.dom, cleaned);
            let summary = PageSummary::of(cleaned, d);
            Ok(match fmt {
                Some(f) => {
                    let mut out = spare
                        .lock()
                        .ok()
                        .and_then(|mut s| s.pop())
                        .unwrap_or_default();
                    out.reserve(rec.bytes as usize + 64);
                    f.format(&rec, cleaned, d, &mut out);
                    let figures = RecordFigures::take(&mut rec);
                    (Cleaned::Bytes(out), summary, figures)
                }
                None => {
                    let figures = RecordFigures::of(&rec);
                    let page = Cleaned::Page(Box::new((rec, cleaned.clone(), d.to_vec())));
                    (page, summary, figures)
                }
            })
        },
        |batch| {
            let mut emptied = Vec::with_capacity(batch.len());
            for (done, summary, figures) in batch {
                match done {
                    Cleaned::Bytes(mut b) => {
                        writer.write_formatted(&b)?;
                        b.clear();
                        emptied.push(b);
                    }
                    Cleaned::Page(p) => {
                        let (rec, cleaned, d) = *p;
                        writer.write_owned(&rec, cleaned, &d)?
                    }
                }
                stats.add_summary(&figures, &summary);
                pb.inc(figures.input_bytes);
            }
            if let Ok(mut s) = spare.lock() {
                // Enough for the chunks in flight; the rest are freed.
                emptied.truncate(SPARE_OUTPUT_BUFFERS.saturating_sub(s.len()));
                s.append(&mut emptied);
            }
            pb.set_message(format!("{} pages", stats.pages));
            Ok(())
        },
    )?;
    stats.bad_records = bad;
    stats.passed_over = passed;
    pb.finish_and_clear();
    if cfg.on_error == OnError::Fail && stats.bad_records > 0 {
        unreachable!("fail mode stops at the first bad record");
    }
    writer.finish()?;
    stats.elapsed = start.elapsed();
    Ok(stats)
}

/// Output buffers kept for reuse: about two chunks' records.
const SPARE_OUTPUT_BUFFERS: usize = 1024;

/// A cleaned record as a worker hands it back.
enum Cleaned {
    /// The output bytes of the record.
    Bytes(Vec<u8>),
    /// The record, its cleaned text and decisions, for a writer that formats them itself.
    Page(Box<(Record, String, Vec<Decision>)>),
}

/// Learns from the inputs and cleans them in one job (two passes over the input). Inputs
/// that cannot be read twice (stdin) are first spooled to a temporary file.
pub fn run(
    cfg: &JobConfig,
    params: ModelParams,
    clean_cfg: CleanConfig,
    out: &CleanOutput,
    keep_model: Option<&Path>,
) -> Result<(Header, Stats)> {
    let spool;
    let mut cfg = cfg.clone();
    if cfg.inputs.iter().any(|p| p == Path::new("-")) {
        let dir = tempfile::tempdir().map_err(|e| Error::io("temporary directory", e))?;
        // Removed on a signal too (then forgotten below; a registered path that is gone is
        // passed over).
        crate::fs::register_temporary(dir.path());
        let p = dir.path().join("stdin");
        let mut f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut f).map_err(|e| Error::io("-", e))?;
        cfg.inputs = cfg
            .inputs
            .iter()
            .map(|i| {
                if i == Path::new("-") {
                    p.clone()
                } else {
                    i.clone()
                }
            })
            .collect();
        spool = Some(dir);
    } else {
        spool = None;
    }
    let dir = SpillDir::new(cfg.temp_dir.as_deref())?;
    // The second pass cleans with the first pass's page features, kept within a fifth of the
    // budget (counts get three fifths): what does not fit is computed again.
    let mut kept = FeatureStore::new(cfg.memory / 5);
    let (counters, sites, learn_stats) = count_nonempty(&cfg, params, &dir, Some(&mut kept))?;
    // The second pass's reader takes the kept HTML conversions (each once, freeing it).
    let kept = Arc::new(kept);
    cfg.converted = Some(Arc::clone(&kept) as Arc<dyn ConvertedPages>);
    let tmpdir = tempfile::tempdir().map_err(|e| Error::io("temporary directory", e))?;
    crate::fs::register_temporary(tmpdir.path());
    let model = match keep_model {
        // Counts that fit in memory become the model's hash tables there: no fst to build
        // and read back between the passes, which would run on one core.
        None if counts_fit(&cfg, &dir, &counters) => {
            let pool = cfg.pool()?;
            Model::from_counters(counters, &sites, params, "(in memory)".into(), &pool)
        }
        _ => {
            let path = match keep_model {
                Some(p) => p.to_path_buf(),
                None => tmpdir.path().join("run.model"),
            };
            write_learned(
                &cfg,
                &path,
                false,
                params,
                &dir,
                counters,
                &sites,
                learn_stats.clone(),
            )?;
            Model::open(&path)?
        }
    };
    drop(dir);
    // The bad records were reported during learning; do not report them twice.
    cfg.report_bad = false;
    let mut stats = clean_kept(&cfg, &model, clean_cfg, out, Some(&kept))?;
    stats.elapsed += learn_stats.elapsed;
    crate::fs::forget_temporary(tmpdir.path());
    if let Some(s) = &spool {
        crate::fs::forget_temporary(s.path());
    }
    drop(spool);
    Ok((model.header.clone(), stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (`run -j 16` no faster than `-j 2` on 16 cores): the counts of many
    /// workers, each holding about its share of the pairs, were asked to fit one worker's
    /// counter, so with more workers they never did and `run` wrote and read back an fst on
    /// one core.
    #[test]
    fn counts_of_many_workers_fit_the_whole_budget() {
        let dir = SpillDir::new(None).unwrap();
        let mut cfg = JobConfig::new(vec![]);
        cfg.memory = 64 << 20;
        let workers = 16;
        let per_worker = counters_budget(cfg.memory) / workers;
        let one = Counter::with_budget(per_worker);
        // Each worker's counter half full: together eight times what one of them may hold.
        let each = one.max_items() / 2;
        let counters: Vec<Counter> = (0..workers as u64)
            .map(|w| {
                let mut c = one.fresh();
                let feats: Vec<(u8, u64)> = (0..each as u64).map(|i| (0, w << 32 | i)).collect();
                c.add_page(0, &feats);
                c
            })
            .collect();
        let total: usize = counters.iter().map(Counter::len).sum();
        assert!(total > one.max_items());
        assert!(counts_fit(&cfg, &dir, &counters));
        // And a sum beyond the whole share does not fit.
        cfg.memory = 4 << 20;
        assert!(!counts_fit(&cfg, &dir, &counters));
    }
}
