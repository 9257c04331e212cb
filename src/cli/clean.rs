//! `dechrome clean`: apply a model to a crawl.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use dechrome::clean::CleanConfig;
use dechrome::job::{self, CleanOutput, Stats};
use dechrome::model::Model;
use dechrome::output::{Compression, OutputFormat, OutputKind};

use super::{InputArgs, OutPath, StatsArgs};

#[derive(Args, Debug)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub prior: super::PriorArgs,
    /// Model file from `dechrome learn` or `dechrome merge`.
    #[arg(short, long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub stats: StatsArgs,
}

/// Output flags shared by `clean` and `run`.
#[derive(Args, Debug, Clone)]
pub struct OutArgs {
    /// Output: `x.jsonl` or `x.wet`/`x.warc` (optionally `.gz`/`.zst`), `x.parquet`, a
    /// directory of text files, or `-` for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
    /// Output format, overriding the one the output's name implies.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<OutputFormatArg>,
    /// Compression, overriding the one the output's name implies (gzip WET output has one
    /// member per record; Parquet output is zstd inside unless told otherwise, snappy on
    /// request).
    #[arg(long, value_enum)]
    pub compress: Option<CompressArg>,
    /// Add a `removed` array (a Parquet `removed` column) with each removed block and its
    /// reason to JSONL records.
    #[arg(long)]
    pub keep_removed: bool,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OutputFormatArg {
    Jsonl,
    Wet,
    Text,
    Parquet,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CompressArg {
    None,
    Gz,
    Zst,
    Snappy,
}

impl OutArgs {
    /// The paths written: the output and `--stats-json`'s file, for [`super::check_outputs`].
    pub fn paths<'a>(&'a self, stats: &'a StatsArgs) -> Vec<OutPath<'a>> {
        let dir = matches!(self.to_output().map(|o| o.kind), Ok(OutputKind::Dir(_)));
        let mut v = vec![OutPath {
            flag: "-o",
            path: &self.output,
            force: self.force,
            dir_ok: dir,
        }];
        if let Some(p) = &stats.stats_json {
            v.push(OutPath {
                flag: "--stats-json",
                path: p,
                force: self.force,
                dir_ok: false,
            });
        }
        v
    }

    pub fn to_output(&self) -> Result<CleanOutput> {
        if self.output_format.is_none() {
            check_output_name(&self.output)?;
        }
        let mut kind = OutputKind::from_arg(&self.output);
        if let Some(f) = self.output_format {
            kind = kind.with_format(match f {
                OutputFormatArg::Jsonl => OutputFormat::Jsonl,
                OutputFormatArg::Wet => OutputFormat::Wet,
                OutputFormatArg::Text => OutputFormat::Text,
                OutputFormatArg::Parquet => OutputFormat::Parquet,
            })?;
        }
        let compress = self.compress.map(|c| match c {
            CompressArg::None => Compression::None,
            CompressArg::Gz => Compression::Gz,
            CompressArg::Zst => Compression::Zst,
            CompressArg::Snappy => Compression::Snappy,
        });
        if compress == Some(Compression::Snappy) && !matches!(kind, OutputKind::Parquet(_)) {
            anyhow::bail!("--compress snappy is for Parquet output; use gz or zst");
        }
        if self.keep_removed && matches!(kind, OutputKind::Wet(_) | OutputKind::StdoutWet) {
            anyhow::bail!(
                "--keep-removed needs JSONL or Parquet output; WET records hold only text"
            );
        }
        Ok(CleanOutput {
            kind,
            keep_removed: self.keep_removed,
            force: self.force,
            compress,
        })
    }
}

/// Refuses an output name whose format cannot be told (`x.txt`, `x.jsonl.bz2`): it would
/// silently become a directory of text files. A directory is named by an existing directory,
/// a trailing `/`, or a name without an extension.
fn check_output_name(output: &std::path::Path) -> Result<()> {
    let s = output.to_string_lossy();
    if s == "-" || s.ends_with('/') || output.is_dir() || dechrome::fs::is_special(output) {
        return Ok(());
    }
    let known = [
        "jsonl", "json", "ndjson", "wet", "warc", "gz", "zst", "parquet",
    ];
    match output.extension().and_then(|e| e.to_str()) {
        Some(e) if !known.contains(&e) => anyhow::bail!(
            "{}: cannot tell the output format from the name (.{e}); name it .jsonl, .wet or \
             .warc (with .gz or .zst to compress) or .parquet, end a directory's name with /, \
             or pass --output-format",
            output.display()
        ),
        _ => Ok(()),
    }
}

pub fn run(a: CleanArgs) -> Result<ExitCode> {
    let mut job = a.input.to_job()?;
    a.prior.apply(&mut job)?;
    a.stats.check(&a.out.output)?;
    let output = a.out.to_output()?;
    super::check_outputs(&a.input.inputs, &a.out.paths(&a.stats))?;
    let model = Model::open_final(&a.model)?;
    let stats = job::clean(&job, &model, CleanConfig::default(), &output)?;
    finish(&a.stats, &stats, &a.input, &a.out)
}

/// Reports a finished clean or run job as its flags ask, and gives its exit status.
pub(super) fn finish(
    flags: &StatsArgs,
    stats: &Stats,
    input: &InputArgs,
    out: &OutArgs,
) -> Result<ExitCode> {
    flags.report(
        stats,
        input.quiet,
        &out.output,
        &input.text_field,
        out.force,
    )?;
    Ok(super::exit_for(stats))
}
