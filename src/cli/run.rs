//! `dechrome run`: learn from a crawl and clean it in one command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use dechrome::clean::CleanConfig;
use dechrome::job;
use dechrome::model::ModelParams;

use super::clean::OutArgs;
use super::{InputArgs, MemoryArgs, StatsArgs};

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub stats: StatsArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Also keep the learned model in this file.
    #[arg(long, value_name = "MODEL")]
    pub save_model: Option<PathBuf>,
}

pub fn run(a: RunArgs) -> Result<ExitCode> {
    let mut job = a.input.to_job()?;
    a.memory.apply(&mut job);
    a.stats.check(&a.out.output)?;
    let (_, stats) = job::run(
        &job,
        ModelParams::default(),
        CleanConfig::default(),
        &a.out.to_output()?,
        a.save_model.as_deref(),
    )?;
    a.stats
        .report(&stats, a.input.quiet, &a.out.output, &a.input.text_field)?;
    Ok(super::exit_for(&stats))
}
