//! `dechrome merge`: streaming union of partial models.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Partial models written by `dechrome learn --partial`.
    #[arg(required = true)]
    pub models: Vec<PathBuf>,
    /// Model file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite an existing model file.
    #[arg(long)]
    pub force: bool,
    /// Keep the result partial, for merging again later (a tree of merges).
    #[arg(long)]
    pub partial: bool,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(a: MergeArgs) -> Result<ExitCode> {
    if a.output.exists() && !a.force {
        anyhow::bail!(
            "{}: output exists; pass --force to overwrite it",
            a.output.display()
        );
    }
    let h = dechrome::model::merge(&a.models, &a.output, a.partial)?;
    if !a.quiet {
        eprintln!(
            "dechrome: merged {} models: {} pages of {} sites, {} keys",
            a.models.len(),
            h.pages,
            h.sites,
            h.keys
        );
    }
    Ok(ExitCode::SUCCESS)
}
