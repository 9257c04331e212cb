//! `dechrome report`: one self-contained HTML file to browse what was removed and why.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use dechrome::clean::CleanConfig;
use dechrome::model::Model;
use dechrome::views::report::{self, ReportConfig};

use super::{InputArgs, StatsArgs};

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub prior: super::PriorArgs,
    /// Model file from `dechrome learn` or `dechrome merge`.
    #[arg(short, long)]
    pub model: PathBuf,
    /// HTML file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    /// Sample pages per sampled site.
    #[arg(long, default_value_t = 2)]
    pub samples: usize,
    /// Sites with sample pages (alternately the most and the least removed).
    #[arg(long, default_value_t = 12)]
    pub sample_sites: usize,
    /// Rows of the site table (largest sites first).
    #[arg(long, default_value_t = 500)]
    pub max_sites: usize,
    /// Seed of the page sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Heading of the report.
    #[arg(long, default_value = "dechrome report")]
    pub title: String,
    /// Print a table of counts, removals by reason and per-site extremes on stderr.
    #[arg(long)]
    pub stats: bool,
    /// Write the statistics as JSON to this file (the same figures as `clean --stats-json`).
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
}

pub fn run(a: ReportArgs) -> Result<ExitCode> {
    let mut job = a.input.to_job()?;
    a.prior.apply(&mut job)?;
    let mut outs = vec![super::OutPath {
        flag: "-o",
        path: &a.output,
        force: a.force,
        dir_ok: false,
    }];
    if let Some(p) = &a.stats_json {
        outs.push(super::OutPath {
            flag: "--stats-json",
            path: p,
            force: a.force,
            dir_ok: false,
        });
    }
    super::check_outputs(&a.input.inputs, &outs)?;
    let model = Model::open_final(&a.model)?;
    let rc = ReportConfig {
        samples_per_site: a.samples,
        sample_sites: a.sample_sites,
        max_sites: a.max_sites,
        seed: a.seed,
        title: a.title.clone(),
    };
    let r = report::build(&job, &model, CleanConfig::default(), &rc)?;
    let html = report::render_html(&r, &rc);
    report::write_html(&a.output, &html, a.force)?;
    let stats = StatsArgs {
        gold: None,
        stats: a.stats,
        stats_json: a.stats_json.clone(),
    };
    stats.report(
        &r.stats,
        a.input.quiet,
        &a.output,
        &a.input.text_field,
        a.force,
    )?;
    if !a.input.quiet {
        eprintln!("dechrome: wrote {}", a.output.display());
    }
    Ok(super::exit_for(&r.stats))
}
