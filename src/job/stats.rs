//! The counts of a job ([`Stats`]) and their renderings: the one-line summary, the `--stats`
//! table and the `--stats-json` object.
//!
//! Workers turn each record into small, owned figures ([`RecordFigures`], [`PageSummary`]), so
//! that the page itself is freed on the worker that allocated it; the consumer adds the
//! figures up in input order. Memory: a few counters per site (two `BTreeMap` entries), none
//! per page.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::clean::{Decision, Reason};
use crate::input::{PassedOver, Record};

/// What [`Stats`] counts of one cleaned page, so that workers can gather it in parallel.
#[derive(Debug, Default, Clone)]
pub(crate) struct PageSummary {
    /// Blocks of the page.
    pub blocks: u64,
    /// Blocks removed.
    pub removed: u64,
    /// Bytes of the cleaned text.
    pub bytes_out: u64,
    /// Blocks per reason, indexed by [`Reason::index`].
    pub reason_blocks: [u64; Reason::ALL.len()],
    /// Text bytes per reason, indexed by [`Reason::index`].
    pub reason_bytes: [u64; Reason::ALL.len()],
}

/// What the counts need of a record once a worker is done with it, so that the record itself
/// (its text above all) is freed on the worker that allocated it.
#[derive(Debug, Default, Clone)]
pub(crate) struct RecordFigures {
    /// The record's site key.
    pub site: String,
    /// Bytes of the page text.
    pub text_bytes: u64,
    /// Bytes the record took in its input.
    pub input_bytes: u64,
    /// Whether the text was decoded lossily.
    pub lossy: bool,
}

impl RecordFigures {
    /// The figures of `rec`, its site name copied.
    pub fn of(rec: &Record) -> RecordFigures {
        RecordFigures {
            site: rec.site.clone(),
            ..RecordFigures::sizes(rec)
        }
    }

    /// The figures, taking the site name out of `rec` instead of copying it.
    pub(super) fn take(rec: &mut Record) -> RecordFigures {
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
    /// The summary of a page cleaned into `cleaned` by `decisions`.
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

/// Counts of a job, added up record by record, in input order, by the consuming thread.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Pages read (and cleaned, for a cleaning job).
    pub pages: u64,
    /// Blocks of the cleaned pages.
    pub blocks: u64,
    /// Bytes of page text read.
    pub bytes_in: u64,
    /// Bytes of cleaned text written.
    pub bytes_out: u64,
    /// Blocks removed.
    pub blocks_removed: u64,
    /// Blocks per reason, indexed by [`Reason::index`].
    pub reason_blocks: [u64; Reason::ALL.len()],
    /// Text bytes per reason, indexed by [`Reason::index`].
    pub reason_bytes: [u64; Reason::ALL.len()],
    /// Records that could not be read and were skipped.
    pub bad_records: u64,
    /// Records whose text was decoded lossily (invalid UTF-8 replaced).
    pub lossy_records: u64,
    /// Input records that are not pages (WARC warcinfo, non-HTML payloads, ...).
    pub passed_over: PassedOver,
    /// Per site: (pages, text bytes in, text bytes out).
    pub sites: BTreeMap<String, (u64, u64, u64)>,
    /// Wall-clock time of the job.
    pub elapsed: Duration,
    /// Bytes of input read (decompressed record bytes).
    pub input_bytes: u64,
    /// Per site: text bytes removed per reason, indexed by [`Reason::index`] (kept reasons 0).
    pub site_removed: BTreeMap<String, [u64; Reason::ALL.len()]>,
}

impl Stats {
    /// Counts one cleaned page from its record's figures and its [`PageSummary`].
    pub(crate) fn add_summary(&mut self, rec: &RecordFigures, p: &PageSummary) {
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
            let html_only = r == Reason::DomLinks || r.html_only();
            if html_only && self.reason_blocks[r.index()] == 0 {
                // Only pages read from HTML have it; text runs print the table they did.
                continue;
            }
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
        // Reasons only HTML pages can have are left out while nothing has them, so text runs
        // write the object they did.
        let shown = |r: &&Reason| !r.html_only() || self.reason_blocks[r.index()] > 0;
        let reasons: serde_json::Map<String, serde_json::Value> = Reason::ALL
            .iter()
            .filter(shown)
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
                    .filter(shown)
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
