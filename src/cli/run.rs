//! `dechrome run`: learn from a crawl and clean it in one command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use dechrome::clean::CleanConfig;
use dechrome::job;
use dechrome::model::ModelParams;

use super::clean::OutArgs;
use super::{InputArgs, MemoryArgs, OutPath, StatsArgs};

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
    job.replace_model = a.out.force;
    a.stats.check(&a.out.output)?;
    let output = a.out.to_output()?;
    let mut paths = a.out.paths(&a.stats);
    if let Some(m) = &a.save_model {
        paths.push(OutPath {
            flag: "--save-model",
            path: m,
            force: a.out.force,
            dir_ok: false,
        });
    }
    super::check_outputs(&a.input.inputs, &paths)?;
    let (_, stats) = job::run(
        &job,
        ModelParams::default(),
        CleanConfig::default(),
        &output,
        a.save_model.as_deref(),
    )?;
    a.stats.report(
        &stats,
        a.input.quiet,
        &a.out.output,
        &a.input.text_field,
        a.out.force,
    )?;
    Ok(super::exit_for(&stats))
}
