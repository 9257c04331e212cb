//! `dechrome clean`: apply a model to a crawl.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use dechrome::clean::CleanConfig;
use dechrome::job::{self, CleanOutput};
use dechrome::model::Model;
use dechrome::output::OutputKind;

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
    /// Output: `x.jsonl` (optionally `.gz`/`.zst`), a directory of text files, or `-` for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
    /// Add a `removed` array with each removed block and its reason to JSONL records.
    #[arg(long)]
    pub keep_removed: bool,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

impl OutArgs {
    pub fn to_output(&self) -> CleanOutput {
        CleanOutput {
            kind: OutputKind::from_arg(&self.output),
            keep_removed: self.keep_removed,
            force: self.force,
        }
    }
}

pub fn run(a: CleanArgs) -> Result<ExitCode> {
    let job = a.input.to_job()?;
    a.stats.check(&a.out.output)?;
    let model = Model::open(&a.model)?;
    if model.header.partial {
        anyhow::bail!(
            "{}: is a partial model; finish it with `dechrome merge {} -o MODEL` first",
            a.model.display(),
            a.model.display()
        );
    }
    let stats = job::clean(&job, &model, CleanConfig::default(), &a.out.to_output())?;
    a.stats
        .report(&stats, a.input.quiet, &a.out.output, &a.input.text_field)?;
    Ok(super::exit_for(&stats))
}
