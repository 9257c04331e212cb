//! `dechrome prior`: build a cross-site prior from a model learned on a corpus of many sites.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use dechrome::model::{build_prior, Model};

use super::OutPath;

#[derive(Args, Debug)]
pub struct PriorBuildArgs {
    /// Model learned from a corpus of many sites (`dechrome learn`).
    pub model: PathBuf,
    /// Prior file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Keep blocks found on at least this many sites of the corpus.
    #[arg(long, default_value_t = 5)]
    pub min_sites: u64,
    /// What the corpus is, stored in the prior's header.
    #[arg(long, default_value = "")]
    pub learned_from: String,
    /// Overwrite an existing prior file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: PriorBuildArgs) -> Result<ExitCode> {
    super::check_outputs(
        std::slice::from_ref(&a.model),
        &[OutPath {
            flag: "--output",
            path: &a.output,
            force: a.force,
            dir_ok: false,
        }],
    )?;
    let model = Model::open_final(&a.model)?;
    let h = build_prior(&model, a.min_sites, &a.learned_from, &a.output, a.force)?;
    eprintln!(
        "dechrome: prior {}: {} blocks on ≥ {} of {} sites ({} pages)",
        a.output.display(),
        h.features,
        h.min_sites,
        h.sites,
        h.pages
    );
    Ok(ExitCode::SUCCESS)
}
