//! `dechrome clean`: apply a model to a crawl.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use dechrome::clean::CleanConfig;
use dechrome::job::{self, CleanOutput};
use dechrome::model::Model;
use dechrome::output::{Compression, OutputFormat, OutputKind};

use super::{InputArgs, StatsArgs};

#[derive(Args, Debug)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputArgs,
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
    /// Output: `x.jsonl` or `x.wet`/`x.warc` (optionally `.gz`/`.zst`), a directory of text
    /// files, or `-` for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
    /// Output format, overriding the one the output's name implies.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<OutputFormatArg>,
    /// Compression, overriding the one the output's name implies (gzip WET output has one
    /// member per record).
    #[arg(long, value_enum)]
    pub compress: Option<CompressArg>,
    /// Add a `removed` array with each removed block and its reason to JSONL records.
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
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CompressArg {
    None,
    Gz,
    Zst,
}

impl OutArgs {
    pub fn to_output(&self) -> Result<CleanOutput> {
        let mut kind = OutputKind::from_arg(&self.output);
        if let Some(f) = self.output_format {
            kind = kind.with_format(match f {
                OutputFormatArg::Jsonl => OutputFormat::Jsonl,
                OutputFormatArg::Wet => OutputFormat::Wet,
                OutputFormatArg::Text => OutputFormat::Text,
            })?;
        }
        let compress = self.compress.map(|c| match c {
            CompressArg::None => Compression::None,
            CompressArg::Gz => Compression::Gz,
            CompressArg::Zst => Compression::Zst,
        });
        if self.keep_removed && matches!(kind, OutputKind::Wet(_) | OutputKind::StdoutWet) {
            anyhow::bail!("--keep-removed needs JSONL output; WET records hold only text");
        }
        Ok(CleanOutput {
            kind,
            keep_removed: self.keep_removed,
            force: self.force,
            compress,
        })
    }
}

pub fn run(a: CleanArgs) -> Result<ExitCode> {
    let job = a.input.to_job()?;
    a.stats.check(&a.out.output)?;
    let model = Model::open_final(&a.model)?;
    let stats = job::clean(&job, &model, CleanConfig::default(), &a.out.to_output()?)?;
    a.stats
        .report(&stats, a.input.quiet, &a.out.output, &a.input.text_field)?;
    Ok(super::exit_for(&stats))
}
