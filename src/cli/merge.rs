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
    /// Memory budget for the cross-site counts (e.g. 512M, 2G); beyond it they spill to disk.
    #[arg(long, value_parser = super::generate::parse_size, default_value = "1G")]
    pub memory: u64,
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
    let h = dechrome::model::merge_with_memory(&a.models, &a.output, a.partial, a.memory as usize)?;
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
