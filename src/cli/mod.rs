//! Command-line front end: clap arguments ("low" args) turned into the library's validated
//! configurations ("high" args), one file per subcommand. No clap type crosses into the
//! library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use dechrome::input::{Format, InputConfig, SiteKey};
use dechrome::job::{JobConfig, OnError, Reporter, Stats};
use dechrome::Remedy;

mod clean;
mod eval;
mod explain;
mod generate;
mod inspect;
mod learn;
mod merge;
mod prior;
mod report;
mod run;

/// Exit status when the job completed but skipped bad records.
pub const EXIT_SKIPPED: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "dechrome",
    version,
    about = "Strip site chrome from scraped web corpora",
    long_about = "Strip site chrome (navigation, footers, share rows, teasers of other articles) from \
                  scraped web corpora, by learning which blocks recur across each site's pages and \
                  across sites, and keeping each page's own article."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Learn a frequency model from a crawl.
    Learn(learn::LearnArgs),
    /// Clean a crawl with a model learned before.
    Clean(clean::CleanArgs),
    /// Learn from a crawl and clean it, in one command.
    Run(run::RunArgs),
    /// Merge partial models (from `learn --partial` on shards) into one.
    Merge(merge::MergeArgs),
    /// Score cleaned output against gold text (token bag-of-words P/R/F1).
    Eval(eval::EvalArgs),
    /// Write a synthetic multi-site crawl with gold text and per-line labels.
    Generate(generate::GenerateArgs),
    /// Show pages line by line: kept or removed, why, and the figures behind it.
    Explain(explain::ExplainArgs),
    /// Show what a model holds: sites, frequent blocks, cross-site chrome, size; search sites.
    Inspect(inspect::InspectArgs),
    /// Write a self-contained HTML report of what a model removes from a crawl, and why.
    Report(report::ReportArgs),
    /// Build a cross-site prior (generic chrome) from a model learned on many sites.
    Prior(prior::PriorBuildArgs),
}

/// Said when a memory-mapped file (a model, an input) changes under the job: a model rewritten
/// in place rather than replaced by rename, an input truncated.
const CHANGED_WHILE_MAPPED: &str = "a memory-mapped file (a model or an input) was changed while \
     in use: cut short or rewritten in place. Replace models by rename, as `dechrome learn` and \
     `dechrome merge` do, and run again";

/// Reading a mapped file past its new end raises SIGBUS: say why instead of dying silently.
/// Only async-signal-safe calls here: write(2) and _exit(2).
#[cfg(unix)]
fn on_sigbus() {
    extern "C" fn handler(_: libc::c_int) {
        const M: &[u8] = b"\ndechrome: error: ";
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffers are static.
        unsafe {
            libc::write(2, M.as_ptr().cast(), M.len());
            libc::write(
                2,
                CHANGED_WHILE_MAPPED.as_ptr().cast(),
                CHANGED_WHILE_MAPPED.len(),
            );
            libc::write(2, b"\n".as_ptr().cast(), 1);
            libc::_exit(1);
        }
    }
    // SAFETY: installs a handler that only makes async-signal-safe calls.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(unix)]
    on_sigbus();
    // A panic is a bug, or a mapped file that changed under the job (the fst reader checks
    // its structure as it goes): say both, once, without a backtrace.
    std::panic::set_hook(Box::new(|info| {
        // The Parquet reader turns a panic of its decoder into an error that says it all.
        if dechrome::input::panic_is_caught() {
            return;
        }
        // The fst reader asserts on the bytes it maps: there, a panic means the model changed.
        if info.location().is_some_and(|l| l.file().contains("/fst-")) {
            eprintln!("dechrome: error: {CHANGED_WHILE_MAPPED} (the model reader met bad bytes)");
            return;
        }
        eprintln!(
            "dechrome: error: internal error ({info}); if a file changed while in use, that is \
             the cause: {CHANGED_WHILE_MAPPED}; otherwise please report it"
        );
    }));
    // Ctrl-C or a kill: delete the job's temporaries (partial outputs and models, spilled
    // runs) before going, so that an interrupted job leaves nothing behind. 130 is the shell's
    // status for a job ended by SIGINT.
    let _ = ctrlc::set_handler(|| {
        dechrome::fs::remove_temporaries();
        eprintln!("dechrome: interrupted; temporary files removed");
        std::process::exit(130);
    });
    let dispatch = move || match cli.cmd {
        Command::Learn(a) => learn::run(a),
        Command::Clean(a) => clean::run(a),
        Command::Run(a) => run::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Report(a) => report::run(a),
        Command::Prior(a) => prior::run(a),
    };
    // The hook above has said what happened; the temporaries go as on a signal.
    let Ok(r) = std::panic::catch_unwind(dispatch) else {
        dechrome::fs::remove_temporaries();
        return ExitCode::FAILURE;
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            if let Some(ioe) = e.downcast_ref::<std::io::Error>() {
                if ioe.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            match e
                .chain()
                .find_map(|c| c.downcast_ref::<dechrome::Error>())
                .and_then(advice)
            {
                Some(fix) => eprintln!("dechrome: error: {e:#}; {fix}"),
                None => eprintln!("dechrome: error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// What to do about a library error, said with the flag that does it.
pub fn advice(e: &dechrome::Error) -> Option<&'static str> {
    Some(match e.remedy()? {
        Remedy::SkipBadRecords => {
            "fix the record or rerun with --on-error skip to count and skip it"
        }
        Remedy::TextField => "name the right one with --text-field",
        Remedy::LossyUtf8 => "drop --strict to decode it lossily",
        Remedy::MaxRecordSize => "raise --max-record-mb if it is a real page",
        Remedy::MaxPageLines => "raise --max-page-lines if it is a real page",
        Remedy::InputFormat => "name its format with --format",
        Remedy::Overwrite => "pass --force to overwrite it",
        _ => return None,
    })
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Auto,
    Jsonl,
    Text,
    Wet,
    Warc,
    Parquet,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SiteKeyArg {
    Domain,
    Host,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnErrorArg {
    Skip,
    Fail,
}

/// Input and execution flags shared by the jobs.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Input files or directories (JSONL, WET, WARC, Parquet, text; gzip/zstd detected), `-`
    /// for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Input format; detected from the content by default.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// JSONL field (Parquet column) holding the record id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSONL field (Parquet column) holding the page text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSONL field holding the page's HTML, read instead of --text-field's text (the cleaned
    /// text replaces it in the output).
    #[arg(long, value_name = "FIELD")]
    pub html_field: Option<String>,
    /// JSONL field (Parquet column) holding the page URL.
    #[arg(long, default_value = "url")]
    pub url_field: String,
    /// JSONL field (Parquet column) naming the site; when absent the site comes from the URL.
    #[arg(long, default_value = "site")]
    pub site_field: String,
    /// How a URL names its site: registrable domain (Public Suffix List) or full host.
    #[arg(long, value_enum, default_value = "domain")]
    pub site_key: SiteKeyArg,
    /// Refuse text that is not valid UTF-8 instead of decoding it lossily.
    #[arg(long)]
    pub strict: bool,
    /// Skip (count and report) records longer than this many MiB, without holding them.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub max_record_mb: u64,
    /// Skip (count and report) pages of more lines than this.
    #[arg(long, default_value_t = dechrome::input::DEFAULT_MAX_PAGE_LINES, value_name = "N")]
    pub max_page_lines: u64,
    /// On a bad record: count, report and skip it, or stop.
    #[arg(long, value_enum, default_value = "skip")]
    pub on_error: OnErrorArg,
    /// Worker threads (0: one per core). With 1, the whole job (reading, decompressing and
    /// writing included) runs on one thread, to run one job per core side by side.
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The most worker threads a job takes: four per core, and at least 64. More only adds
/// threads that wait (thousands made the machine unusable for others: issue 16, case 10).
fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (4 * cores).max(64)
}

/// One path a command writes: the flag that named it, whether it may replace an existing
/// file, and whether it is a directory (a directory of text files, which replaces only a
/// directory that dechrome wrote).
pub struct OutPath<'a> {
    pub flag: &'static str,
    pub path: &'a Path,
    pub force: bool,
    pub dir_ok: bool,
}

/// Checks every path a command will write before any input is read, so that a bad one stops
/// the command at once rather than after hours of learning: each can be written (its
/// directory exists and is writable, it does not exist unless `--force`), no two name the same
/// file, none is an input or inside an input directory (the next run would read it back), and
/// no input is inside a directory output (which replaces its directory).
pub fn check_outputs(inputs: &[PathBuf], outs: &[OutPath]) -> Result<()> {
    let real = |p: &Path| -> Option<PathBuf> {
        let p = dechrome::fs::resolve_output(p);
        match p.canonicalize() {
            Ok(c) => Some(c),
            Err(_) => {
                let parent = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok()?,
                    _ => std::env::current_dir().ok()?,
                };
                Some(parent.join(p.file_name()?))
            }
        }
    };
    let mut seen: Vec<(&str, PathBuf)> = Vec::new();
    for o in outs {
        if o.path.as_os_str() == "-" {
            continue;
        }
        dechrome::fs::check_output(o.path, o.force, o.dir_ok)?;
        let Some(r) = real(o.path) else { continue };
        if let Some((flag, _)) = seen.iter().find(|(_, s)| *s == r) {
            bail!(
                "{}: named by both {flag} and {}; give each its own file",
                o.path.display(),
                o.flag
            );
        }
        for i in inputs.iter().filter(|i| i.as_os_str() != "-") {
            let Ok(ri) = i.canonicalize() else { continue };
            if ri == r {
                bail!(
                    "{}: {} names an input; write the output to another file",
                    o.path.display(),
                    o.flag
                );
            }
            if o.dir_ok && ri.starts_with(&r) {
                bail!(
                    "{}: {} names a directory that holds the input {}, and the output \
                     replaces the directory; write it elsewhere, or move the input",
                    o.path.display(),
                    o.flag,
                    i.display()
                );
            }
            if ri.is_dir() && r.starts_with(&ri) {
                bail!(
                    "{}: {} is inside the input directory {}, where the next run would read it \
                     back as input; write it elsewhere",
                    o.path.display(),
                    o.flag,
                    i.display()
                );
            }
        }
        seen.push((o.flag, r));
    }
    Ok(())
}

impl InputArgs {
    pub fn to_job(&self) -> Result<JobConfig> {
        for p in &self.inputs {
            if p.as_os_str() != "-" && !p.exists() {
                bail!("{}: no such file or directory", p.display());
            }
        }
        if self.threads > max_threads() {
            bail!(
                "--threads {} is more than this machine can use; give at most {} (4 per core, at least 64), \
                 or 0 for one per core",
                self.threads,
                max_threads()
            );
        }
        if self.text_field.is_empty() || self.html_field.as_deref() == Some("") {
            bail!("--text-field and --html-field must not be empty");
        }
        let mut job = JobConfig::new(self.inputs.clone());
        job.input = InputConfig {
            format: match self.format {
                FormatArg::Auto => Format::Auto,
                FormatArg::Jsonl => Format::Jsonl,
                FormatArg::Text => Format::Text,
                FormatArg::Wet => Format::Wet,
                FormatArg::Warc => Format::Warc,
                FormatArg::Parquet => Format::Parquet,
            },
            id_field: self.id_field.clone(),
            text_field: self.html_field.clone().unwrap_or(self.text_field.clone()),
            html_field: self.html_field.is_some(),
            url_field: self.url_field.clone(),
            site_field: self.site_field.clone(),
            site_key: match self.site_key {
                SiteKeyArg::Domain => SiteKey::Domain,
                SiteKeyArg::Host => SiteKey::Host,
            },
            strict_utf8: self.strict,
            max_record_bytes: self.max_record_mb.saturating_mul(1 << 20),
            parallel_files: 0,
            max_page_lines: self.max_page_lines,
        };
        job.threads = self.threads;
        job.on_error = match self.on_error {
            OnErrorArg::Skip => OnError::Skip,
            OnErrorArg::Fail => OnError::Fail,
        };
        job.progress = !self.quiet;
        // Skipped records are said with the flag that gets past them, but not the advice to
        // skip them: they were.
        job.reporter = Some(Reporter::new(|n, e| {
            let fix = advice(e).filter(|_| e.remedy() != Some(Remedy::SkipBadRecords));
            dechrome::job::report_skipped(n, e, fix)
        }));
        Ok(job)
    }
}

/// Memory flags of the jobs that learn.
#[derive(Args, Debug, Clone)]
pub struct MemoryArgs {
    /// Memory budget for the counts (e.g. 512M, 2G); beyond it they spill to sorted runs on
    /// disk, merged by streaming. The model is the same whatever the budget.
    #[arg(long, value_parser = generate::parse_size, default_value = "1G")]
    pub memory: u64,
    /// Directory for spilled runs (default: the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
}

impl MemoryArgs {
    pub fn apply(&self, job: &mut JobConfig) {
        job.memory = self.memory as usize;
        job.temp_dir = self.temp_dir.clone();
    }
}

/// Which cross-site prior cleaning asks about sites with few pages.
#[derive(Args, Debug, Clone)]
pub struct PriorArgs {
    /// Cross-site prior file (from `scripts/build_prior.sh`) instead of the built-in one.
    #[arg(long, value_name = "PRIOR", conflicts_with = "no_prior")]
    pub prior: Option<PathBuf>,
    /// Clean by the crawl's own model alone, without the cross-site prior.
    #[arg(long)]
    pub no_prior: bool,
}

impl PriorArgs {
    /// Loads the chosen prior into the job.
    pub fn apply(&self, job: &mut JobConfig) -> Result<()> {
        job.prior = match (&self.prior, self.no_prior) {
            (_, true) => None,
            (Some(p), false) => Some(std::sync::Arc::new(dechrome::model::Prior::open(p)?)),
            (None, false) => Some(dechrome::model::Prior::builtin()),
        };
        Ok(())
    }
}

/// Flags that report on a clean job.
#[derive(Args, Debug, Clone)]
pub struct StatsArgs {
    /// Score the output against this gold file (JSONL with `id` and `gold`) and print P/R/F1
    /// on stderr. Needs a JSONL output file.
    #[arg(long, value_name = "GOLD")]
    pub gold: Option<PathBuf>,
    /// Print a table of counts, removals by reason and per-site extremes on stderr.
    #[arg(long)]
    pub stats: bool,
    /// Write the statistics as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
}

impl StatsArgs {
    /// Refuses `--gold` without a JSONL output file to score, or naming no file, before any
    /// work is done.
    pub fn check(&self, output: &std::path::Path) -> Result<()> {
        if let Some(g) = &self.gold {
            if !g.is_file() {
                bail!("{}: --gold names no file", g.display());
            }
        }
        if self.gold.is_some()
            && !matches!(
                dechrome::output::OutputKind::from_arg(output),
                dechrome::output::OutputKind::Jsonl(_)
            )
        {
            bail!("--gold scores a JSONL output file; give -o a name ending in .jsonl");
        }
        Ok(())
    }

    pub fn report(
        &self,
        stats: &Stats,
        quiet: bool,
        output: &std::path::Path,
        text_field: &str,
        force: bool,
    ) -> Result<()> {
        if let Some(gold) = &self.gold {
            let r = dechrome::eval::evaluate_files(output, gold, None, text_field)?;
            eprintln!(
                "dechrome: score against {}: P {:.3} R {:.3} F1 {:.3} over {} pages{}",
                gold.display(),
                r.overall.p,
                r.overall.r,
                r.overall.f1,
                r.overall.n,
                if r.missing.is_empty() {
                    String::new()
                } else {
                    format!(" ({} missing)", r.missing.len())
                }
            );
        }
        if self.stats {
            eprint!("{}", stats.render());
        } else if !quiet {
            eprintln!("dechrome: {}", stats.summary());
        }
        if let Some(p) = &self.stats_json {
            use std::io::Write as _;
            let mut body = serde_json::to_vec_pretty(&stats.to_json())?;
            body.push(b'\n');
            let mut f = dechrome::fs::AtomicFile::create(p, force)?;
            f.write_all(&body)
                .map_err(|e| anyhow::anyhow!("{}: cannot write stats: {e}", p.display()))?;
            f.commit()?;
        }
        Ok(())
    }
}

/// Exit status of a job that completed: success, or [`EXIT_SKIPPED`] when bad records were
/// skipped.
pub fn exit_for(stats: &Stats) -> ExitCode {
    if stats.bad_records > 0 {
        ExitCode::from(EXIT_SKIPPED)
    } else {
        ExitCode::SUCCESS
    }
}
