//! `dechrome eval`: score cleaned output against gold text.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Cleaned output (JSONL with `id` and the text field).
    pub pred: PathBuf,
    /// Gold (JSONL with `id` and `gold`).
    pub gold: PathBuf,
    /// Also report per-site means.
    #[arg(long)]
    pub by_site: bool,
    /// Pages file with `id` and `site` (default: pages.jsonl beside GOLD, if present).
    #[arg(long)]
    pub pages: Option<PathBuf>,
    /// Field of PRED holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Print the overall figures as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: EvalArgs) -> Result<ExitCode> {
    let report =
        dechrome::eval::evaluate_files(&a.pred, &a.gold, a.pages.as_deref(), &a.text_field)?;
    if !report.missing.is_empty() {
        eprintln!(
            "warning: {} gold pages missing from PRED (scored as empty): {:?}",
            report.missing.len(),
            &report.missing[..report.missing.len().min(5)]
        );
    }
    if a.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.render_table(a.by_site));
    }
    Ok(ExitCode::SUCCESS)
}
