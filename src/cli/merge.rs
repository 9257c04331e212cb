//! `dechrome merge`: streaming union of partial models.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use dechrome::model::{self, MergeOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A bar over the input keys (their count is in the model headers), drawn on a terminal only.
fn progress_bar(a: &MergeArgs) -> ProgressBar {
    if a.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total: u64 = a
        .models
        .iter()
        .filter_map(|p| model::Model::open(p).ok())
        .map(|m| m.header.keys)
        .sum();
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} keys {per_sec} ETA {eta} {msg}",
        )
        .expect("valid template"),
    );
    pb.set_prefix("merge");
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

pub fn run(a: MergeArgs) -> Result<ExitCode> {
    if a.output.as_os_str() == "-" {
        anyhow::bail!("-o -: a model is a file that is memory-mapped on use; name a file");
    }
    super::check_outputs(
        &a.models,
        &[super::OutPath {
            flag: "-o",
            path: &a.output,
            force: a.force,
            dir_ok: false,
        }],
    )?;
    let pb = progress_bar(&a);
    let mut progress = |n| {
        pb.inc(n);
        if pb.position() >= pb.length().unwrap_or(u64::MAX) {
            pb.set_message("writing");
        }
    };
    let options = MergeOptions {
        partial: a.partial,
        memory: a.memory as usize,
        progress: Some(&mut progress),
        replace: a.force,
    };
    let h = model::merge(&a.models, &a.output, options)?;
    pb.finish_and_clear();
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
