//! The streaming parallel runner under every job: records in, results out in input order.
//!
//! The [`Reader`] cuts the input into chunks of about 1 MB. Each worker of the pool takes whole
//! chunks in turn and parses and works through one on its own core (parse, work, format): no
//! barrier between chunks, and no record crosses cores until its result goes to the consumer.
//! The consumer runs on a thread of its own and puts the chunks back in input order, so writing
//! overlaps the work and the output does not depend on the thread count.
//!
//! Invariants and bounds:
//! - results reach `consume` in input order, whatever the thread count;
//! - at most `2 × workers + 1` chunks are taken and not yet consumed (a worker waits for a
//!   permit before taking one), so a slow chunk holds back at most that many behind it, and
//!   memory is bounded by those chunks and their results;
//! - on one thread ([`JobConfig::sequential`]) the reader, the work and the consumer all run
//!   on the calling thread, one chunk at a time;
//! - bad records are counted and reported in input order, whatever the thread count.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crossbeam_channel::{Receiver, Sender};

use super::{report_skipped, JobConfig, OnError, Reporter};
use crate::error::{Error, Result};
use crate::input::{Chunk, PassedOver, PayloadKind, Reader, Record, WarcPage};

/// A chunk's results, in input order, and the reader's error after the chunk's records.
type Done<T> = (Vec<Result<T>>, Option<Error>);

/// What becomes of bad records, and how many were met.
struct BadRecords {
    on_error: OnError,
    /// Report them (to the reporter, else on stderr).
    report: bool,
    reporter: Option<Reporter>,
    count: u64,
}

impl BadRecords {
    /// Splits a chunk's results, in input order (the reader's error for the chunk's end last),
    /// into the good ones and the error that ends the job: bad records are counted and
    /// reported, or end the job under `OnError::Fail`, as does any other error.
    fn sift<T>(&mut self, (results, tail): Done<T>) -> (Vec<T>, Option<Error>) {
        let mut batch = Vec::with_capacity(results.len());
        for r in results.into_iter().chain(tail.map(Err)) {
            match r {
                Ok(r) => batch.push(r),
                Err(e) if e.is_record_error() && self.on_error == OnError::Skip => {
                    self.count += 1;
                    match (&self.reporter, self.report) {
                        (_, false) => {}
                        (Some(r), true) => r.report(self.count, &e),
                        (None, true) => report_skipped(self.count, &e, None),
                    }
                }
                Err(e) => return (batch, Some(e)),
            }
        }
        (batch, None)
    }

    /// Hands a chunk's results to `consume` after [`sift`](Self::sift)ing them; `Err` when the
    /// job must end.
    fn deliver<T>(
        &mut self,
        done: Done<T>,
        consume: &mut impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let (batch, stop) = self.sift(done);
        if !batch.is_empty() {
            consume(batch)?;
        }
        stop.map_or(Ok(()), Err)
    }
}

/// The results of `work` on each record of a chunk (JSONL lines parsed first, keeping the raw
/// line when `keep_raw`, and WARC pages' HTML converted), in order, and the reader's error
/// after the chunk's records.
fn work_chunk<T>(
    chunk: Chunk,
    keep_raw: bool,
    mut work: impl FnMut(Result<Record>) -> Result<T>,
) -> Done<T> {
    match chunk {
        Chunk::Records(recs) => (recs.into_iter().map(work).collect(), None),
        Chunk::Warc(pages) => {
            let done = pages.into_iter();
            (
                done.map(|p| work(p.and_then(WarcPage::into_record)))
                    .collect(),
                None,
            )
        }
        Chunk::JsonLines(mut lines) => {
            let tail = lines.error.take();
            let done = (0..lines.len())
                .map(|i| work(lines.parse(i, keep_raw)))
                .collect();
            (done, tail)
        }
    }
}

/// Streams the records of the inputs through `work` and hands each chunk's results, in input
/// order, to `consume` (see the module doc for the threads and bounds). `init` makes each
/// worker's state; `payload` says what the records carry for a writer. Bad records are
/// reported in input order and skipped (skip), or end the job after the records before them
/// are consumed (fail); an error from `work` or `consume` ends the job. The bad records are
/// added to `stats_bad` and the passed-over ones set in `passed` either way.
#[allow(clippy::too_many_arguments)]
pub(crate) fn for_each_record<S, T, I, W, C>(
    cfg: &JobConfig,
    pool: &rayon::ThreadPool,
    payload: PayloadKind,
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
    reader.set_payload(payload);
    reader.set_converted(cfg.converted.clone());
    let keep_raw = payload != PayloadKind::None;
    let passed_now = reader.passed_over_handle();
    let bad = BadRecords {
        on_error: cfg.on_error,
        report: cfg.report_bad,
        reporter: cfg.reporter.clone(),
        count: 0,
    };
    let max_lines = cfg.input.max_page_lines;
    let work = |s: &mut S, r: Result<Record>| -> Result<T> {
        let r = r?;
        check_page_lines(&r, max_lines)?;
        work(s, r)
    };
    let (result, bad) = if cfg.sequential() {
        reader.set_inline(true);
        run_inline(&mut reader, keep_raw, bad, init, work, consume)
    } else {
        run_parallel(&mut reader, pool, keep_raw, bad, init, work, consume)
    };
    *stats_bad += bad;
    *passed = passed_now();
    result
}

/// Refuses a page of more than `max` lines ([`Error::PageTooLong`]) before any work is done
/// on it: cleaning holds a few words per line. Only pages of more than `max` bytes are counted
/// (with memchr), so a normal page costs one comparison.
fn check_page_lines(rec: &Record, max: u64) -> Result<()> {
    let text = rec.text.as_bytes();
    if (text.len() as u64) < max {
        return Ok(());
    }
    let breaks = memchr::memchr_iter(b'\n', text).count() as u64;
    let lines = breaks + u64::from(!text.ends_with(b"\n"));
    if lines <= max {
        return Ok(());
    }
    Err(Error::PageTooLong {
        loc: rec.loc.clone(),
        lines,
        limit: max,
    })
}

/// One thread reads, works and consumes, chunk by chunk. Returns the bad records' count.
fn run_inline<S, T>(
    reader: &mut Reader,
    keep_raw: bool,
    mut bad: BadRecords,
    init: impl FnOnce() -> S,
    work: impl Fn(&mut S, Result<Record>) -> Result<T>,
    mut consume: impl FnMut(Vec<T>) -> Result<()>,
) -> (Result<()>, u64) {
    let mut state = init();
    let result = (|| -> Result<()> {
        while let Some(chunk) = reader.next_chunk() {
            let done = work_chunk(chunk, keep_raw, |r| work(&mut state, r));
            bad.deliver(done, &mut consume)?;
        }
        Ok(())
    })();
    (result, bad.count)
}

/// The workers of `pool` work through the chunks ([`work_chunks`]) while a thread of its own
/// consumes them in order ([`consume_in_order`]). Returns the bad records' count.
fn run_parallel<S, T, I, W, C>(
    reader: &mut Reader,
    pool: &rayon::ThreadPool,
    keep_raw: bool,
    bad: BadRecords,
    init: I,
    work: W,
    consume: C,
) -> (Result<()>, u64)
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, Result<Record>) -> Result<T> + Sync,
    C: FnMut(Vec<T>) -> Result<()> + Send,
{
    let workers = pool.current_num_threads();
    // Chunks taken and not yet consumed: a worker waits for a permit before taking one, so a
    // slow chunk holds back at most this many behind it.
    let window = 2 * workers + 1;
    let (permit_tx, permit_rx) = crossbeam_channel::bounded::<()>(window);
    for _ in 0..window {
        permit_tx.send(()).expect("room for every permit");
    }
    let (done_tx, done_rx) = crossbeam_channel::bounded::<(u64, Done<T>)>(window);
    let source = Mutex::new((reader, 0u64));
    std::thread::scope(|scope| {
        let consumer = scope.spawn(move || consume_in_order(done_rx, permit_tx, bad, consume));
        pool.scope(|s| {
            for _ in 0..workers {
                let (permits, done_tx, source) = (&permit_rx, done_tx.clone(), &source);
                let (init, work) = (&init, &work);
                s.spawn(move |_| work_chunks(permits, source, done_tx, keep_raw, init, work));
            }
            drop(done_tx);
        });
        match consumer.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// A worker: takes whole chunks in turn, each after a permit, numbered in input order, and
/// sends each one's results to the consumer; stops when the chunks or the permits run out,
/// or when the consumer is gone.
fn work_chunks<S, T>(
    permits: &Receiver<()>,
    source: &Mutex<(&mut Reader, u64)>,
    done_tx: Sender<(u64, Done<T>)>,
    keep_raw: bool,
    init: &impl Fn() -> S,
    work: &impl Fn(&mut S, Result<Record>) -> Result<T>,
) {
    let mut state = init();
    while permits.recv().is_ok() {
        let taken = {
            let mut src = source.lock().expect("no panics holding it");
            let chunk = src.0.next_chunk();
            src.1 += 1;
            chunk.map(|c| (src.1 - 1, c))
        };
        let Some((seq, chunk)) = taken else { break };
        let done = work_chunk(chunk, keep_raw, |r| work(&mut state, r));
        // A failed send means the consumer stopped on an error.
        if done_tx.send((seq, done)).is_err() {
            break;
        }
    }
}

/// The consumer: puts the chunks' results back in input order and delivers them, handing a
/// permit back to the workers for each chunk delivered. Returns the bad records' count.
fn consume_in_order<T>(
    done_rx: Receiver<(u64, Done<T>)>,
    permits: Sender<()>,
    mut bad: BadRecords,
    mut consume: impl FnMut(Vec<T>) -> Result<()>,
) -> (Result<()>, u64) {
    let mut next = 0u64;
    let mut pending = BTreeMap::new();
    let consumed = (|| -> Result<()> {
        for (seq, done) in done_rx {
            pending.insert(seq, done);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                bad.deliver(done, &mut consume)?;
                // A failed send only means the workers are done.
                let _ = permits.send(());
            }
        }
        Ok(())
    })();
    (consumed, bad.count)
}
