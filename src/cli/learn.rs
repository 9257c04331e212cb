//! `dechrome learn`: build a model from a crawl.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use dechrome::job;
use dechrome::model::ModelParams;

use super::{InputArgs, MemoryArgs, OutPath};

#[derive(Args, Debug)]
pub struct LearnArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Model file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite an existing model file.
    #[arg(long)]
    pub force: bool,
    /// Write a partial model (keeps every count) for `dechrome merge`.
    #[arg(long)]
    pub partial: bool,
    /// Blocks with at most this many tokens get token shingles.
    #[arg(long, default_value_t = ModelParams::default().shingle_max_tokens)]
    pub shingle_max_tokens: u32,
}

pub fn run(a: LearnArgs) -> Result<ExitCode> {
    if a.output.as_os_str() == "-" {
        anyhow::bail!("-o -: a model is a file that is memory-mapped on use; name a file");
    }
    super::check_outputs(
        &a.input.inputs,
        &[OutPath {
            flag: "-o",
            path: &a.output,
            force: a.force,
            dir_ok: false,
        }],
    )?;
    let mut job = a.input.to_job()?;
    a.memory.apply(&mut job);
    job.replace_model = a.force;
    let params = ModelParams {
        shingle_max_tokens: a.shingle_max_tokens,
        ..ModelParams::default()
    };
    let s = job::learn(&job, &a.output, a.partial, params)?;
    if !a.input.quiet {
        eprintln!(
            "dechrome: learned {} pages of {} sites in {:.2}s ({:.1} MB/s); model {} ({} keys{}); {} bad record(s) skipped",
            s.header.pages,
            s.header.sites,
            s.stats.elapsed.as_secs_f64(),
            s.stats.input_bytes as f64 / 1e6 / s.stats.elapsed.as_secs_f64().max(1e-9),
            a.output.display(),
            s.header.keys,
            if s.header.partial { ", partial" } else { "" },
            s.stats.bad_records
        );
    }
    Ok(super::exit_for(&s.stats))
}
