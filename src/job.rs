//! Batch jobs over a crawl: `learn`, `clean` and `run`, streaming, parallel and deterministic.
//!
//! A reading thread parses records into batches (bounded in bytes) and sends them over a
//! bounded channel; each batch is processed in parallel by rayon and its results are written in
//! input order, so the output is byte-identical whatever the thread count. Memory: at most a
//! few batches in flight (`batch_bytes` each) plus, for `learn`, the feature counts.
//!
//! Bad records are counted and reported on stderr with file, record and byte offset
//! (`OnError::Skip`), or stop the job (`OnError::Fail`); either way none is silently absent.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::clean::{CleanConfig, Cleaner, Decision, Reason};
use crate::error::{Error, Result};
use crate::input::{Chunk, InputConfig, PassedOver, Reader, Record};
use crate::model::{self, Counter, Header, Model, ModelParams, SiteTable, SpillDir};
use crate::output::{Compression, OutputKind, Writer};
use crate::shingle::Shingler;

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
    pub inputs: Vec<PathBuf>,
    pub input: InputConfig,
    /// Worker threads; 0 means one per core. 1 runs the whole job on the calling thread
    /// ([`JobConfig::sequential`]).
    pub threads: usize,
    pub on_error: OnError,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Bytes of records per parallel batch.
    pub batch_bytes: usize,
    /// Memory budget (bytes) for learning's counts; beyond it they spill to sorted runs in
    /// `temp_dir`.
    pub memory: usize,
    /// Where spilled runs go (the system temporary directory when `None`).
    pub temp_dir: Option<PathBuf>,
    /// Print each skipped record on stderr (off for the second pass of `run`, which meets the
    /// same bad records as the first).
    pub report_bad: bool,
}

impl JobConfig {
    pub fn new(inputs: Vec<PathBuf>) -> JobConfig {
        JobConfig {
            inputs,
            input: InputConfig::default(),
            threads: 0,
            on_error: OnError::Skip,
            progress: false,
            batch_bytes: 8 << 20,
            memory: model::DEFAULT_MEMORY,
            temp_dir: None,
            report_bad: true,
        }
    }

    /// Whether the job runs on one thread: `--threads 1` (or one core) means all of the work,
    /// reading, decompressing and writing included, is done on the calling thread, so that
    /// one job per core can be run side by side without the jobs competing for cores.
    pub fn sequential(&self) -> bool {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(true, |n| n.get() == 1),
            n => n == 1,
        }
    }

    pub(crate) fn pool(&self) -> Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| Error::Config(format!("cannot start {} threads: {e}", self.threads)))
    }
}

/// What [`Stats`] counts of one cleaned page, so that workers can gather it in parallel.
#[derive(Debug, Default, Clone)]
pub struct PageSummary {
    pub blocks: u64,
    pub removed: u64,
    pub bytes_out: u64,
    pub reason_blocks: [u64; Reason::ALL.len()],
    pub reason_bytes: [u64; Reason::ALL.len()],
}

/// What the counts need of a record once a worker is done with it, so that the record itself
/// (its text above all) is freed on the worker that allocated it.
#[derive(Debug, Default, Clone)]
pub struct RecordFigures {
    pub site: String,
    /// Bytes of the page text.
    pub text_bytes: u64,
    /// Bytes the record took in its input.
    pub input_bytes: u64,
    pub lossy: bool,
}

impl RecordFigures {
    pub fn of(rec: &Record) -> RecordFigures {
        RecordFigures {
            site: rec.site.clone(),
            ..RecordFigures::sizes(rec)
        }
    }

    /// The figures, taking the site name out of `rec` instead of copying it.
    fn take(rec: &mut Record) -> RecordFigures {
        RecordFigures {
            site: std::mem::take(&mut rec.site),
            ..RecordFigures::sizes(rec)
        }
    }

    /// The figures without the site name.
    fn sizes(rec: &Record) -> RecordFigures {
        RecordFigures {
            site: String::new(),
            text_bytes: rec.text.len() as u64,
            input_bytes: rec.bytes,
            lossy: rec.lossy,
        }
    }
}

impl PageSummary {
    pub fn of(cleaned: &str, decisions: &[Decision]) -> PageSummary {
        let mut p = PageSummary {
            blocks: decisions.len() as u64,
            bytes_out: cleaned.len() as u64,
            ..Default::default()
        };
        for d in decisions {
            let i = d.reason.index();
            p.reason_blocks[i] += 1;
            p.reason_bytes[i] += (d.end - d.start) as u64;
            p.removed += !d.keep as u64;
        }
        p
    }
}

/// Counts of a job, merged from per-batch counts at the end.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub pages: u64,
    pub blocks: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub blocks_removed: u64,
    /// Blocks and bytes per reason, indexed by [`Reason::index`].
    pub reason_blocks: [u64; 9],
    pub reason_bytes: [u64; 9],
    pub bad_records: u64,
    pub lossy_records: u64,
    /// Input records that are not pages (WARC warcinfo, non-HTML payloads, ...).
    pub passed_over: PassedOver,
    /// Per site: (pages, text bytes in, text bytes out).
    pub sites: BTreeMap<String, (u64, u64, u64)>,
    pub elapsed: Duration,
    /// Bytes of input read (decompressed record bytes).
    pub input_bytes: u64,
    /// Per site: text bytes removed per reason, indexed by [`Reason::index`] (kept reasons 0).
    pub site_removed: BTreeMap<String, [u64; Reason::ALL.len()]>,
}

impl Stats {
    /// Counts one cleaned page.
    pub fn add_page(&mut self, rec: &Record, cleaned: &str, decisions: &[Decision]) {
        self.add_summary(
            &RecordFigures::of(rec),
            &PageSummary::of(cleaned, decisions),
        );
    }

    /// Counts one cleaned page from its record's figures and its [`PageSummary`].
    pub fn add_summary(&mut self, rec: &RecordFigures, p: &PageSummary) {
        self.pages += 1;
        self.blocks += p.blocks;
        self.bytes_in += rec.text_bytes;
        self.bytes_out += p.bytes_out;
        self.input_bytes += rec.input_bytes;
        if rec.lossy {
            self.lossy_records += 1;
        }
        self.blocks_removed += p.removed;
        for i in 0..Reason::ALL.len() {
            self.reason_blocks[i] += p.reason_blocks[i];
            self.reason_bytes[i] += p.reason_bytes[i];
        }
        let e = match self.sites.get_mut(&rec.site) {
            Some(e) => e,
            None => self.sites.entry(rec.site.clone()).or_default(),
        };
        e.0 += 1;
        e.1 += rec.text_bytes;
        e.2 += p.bytes_out;
        let r = match self.site_removed.get_mut(&rec.site) {
            Some(r) => r,
            None => self.site_removed.entry(rec.site.clone()).or_default(),
        };
        for reason in Reason::ALL.iter().filter(|r| !r.is_kept()) {
            r[reason.index()] += p.reason_bytes[reason.index()];
        }
    }

    /// Share of text bytes removed.
    pub fn removed_share(&self) -> f64 {
        if self.bytes_in == 0 {
            0.0
        } else {
            1.0 - self.bytes_out as f64 / self.bytes_in as f64
        }
    }

    /// Sites ordered by the share of their text removed, most first (ties by name).
    pub fn site_extremes(&self) -> Vec<(&str, u64, f64)> {
        let mut v: Vec<(&str, u64, f64)> = self
            .sites
            .iter()
            .map(|(s, &(p, i, o))| {
                let share = if i == 0 {
                    0.0
                } else {
                    1.0 - o as f64 / i as f64
                };
                (s.as_str(), p, share)
            })
            .collect();
        v.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(b.0)));
        v
    }

    /// One-paragraph summary for stderr.
    pub fn summary(&self) -> String {
        let mut s = self.summary_pages();
        if self.passed_over.total() > 0 {
            s.push_str(&format!(
                "; passed over {} non-page record(s) ({} warcinfo, {} non-HTML, {} other)",
                self.passed_over.total(),
                self.passed_over.warcinfo,
                self.passed_over.non_html,
                self.passed_over.other
            ));
        }
        s
    }

    fn summary_pages(&self) -> String {
        format!(
            "{} pages, {} blocks: removed {} blocks ({:.1}% of text bytes, {} of {} bytes); {} bad record(s) skipped, {} decoded lossily",
            self.pages,
            self.blocks,
            self.blocks_removed,
            100.0 * self.removed_share(),
            self.bytes_in - self.bytes_out,
            self.bytes_in,
            self.bad_records,
            self.lossy_records
        )
    }

    /// The `--stats` table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        s.push_str(&format!(
            "pages {}  blocks {}  bytes in {}  out {}  removed {:.1}%\n",
            self.pages,
            self.blocks,
            self.bytes_in,
            self.bytes_out,
            100.0 * self.removed_share()
        ));
        s.push_str(&format!(
            "elapsed {:.2}s  {:.1} MB/s  {:.0} pages/s  bad records {}  lossy {}\n",
            secs,
            self.input_bytes as f64 / 1e6 / secs,
            self.pages as f64 / secs,
            self.bad_records,
            self.lossy_records
        ));
        s.push_str("reason          blocks       bytes\n");
        for r in Reason::ALL {
            s.push_str(&format!(
                "{:<14} {:>7} {:>11}\n",
                r.as_str(),
                self.reason_blocks[r.index()],
                self.reason_bytes[r.index()]
            ));
        }
        let ext = self.site_extremes();
        if !ext.is_empty() {
            s.push_str("sites with most removed:\n");
            for (site, p, sh) in ext.iter().take(3) {
                s.push_str(&format!("  {site:<30} {p:>6} pages {:>5.1}%\n", 100.0 * sh));
            }
            s.push_str("sites with least removed:\n");
            for (site, p, sh) in ext.iter().rev().take(3) {
                s.push_str(&format!("  {site:<30} {p:>6} pages {:>5.1}%\n", 100.0 * sh));
            }
        }
        s
    }

    /// The `--stats-json` object.
    pub fn to_json(&self) -> serde_json::Value {
        let reasons: serde_json::Map<String, serde_json::Value> = Reason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str().to_string(),
                    serde_json::json!({"blocks": self.reason_blocks[r.index()], "bytes": self.reason_bytes[r.index()]}),
                )
            })
            .collect();
        let sites: serde_json::Map<String, serde_json::Value> = self
            .sites
            .iter()
            .map(|(s, &(p, i, o))| {
                let removed: serde_json::Map<String, serde_json::Value> = Reason::ALL
                    .iter()
                    .filter(|r| !r.is_kept())
                    .map(|r| {
                        let b = self.site_removed.get(s).map_or(0, |v| v[r.index()]);
                        (r.as_str().to_string(), b.into())
                    })
                    .collect();
                (
                    s.clone(),
                    serde_json::json!({"pages": p, "bytes_in": i, "bytes_out": o, "removed_bytes_by_reason": removed}),
                )
            })
            .collect();
        let secs = self.elapsed.as_secs_f64();
        serde_json::json!({
            "pages": self.pages,
            "blocks": self.blocks,
            "blocks_removed": self.blocks_removed,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "removed_share": self.removed_share(),
            "bad_records": self.bad_records,
            "lossy_records": self.lossy_records,
            "passed_over": {
                "warcinfo": self.passed_over.warcinfo,
                "non_html": self.passed_over.non_html,
                "other": self.passed_over.other,
            },
            "elapsed_s": secs,
            "mb_per_s": if secs > 0.0 { self.input_bytes as f64 / 1e6 / secs } else { 0.0 },
            "reasons": reasons,
            "sites": sites,
        })
    }
}

/// Splits a chunk's results, in input order (the reader's error for the chunk's end last),
/// into the good ones and the error that ends the job: bad records are counted in `bad` and
/// reported (the first 20), or end the job under `OnError::Fail`, as does any other error.
fn sift<T>(
    results: Vec<Result<T>>,
    tail: Option<Error>,
    on_error: OnError,
    report_bad: bool,
    bad: &mut u64,
) -> (Vec<T>, Option<Error>) {
    let mut batch = Vec::with_capacity(results.len());
    for r in results.into_iter().chain(tail.map(Err)) {
        match r {
            Ok(r) => batch.push(r),
            Err(e) if e.is_record_error() && on_error == OnError::Skip => {
                *bad += 1;
                if report_bad && *bad <= 20 {
                    eprintln!("dechrome: skipped: {e}");
                } else if report_bad && *bad == 21 {
                    eprintln!("dechrome: more bad records; only the count is reported from here");
                }
            }
            Err(e) => return (batch, Some(e)),
        }
    }
    (batch, None)
}

/// The results of `work` on each record of a chunk (JSONL lines parsed first, keeping the raw
/// line when `keep_raw`), in order, and the reader's error after the chunk's records.
fn work_chunk<T>(
    chunk: Chunk,
    keep_raw: bool,
    mut work: impl FnMut(Result<Record>) -> Result<T>,
) -> (Vec<Result<T>>, Option<Error>) {
    match chunk {
        Chunk::Records(recs) => (recs.into_iter().map(work).collect(), None),
        Chunk::JsonLines(mut lines) => {
            let tail = lines.error.take();
            let done = (0..lines.len())
                .map(|i| work(lines.parse(i, keep_raw)))
                .collect();
            (done, tail)
        }
    }
}

/// Hands a chunk's results to `consume` after [`sift`]ing them; `Err` when the job must end.
fn deliver<T>(
    done: Vec<Result<T>>,
    tail: Option<Error>,
    on_error: OnError,
    report_bad: bool,
    bad: &mut u64,
    consume: &mut impl FnMut(Vec<T>) -> Result<()>,
) -> Result<()> {
    let (batch, stop) = sift(done, tail, on_error, report_bad, bad);
    if !batch.is_empty() {
        consume(batch)?;
    }
    stop.map_or(Ok(()), Err)
}

/// Streams the records of the inputs through `work` and hands each chunk's results, in input
/// order, to `consume`. Each worker of `pool` takes whole chunks in turn (about 1 MB of input)
/// and parses and works through one on its own core; `consume` runs on a thread of its own and
/// puts the chunks back in order, so writing overlaps the work and no chunk waits for another
/// worker. At most `2 × workers + 1` chunks are taken and not yet consumed. On one thread
/// ([`JobConfig::sequential`]) all of it runs on the caller's thread. Bad records are reported
/// in input order and skipped (skip), or end the job after the records before them are
/// consumed (fail); an error from `work` or `consume` ends the job.
#[allow(clippy::too_many_arguments)]
pub(crate) fn for_each_record<S, T, I, W, C>(
    cfg: &JobConfig,
    pool: &rayon::ThreadPool,
    keep_raw: bool,
    stats_bad: &mut u64,
    passed: &mut PassedOver,
    init: I,
    work: W,
    consume: C,
) -> Result<()>
where
    T: Send,
    I: Fn() -> S + Sync + Send,
    W: Fn(&mut S, Record) -> Result<T> + Sync + Send,
    C: FnMut(Vec<T>) -> Result<()> + Send,
{
    let mut reader = Reader::new(cfg.input.clone(), &cfg.inputs)?;
    let passed_now = reader.passed_over_handle();
    let report_bad = cfg.report_bad;
    let mut bad = 0u64;
    let do_work = |s: &mut S, r: Result<Record>| -> Result<T> { work(s, r?) };
    if cfg.sequential() {
        // One thread reads, works and consumes, chunk by chunk.
        reader.set_inline(true);
        let mut state = init();
        let mut consume = consume;
        let result = (|| -> Result<()> {
            while let Some(chunk) = reader.next_chunk() {
                let (done, tail) = work_chunk(chunk, keep_raw, |r| do_work(&mut state, r));
                deliver(done, tail, cfg.on_error, report_bad, &mut bad, &mut consume)?;
            }
            Ok(())
        })();
        *stats_bad += bad;
        *passed = passed_now();
        return result;
    }
    // Each worker takes whole chunks, in turn, and works through one on its own core (parse,
    // work, format): no barrier between chunks and no record crossing cores until its result
    // goes to the consumer, which puts the chunks back in input order.
    let workers = pool.current_num_threads();
    // Chunks taken and not yet consumed: a worker waits for a permit before taking one, so a
    // slow chunk holds back at most this many behind it.
    let window = 2 * workers + 1;
    let (permit_tx, permit_rx) = crossbeam_channel::bounded::<()>(window);
    for _ in 0..window {
        permit_tx.send(()).expect("room for every permit");
    }
    let (done_tx, done_rx) =
        crossbeam_channel::bounded::<(u64, Vec<Result<T>>, Option<Error>)>(window);
    let source = Mutex::new((reader, 0u64));
    let on_error = cfg.on_error;
    let result = std::thread::scope(|scope| -> Result<()> {
        let consumer = scope.spawn(move || -> (Result<()>, u64) {
            let mut consume = consume;
            let mut bad = 0u64;
            let mut next = 0u64;
            let mut pending = std::collections::BTreeMap::new();
            let consumed = || -> Result<()> {
                for (seq, done, tail) in done_rx {
                    pending.insert(seq, (done, tail));
                    while let Some((done, tail)) = pending.remove(&next) {
                        next += 1;
                        deliver(done, tail, on_error, report_bad, &mut bad, &mut consume)?;
                        // A failed send only means the workers are done.
                        let _ = permit_tx.send(());
                    }
                }
                Ok(())
            };
            let r = consumed();
            (r, bad)
        });
        pool.scope(|s| {
            for _ in 0..workers {
                let (permits, done_tx, source) = (&permit_rx, done_tx.clone(), &source);
                let (init, do_work) = (&init, &do_work);
                s.spawn(move |_| {
                    let mut state = init();
                    while permits.recv().is_ok() {
                        let taken = {
                            let mut src = source.lock().expect("no panics holding it");
                            let chunk = src.0.next_chunk();
                            src.1 += 1;
                            chunk.map(|c| (src.1 - 1, c))
                        };
                        let Some((seq, chunk)) = taken else { break };
                        let (done, tail) = work_chunk(chunk, keep_raw, |r| do_work(&mut state, r));
                        // A failed send means the consumer stopped on an error.
                        if done_tx.send((seq, done, tail)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
        });
        match consumer.join() {
            Ok((r, n)) => {
                bad += n;
                r
            }
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    *stats_bad += bad;
    *passed = passed_now();
    result
}

pub(crate) fn progress_bar(cfg: &JobConfig, what: &str) -> ProgressBar {
    if !cfg.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total: Option<u64> = cfg
        .inputs
        .iter()
        .map(|p| {
            let s = p.to_string_lossy();
            if s == "-" || s.ends_with(".gz") || s.ends_with(".zst") || p.is_dir() {
                None
            } else {
                std::fs::metadata(p).ok().map(|m| m.len())
            }
        })
        .sum();
    let pb = match total {
        Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let style = if total.is_some() {
        ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
    } else {
        ProgressStyle::with_template(
            "{prefix} {spinner} [{elapsed_precise}] {binary_bytes} {binary_bytes_per_sec} {msg}",
        )
    };
    pb.set_style(style.expect("valid template"));
    pb.set_prefix(what.to_string());
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Result of a learn job.
#[derive(Debug)]
pub struct LearnSummary {
    pub header: Header,
    pub stats: Stats,
}

/// Counts the features of every page into per-worker counters. A counter that reaches its
/// share of the memory budget is written to `dir` as a sorted run and started afresh.
fn count_features(
    cfg: &JobConfig,
    params: ModelParams,
    dir: &SpillDir,
) -> Result<(Vec<Counter>, SiteTable, Stats)> {
    let pool = cfg.pool()?;
    let workers = pool.current_num_threads();
    // Counters get 60% of the budget; the rest covers batches in flight and the model writer.
    let per_worker = (cfg.memory / 10 * 6 / workers).max(1 << 20);
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
    for_each_record(
        cfg,
        &pool,
        false,
        &mut bad,
        &mut passed,
        || Shingler::new(params.shingle_max_tokens),
        |sh, mut rec| -> Result<RecordFigures> {
            let site = intern(&rec.site);
            let f = sh.features(&rec.text);
            let w = rayon::current_thread_index().unwrap_or(0) % workers;
            let mut c = counters[w].lock().expect("no worker panics holding it");
            if c.is_full_for(f.len()) {
                let fresh = c.fresh();
                let sites = sites.read().expect("no panics holding it");
                std::mem::replace(&mut *c, fresh).write_run(&sites, dir)?;
            }
            c.add_page(site, f);
            Ok(RecordFigures::take(&mut rec))
        },
        |batch| {
            for r in &batch {
                stats.pages += 1;
                stats.bytes_in += r.text_bytes;
                stats.input_bytes += r.input_bytes;
                stats.lossy_records += r.lossy as u64;
                pb.inc(r.input_bytes);
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
    let (counters, sites, stats) = count_nonempty(cfg, params, &dir)?;
    write_learned(cfg, out, partial, params, &dir, counters, &sites, stats)
}

/// [`count_features`], refusing an input with no readable page.
fn count_nonempty(
    cfg: &JobConfig,
    params: ModelParams,
    dir: &SpillDir,
) -> Result<(Vec<Counter>, SiteTable, Stats)> {
    let counted = count_features(cfg, params, dir)?;
    if counted.2.pages == 0 {
        return Err(Error::Config(
            "no readable pages in the input; nothing to learn from".into(),
        ));
    }
    Ok(counted)
}

/// Whether the counts never spilled and fit one counter's budget: then they can be summed
/// in memory.
fn counts_fit(dir: &SpillDir, counters: &[Counter]) -> bool {
    let total: usize = counters.iter().map(Counter::len).sum();
    dir.key_runs() == 0 && counters.first().is_some_and(|c| c.fits(total))
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
    let mut sink = model::ModelSink::new(params, partial, cfg.memory / 4, dir, !cfg.sequential())?;
    if counts_fit(dir, &counters) {
        // Everything fits in memory: sort each worker's counts on its own thread and merge.
        let pool = cfg.pool()?;
        Counter::emit_sum(counters, sites, &pool, |k, v| sink.push(k, v))?;
    } else {
        for c in counters {
            if !c.is_empty() {
                c.write_run(sites, dir)?;
            }
        }
        let mut merged = dir.merge_keys()?;
        while let Some((k, v)) = merged.next_entry()? {
            sink.push(k, v)?;
        }
    }
    let header = sink.finish(out)?;
    stats.elapsed += start.elapsed();
    Ok(LearnSummary { header, stats })
}

/// Output settings of a clean job.
#[derive(Debug, Clone)]
pub struct CleanOutput {
    pub kind: OutputKind,
    pub keep_removed: bool,
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
    // Output buffers go back from the writing thread to the workers instead of being freed
    // on one thread and allocated afresh on another.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let spare = &spare;
    for_each_record(
        cfg,
        &pool,
        true,
        &mut bad,
        &mut passed,
        || (Cleaner::new(model, clean_cfg), String::new()),
        |(c, cleaned), mut rec| -> Result<(Cleaned, PageSummary, RecordFigures)> {
            let d = c.clean_page(&rec.site, &rec.text, cleaned);
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
                    Cleaned::Page(p) => writer.write(&p.0, &p.1, &p.2)?,
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
    let (counters, sites, learn_stats) = count_nonempty(&cfg, params, &dir)?;
    let tmpdir = tempfile::tempdir().map_err(|e| Error::io("temporary directory", e))?;
    let model = match keep_model {
        // Counts that fit in memory become the model's hash tables there: no fst to build
        // and read back between the passes, which would run on one core.
        None if counts_fit(&dir, &counters) => {
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
    let mut stats = clean(&cfg, &model, clean_cfg, out)?;
    stats.elapsed += learn_stats.elapsed;
    drop(spool);
    Ok((model.header.clone(), stats))
}
